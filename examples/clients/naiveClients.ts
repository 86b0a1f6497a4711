/**
 * Two Live API clients without gemini-live-fsm, for contrast in the demo, the end-to-end tests
 * and the benchmarks: a naive one that streams the microphone no matter what, and one with the
 * common workaround, a boolean "tool pending" flag. Both answer tool calls with the SDK directly.
 */
import type { GoogleGenAI, LiveConnectConfig, LiveServerMessage } from '@google/genai';

/** A tool as these clients take it: a name and a function. */
export type PlainTool = (args: Record<string, unknown>) => unknown;

/** Options of {@link connectPlainClient}. */
export interface PlainClientOptions {
  ai: Pick<GoogleGenAI, 'live'>;
  model: string;
  config?: LiveConnectConfig;
  tools: Record<string, PlainTool>;
  /** `naive`: never stops the mic. `flag`: stops it while a boolean says a tool is running. */
  gate: 'naive' | 'flag';
  /** Told when a tool fails (these clients, as usually written, just log it). */
  onToolError?: (error: unknown) => void;
  onMessage?: (message: LiveServerMessage) => void;
}

/** A connected plain client. */
export interface PlainClient {
  /** Sends one chunk of 16 kHz PCM16, unless the flag says not to. Returns whether it was sent. */
  sendAudio(pcm: Uint8Array): boolean;
  /** Resolves with the close code and reason when the connection closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** Whether the flag client thinks a tool is pending. */
  readonly toolPending: boolean;
  /** Tool responses sent so far. */
  readonly responsesSent: number;
  close(): void;
}

/** Connects a naive or boolean-flag client. */
export async function connectPlainClient(options: PlainClientOptions): Promise<PlainClient> {
  let toolPending = false;
  let responsesSent = 0;
  let resolveClosed!: (info: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const declarations = Object.keys(options.tools).map((name) => ({ name }));

  const session = await options.ai.live.connect({
    model: options.model,
    config: { ...options.config, tools: [{ functionDeclarations: declarations }] },
    callbacks: {
      onmessage: (message) => {
        options.onMessage?.(message);
        const calls = message.toolCall?.functionCalls;
        if (!calls) return;
        toolPending = true;
        // The usual shape: run the tools, answer, and reopen the mic in `finally`. A tool that
        // throws skips the answer but still reopens the mic: the hole this library closes.
        void (async () => {
          try {
            const functionResponses = await Promise.all(
              calls.map(async (call) => ({
                id: call.id,
                name: call.name,
                response: { output: await options.tools[call.name ?? '']?.(call.args ?? {}) },
              })),
            );
            session.sendToolResponse({ functionResponses });
            responsesSent += 1;
          } finally {
            toolPending = false;
          }
        })().catch((error: unknown) => options.onToolError?.(error));
      },
      onclose: (event) => resolveClosed({ code: event.code, reason: event.reason }),
    },
  });

  return {
    sendAudio(pcm) {
      if (options.gate === 'flag' && toolPending) return false;
      session.sendRealtimeInput({ audio: { data: Buffer.from(pcm).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
      return true;
    },
    closed,
    get toolPending() {
      return toolPending;
    },
    get responsesSent() {
      return responsesSent;
    },
    close: () => session.close(),
  };
}
