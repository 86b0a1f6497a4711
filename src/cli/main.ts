#!/usr/bin/env node
/**
 * `gemini-live-fsm emulate`: runs the Live API emulator in the foreground and prints what the
 * client does, one line per frame and per close.
 */
import { parseArgs } from 'node:util';
import { resolveProfile } from '../models/index.js';
import {
  isBuiltinScenario,
  scenarios,
  startLiveEmulator,
  type ClientFrame,
  type ClientMessage,
  type EmulatorEvent,
} from '../testing/emulator/index.js';
import { base64ByteLength, pcmDurationMs } from '../testing/emulator/audio.js';

const USAGE = `Usage: gemini-live-fsm emulate [options]

Runs a Gemini Live API emulator on 127.0.0.1. Point @google/genai at it with
  new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: '<printed url>' } })
Each connection follows the rules of the model in its setup (2.5, 3.1, 3.8, 3.8
extended thinking, live translate; any other model gets 2.5's rules).

Options:
  --port <n>          port to listen on (default 0: a free port)
  --scenario <name>   built-in scenario: ${Object.keys(scenarios).join(', ')}
                      (async-tool, blocking-cancel, extended-thinking: for 3.8 models)
  --grace-ms <n>      tolerance for realtime input in flight when a tool call goes out (default 20)
  --no-call-ids       send tool calls without ids (Vertex AI style)
  --silent-cancel     on 3.8, input cancels a BLOCKING call without a toolCallCancellation
  --age-limit-ms <n>  cut each connection with 1011 Deadline expired this long after setup
  --fail-resume       refuse every resume with 1007
  --refuse-resume-while-open
                      refuse with 1011 a resume while the socket that offered its handle is open
  -h, --help          show this text`;

/** Exit code for a command-line mistake, as most CLIs use. */
const USAGE_ERROR = 2;

function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(USAGE_ERROR);
}

function nonNegativeInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) usageError(`--${name} must be a non-negative integer`);
  return number;
}

/** One short line for a client message; audio is summarised, never dumped. */
function describe(message: ClientMessage): string {
  if (message.setup) {
    const { profile, source } = resolveProfile(message.setup.model);
    return `setup ${message.setup.model} [rules: ${source === 'table' ? profile.name : 'conservative'}]`;
  }
  if (message.realtimeInput) {
    const input = message.realtimeInput;
    if (input.audio) {
      const ms = pcmDurationMs(base64ByteLength(input.audio.data), input.audio.mimeType);
      return `realtimeInput.audio ${Math.round(ms)} ms`;
    }
    if (input.video) return `realtimeInput.video ${input.video.mimeType}`;
    if (input.text !== undefined) return `realtimeInput.text ${JSON.stringify(input.text)}`;
    return `realtimeInput.${Object.keys(input).join(',')}`;
  }
  if (message.toolResponse) {
    const answers = message.toolResponse.functionResponses.map((response) => `${response.name}#${response.id ?? '-'}`);
    return `toolResponse ${answers.join(' ')}`;
  }
  if (message.clientContent) {
    const { turns, turnComplete } = message.clientContent;
    return `clientContent turns=${turns?.length ?? 0}${turnComplete === true ? ' turnComplete' : ''}`;
  }
  const tools = message.contextUpdate?.tools;
  return tools === undefined ? 'contextUpdate' : `contextUpdate tools=${tools.tools?.length ?? 0}`;
}

/** One short line for what a connection did by its model's rules. */
function describeEvent(event: EmulatorEvent): string {
  switch (event.kind) {
    case 'callsCancelledByInput':
      return `cancelled ${event.ids.join(' ')} (input during a BLOCKING call${event.silent ? ', silently' : ''})`;
    case 'lateAnswers':
      return `ignored late answer ${event.ids.join(' ')}`;
    case 'toolsReplaced':
      return `tools replaced: ${event.functions.join(' ') || 'none'}`;
  }
}

function line(id: number, text: string): void {
  console.log(`[${id}] ${text}`);
}

function parseEmulateArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        port: { type: 'string' },
        scenario: { type: 'string' },
        'grace-ms': { type: 'string' },
        'no-call-ids': { type: 'boolean' },
        'silent-cancel': { type: 'boolean' },
        'age-limit-ms': { type: 'string' },
        'fail-resume': { type: 'boolean' },
        'refuse-resume-while-open': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
}

async function emulate(args: string[]): Promise<void> {
  const values = parseEmulateArgs(args);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const scenario = values.scenario;
  if (scenario !== undefined && !isBuiltinScenario(scenario)) usageError(`unknown scenario ${scenario}`);

  const emulator = await startLiveEmulator({
    port: nonNegativeInteger(values.port, 'port', 0),
    graceMs: nonNegativeInteger(values['grace-ms'], 'grace-ms', 20),
    callIds: !values['no-call-ids'],
    silentCancel: values['silent-cancel'] === true,
    ...(values['age-limit-ms'] === undefined ? {} : { connectionAgeLimitMs: nonNegativeInteger(values['age-limit-ms'], 'age-limit-ms', 0) }),
    failResume: values['fail-resume'] === true,
    refuseResumeWhileOpen: values['refuse-resume-while-open'] === true,
    scenario,
    onConnection: (connection) => {
      line(connection.id, `connected ${connection.apiVersion}`);
      void connection.closed.then(({ code, reason, by }) => line(connection.id, `closed ${code} by ${by} ${reason}`.trimEnd()));
    },
    onFrame: (connection, frame: ClientFrame) => {
      line(connection.id, `> ${frame.message ? describe(frame.message) : 'malformed'} (${frame.bytes} B)`);
    },
    onEvent: (connection, event) => line(connection.id, `= ${describeEvent(event)}`),
  });
  console.log(`Live API emulator listening on ${emulator.baseUrl}${scenario ? ` (scenario ${scenario})` : ''}`);

  const stop = (signal: string): void => {
    console.log(`${signal}: stopping`);
    void emulator.close().then(() => console.log('stopped'));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  if (command !== 'emulate') usageError(command === undefined ? 'missing command' : `unknown command ${command}`);
  await emulate(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
