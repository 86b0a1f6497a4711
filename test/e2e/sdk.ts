import * as genai2 from '@google/genai';
import * as genai3 from 'genai3';
import { afterEach } from 'vitest';
import { createGenAITransport } from '../../src/protocol/index.js';
import { createLiveSession, type AnyTool, type LiveSession, type LiveSessionOptions } from '../../src/index.js';
import { auditGate } from './gateAudit.js';
import { startLiveEmulator, type LiveEmulator, type LiveEmulatorOptions } from '../../src/testing/index.js';

/** The SDK this run of the suite uses: 2.x (on Node 20) by default, 3.x (on Node 22) with GENAI_SDK=3. */
const sdk = process.env['GENAI_SDK'] === '3' ? genai3 : genai2;
if (sdk === genai3 && Number(process.versions.node.split('.')[0]) < 22) {
  throw new Error('@google/genai 3.x needs Node 22: run this suite with `npm run test:e2e3`');
}
export const SDK_VERSION = process.env['GENAI_SDK'] === '3' ? '3.x' : '2.x';

/** A model name; the emulator accepts any. */
export const MODEL = 'models/gemini-live-2.5-flash-preview';

/** A real SDK client pointed at the emulator. */
export function clientFor(emulator: LiveEmulator) {
  // Both major versions take the same constructor options; the session only needs `live`.
  return new sdk.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: emulator.baseUrl } }) as unknown as genai2.GoogleGenAI;
}

export const { Modality } = sdk;

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A strict emulator (no grace window) that is closed after the test. */
export async function emulator(options: LiveEmulatorOptions = {}): Promise<LiveEmulator> {
  const started = await startLiveEmulator({ graceMs: 0, ...options });
  cleanups.push(() => started.close());
  return started;
}

/**
 * A gemini-live-fsm session over the real SDK to the emulator, closed after the test. Its
 * transport is audited: `gateViolations` lists any realtime input sent while a call was pending.
 */
export function fsmSession(
  target: LiveEmulator,
  tools: AnyTool[],
  options: Omit<LiveSessionOptions, 'ai' | 'tokenProvider' | 'model' | 'transport' | 'tools'> = {},
): LiveSession & { gateViolations: ReturnType<typeof auditGate>['violations'] } {
  const { config, ...sessionOptions } = options;
  const audited = auditGate(
    createGenAITransport({
      ai: clientFor(target),
      model: MODEL,
      config: config ?? { responseModalities: [genai2.Modality.AUDIO] },
    }),
  );
  const session = createLiveSession({ ...sessionOptions, transport: audited.transport, tools });
  cleanups.push(() => session.close());
  return Object.assign(session, { gateViolations: audited.violations });
}

/** Registers something to undo after the test. */
export function onCleanup(cleanup: () => Promise<void> | void) {
  cleanups.push(cleanup);
}
