/**
 * A {@link LiveTransport} over `@google/genai`'s `ai.live.connect`. The SDK is a peer dependency
 * and only its types are imported here: the application passes its own `GoogleGenAI` instance.
 */
import type {
  FunctionResponse as SdkFunctionResponse,
  GoogleGenAI,
  LiveConnectConfig,
  LiveSendRealtimeInputParameters,
  Session,
  Tool,
} from '@google/genai';
import { encodeBase64 } from '../protocol/base64.js';
import { redactedError, redactSecrets } from '../protocol/redact.js';
import { INPUT_AUDIO_MIME_TYPE, type ContextUpdate, type RealtimeInput } from '../protocol/messages.js';
import type { LiveConnection, LiveTransport, TransportConnectRequest, TransportHandlers } from '../protocol/transport.js';
import { withClaim, type SocketClaim } from './socketCapture.js';

/** Options of {@link createGenAITransport}. */
export interface GenAITransportOptions {
  /** The application's client: `new GoogleGenAI({ apiKey })`. */
  ai: Pick<GoogleGenAI, 'live'>;
  /** The Live model, e.g. `gemini-2.5-flash-native-audio-preview-09-2025`. */
  model: string;
  /** The connect config; the session adds its tools' declarations and the resumption handle. */
  config?: LiveConnectConfig;
}

/**
 * Creates a transport that opens connections with `ai.live.connect`.
 *
 * @example
 * ```ts
 * const transport = createGenAITransport({ ai: new GoogleGenAI({ apiKey }), model, config });
 * const session = createLiveSession({ transport, tools });
 * ```
 */
export function createGenAITransport(options: GenAITransportOptions): LiveTransport {
  return {
    connect(request) {
      const { handlers, signal } = request;
      if (signal?.aborted) return Promise.reject(abortError());
      let markClosed!: () => void;
      const socketClosed = new Promise<void>((resolve) => {
        markClosed = resolve;
      });
      const claim: SocketClaim = { onMalformed: (text) => handlers.onMessage(text) };
      const connecting = withClaim(options.ai.live, claim, () =>
        options.ai.live.connect({
          model: options.model,
          config: connectConfig(options.config, request),
          callbacks: guardedCallbacks(handlers, markClosed),
        }),
      );
      return new Promise<LiveConnection>((resolve, reject) => {
        const abandon = () => {
          // Setup never completed (or the session left): close the socket the SDK made for it.
          reject(abortError());
          if (!claim.socket) return;
          try {
            claim.socket.close();
          } catch {
            // Not open yet, or already closed: either way it is not left open.
          }
        };
        signal?.addEventListener('abort', abandon, { once: true });
        connecting.then(
          (session) => {
            signal?.removeEventListener('abort', abandon);
            if (signal?.aborted) {
              session.close();
              return;
            }
            resolve(wrapSession(session, socketClosed));
          },
          (error: unknown) => {
            signal?.removeEventListener('abort', abandon);
            reject(redactedError(error));
          },
        );
      });
    },
  };
}

function abortError(): DOMException {
  return new DOMException('the session no longer wants this connection', 'AbortError');
}

/** The user's config plus the tools' declarations, session resumption and who detects activity. */
export function connectConfig(
  config: LiveConnectConfig | undefined,
  request: Pick<TransportConnectRequest, 'functionDeclarations' | 'sessionResumption' | 'resumptionHandle' | 'automaticActivityDetection'>,
): LiveConnectConfig {
  const { functionDeclarations: declarations, sessionResumption, resumptionHandle } = request;
  const merged: LiveConnectConfig = { ...config };
  if (request.automaticActivityDetection === false) {
    // The session brackets speech itself: the server must not (it would refuse the signals).
    const realtime = config?.realtimeInputConfig;
    merged.realtimeInputConfig = { ...realtime, automaticActivityDetection: { ...realtime?.automaticActivityDetection, disabled: true } };
  }
  if (declarations.length > 0) {
    // A copy per connection: the SDK rewrites the declarations it is given in place (it turns
    // `parameters` into its own form), and the session sends the same ones on every reconnect.
    const copies = structuredClone(declarations);
    const tools: Tool[] = [...toolList(config?.tools), { functionDeclarations: copies } as Tool];
    merged.tools = tools;
  }
  if (sessionResumption) {
    merged.sessionResumption = { ...config?.sessionResumption };
    if (resumptionHandle !== undefined) merged.sessionResumption.handle = resumptionHandle;
  }
  return merged;
}

function toolList(tools: LiveConnectConfig['tools']): Tool[] {
  if (!tools) return [];
  return (Array.isArray(tools) ? tools : [tools]) as Tool[];
}

// An exception thrown inside the SDK's callbacks becomes an unhandled rejection that kills Node
// (docs/protocol.md), so nothing may escape them. What the SDK reports is redacted: its socket's
// URL carries the API key or token.
function guardedCallbacks(handlers: TransportHandlers, markClosed: () => void) {
  const guard = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      try {
        handlers.onError(error);
      } catch {
        // The handlers never throw; this is the last line of defence for a buggy one.
      }
    }
  };
  return {
    onmessage: (message: unknown) => guard(() => handlers.onMessage(message)),
    onclose: (event: { code?: number; reason?: string }) => {
      markClosed();
      guard(() => handlers.onClose(event.code ?? 1006, redactSecrets(event.reason ?? '')));
    },
    onerror: (event: { error?: unknown; message?: string }) => guard(() => handlers.onError(redactedError(event))),
  };
}

/**
 * The text of a 16 kHz PCM16 audio frame on either side of its base64, exactly as the SDK writes
 * it (`JSON.stringify({ realtimeInput: { audio: { data, mimeType } } })`, for the Gemini API and
 * Vertex AI alike). Prepared once, a frame then costs its base64 and a concatenation instead of
 * the SDK's conversion and a JSON pass over a kilobyte: the hot path of every session.
 */
const AUDIO_FRAME_HEAD = '{"realtimeInput":{"audio":{"data":"';
const AUDIO_FRAME_TAIL = `","mimeType":"${INPUT_AUDIO_MIME_TYPE}"}}}`;

/** The wire text of one 16 kHz PCM16 audio frame. */
export function audioFrameText(pcm: Uint8Array): string {
  return AUDIO_FRAME_HEAD + encodeBase64(pcm) + AUDIO_FRAME_TAIL;
}

function wrapSession(session: Session, socketClosed: Promise<void>): LiveConnection {
  // `Session.conn`, the SDK's socket, is public in @google/genai 2.x and 3.x; anything without it
  // goes through `sendRealtimeInput` only.
  const socket: Pick<Session['conn'], 'send'> | undefined = typeof session.conn?.send === 'function' ? session.conn : undefined;
  const sendAudioFrame = socket
    ? (pcm: Uint8Array) => socket.send(audioFrameText(pcm))
    : (pcm: Uint8Array) => session.sendRealtimeInput(toSdkInput({ kind: 'audio', data: pcm, mimeType: INPUT_AUDIO_MIME_TYPE }));
  return {
    sendRealtimeInput: (input) => {
      if (input.kind === 'audio' && input.mimeType === INPUT_AUDIO_MIME_TYPE) sendAudioFrame(input.data);
      else session.sendRealtimeInput(toSdkInput(input));
    },
    sendAudioFrame,
    // The SDK's scheduling enum is a string enum with the very values our union spells out.
    sendToolResponse: (responses) =>
      session.sendToolResponse({ functionResponses: responses as unknown as SdkFunctionResponse[] }),
    sendClientContent: (turns, turnComplete) => session.sendClientContent({ turns, turnComplete }),
    sendContextUpdate: (update) => sendContextUpdate(session, update),
    close: () => {
      session.close();
      return socketClosed;
    },
  };
}

/**
 * `contextUpdate.tools`: through the SDK where it has `sendContextUpdate` (3.3 and later), else as
 * the same JSON on its socket (the wrapper `{ tools: { tools } }` tells "no change" from "no tools").
 */
function sendContextUpdate(session: Session, update: ContextUpdate): void {
  const tools = [{ functionDeclarations: update.tools }];
  const withUpdate = session as Session & { sendContextUpdate?: (params: { tools: { tools: unknown[] } }) => void };
  if (typeof withUpdate.sendContextUpdate === 'function') withUpdate.sendContextUpdate({ tools: { tools } });
  else session.conn.send(JSON.stringify({ contextUpdate: { tools: { tools } } }));
}

/** The SDK's parameters for one realtime input. */
export function toSdkInput(input: RealtimeInput): LiveSendRealtimeInputParameters {
  switch (input.kind) {
    case 'audio':
      return { audio: { data: encodeBase64(input.data), mimeType: input.mimeType } };
    case 'video':
      return { video: { data: encodeBase64(input.data), mimeType: input.mimeType } };
    case 'text':
      return { text: input.text };
    case 'activityStart':
      return { activityStart: {} };
    case 'activityEnd':
      return { activityEnd: {} };
    case 'audioStreamEnd':
      return { audioStreamEnd: true };
  }
}
