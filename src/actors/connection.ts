/**
 * The connection actor: owns one connection of a {@link LiveTransport}, turns what the server
 * says into machine events, and sends what the machine asks it to. Nothing thrown by the
 * transport or the SDK escapes it: every failure becomes an event, and a close carries the
 * transport error that came before it as its cause. Its socket is closed on every path: when it
 * stops (the session left the connection, or closed), and when setup does not complete in time,
 * even before the transport handed over a connection.
 */
import { fromCallback, type AnyEventObject, type CallbackLogicFunction } from 'xstate';
import { toServerEvents } from '../adapters/serverMessages.js';
import { ConnectError, LiveSessionError, TransportError, closeError, describe } from '../protocol/errors.js';
import type { FunctionDeclaration, RealtimeInput } from '../protocol/messages.js';
import { INPUT_AUDIO_MIME_TYPE } from '../protocol/messages.js';
import type { LiveConnection, LiveTransport } from '../protocol/transport.js';
import { isAuthRefusal } from '../protocol/closeCodes.js';
import type { ConnectionCommand, ConnectionInput, ServerEvent } from '../machines/types.js';

/** What every connection of a session shares. */
export interface ConnectionOptions {
  transport: LiveTransport;
  /** The tools' declarations, or where to read them when a connection opens (they change with `updateTools`). */
  functionDeclarations: FunctionDeclaration[] | (() => FunctionDeclaration[]);
  /** Ask the server for resumption handles. */
  sessionResumption: boolean;
  /** `false`: the session brackets speech, and setup says so (see `TransportConnectRequest`). */
  automaticActivityDetection?: boolean | undefined;
  /** How long to wait for the connection to open and setup to complete. */
  connectTimeoutMs: number;
  /**
   * Told when a connection opens, with the means to send realtime input on it exactly as a
   * `send.realtimeInput` command would, and told again (`undefined`) when it is gone.
   */
  onWire?: (generation: number, wire: ConnectionWire | undefined) => void;
  /** Told, when a connection is let go, of a promise that settles once its socket is closed. */
  onClosing?: (closed: Promise<void>) => void;
  /** Told of every server message, whole, before it is decoded. */
  onServerMessage?: (message: unknown, generation: number) => void;
  /**
   * Settles once the sockets the session let go are closed: a new connection waits for it before
   * it opens (a resume sent while the old socket of the session was open got 1011).
   */
  previousClosed?: () => Promise<void> | undefined;
}

/**
 * How to send realtime input on an open connection without a command (see `onWire`). The sends
 * throw what the transport throws: the caller counts the frame, then reports the failure.
 */
export interface ConnectionWire {
  /** Sends `input` on the connection. */
  send(input: RealtimeInput): void;
  /** Sends one 16 kHz PCM16 frame the quickest way the transport has. */
  sendAudioFrame(pcm: Uint8Array): void;
  /** Reports a send that threw, as the actor does for its own: a `transport.error` event. */
  failed(error: unknown): void;
}

/**
 * The connection actor logic for a session.
 *
 * @example
 * ```ts
 * const connection = createConnectionLogic({
 *   transport,
 *   functionDeclarations: [],
 *   sessionResumption: true,
 *   connectTimeoutMs: 15_000,
 * });
 * sessionMachine.provide({ actors: { connection } });
 * ```
 */
export function createConnectionLogic(options: ConnectionOptions) {
  return fromCallback<ConnectionCommand, ConnectionInput>(connectionCallback(options));
}

/** The body of {@link createConnectionLogic}: what each connection actor of a session runs. */
export function connectionCallback(options: ConnectionOptions): CallbackLogicFunction<ConnectionCommand, AnyEventObject, ConnectionInput> {
  return ({ input, sendBack, receive }) => {
    const { generation } = input;
    const abandon = new AbortController();
    let connection: LiveConnection | undefined;
    let stopped = false;
    let ended = false;
    // The transport's last error: a close that follows carries it as its cause.
    let lastError: unknown;
    // Server messages wait here until connect() resolves: the machine must not act on a
    // setupComplete (and start sending) before there is a connection to send on.
    let early: ServerEvent[] | undefined = [];
    // Commands that come before the connection is open (new tools, while its setup is on its
    // way with the old ones) wait for it, in order: dropped, client and server would disagree.
    const waiting: Exclude<ConnectionCommand, { type: 'send.realtimeInput' }>[] = [];

    const deliver = (event: ServerEvent) => {
      if (stopped || ended) return;
      if (early) early.push(event);
      else sendBack(event);
    };

    const end = (error: LiveSessionError) => {
      if (stopped || ended) return;
      ended = true;
      options.onWire?.(generation, undefined);
      clearTimeout(timer);
      early = undefined;
      sendBack({ type: 'transport.closed', generation, error });
    };

    const timer = setTimeout(() => {
      end(new ConnectError('CONNECT_TIMEOUT', `setup did not complete within ${options.connectTimeoutMs} ms`));
      // The socket may be open with setup still pending: close it, do not leave it behind.
      abandon.abort();
    }, options.connectTimeoutMs);

    const handlers = {
      onMessage(message: unknown) {
        if (stopped || ended) return;
        try {
          options.onServerMessage?.(message, generation);
          for (const event of toServerEvents(message, generation)) deliver(event);
        } catch (error) {
          deliver({
            type: 'transport.error',
            generation,
            error: new TransportError('TRANSPORT_ERROR', `could not handle a server message: ${describe(error)}`, { cause: error }),
          });
        }
      },
      onClose(code: number, reason: string) {
        end(closeError(code, reason, lastError));
      },
      onError(error: unknown) {
        lastError = error ?? new Error('WebSocket error');
        deliver({ type: 'transport.error', generation, error: new TransportError('TRANSPORT_ERROR', describe(lastError), { cause: lastError }) });
      },
    };

    const connect = () =>
      options.transport.connect({
        functionDeclarations: typeof options.functionDeclarations === 'function' ? options.functionDeclarations() : options.functionDeclarations,
        sessionResumption: options.sessionResumption,
        resumptionHandle: input.resumptionHandle,
        ...(options.automaticActivityDetection === undefined ? {} : { automaticActivityDetection: options.automaticActivityDetection }),
        handlers,
        signal: abandon.signal,
      });
    let opening: Promise<LiveConnection>;
    try {
      // Nothing to wait for: connect at once, so that the new socket opens in this very step.
      const waiting = options.previousClosed?.();
      opening = waiting
        ? waiting.then(() => {
            if (abandon.signal.aborted) throw new DOMException('the session no longer wants this connection', 'AbortError');
            return connect();
          })
        : connect();
    } catch (error) {
      opening = Promise.reject(error);
    }
    opening.then(
      (opened) => {
        if (stopped || ended) return;
        clearTimeout(timer);
        connection = opened;
        for (const command of waiting.splice(0)) sendCommand(opened, command);
        const queued = early ?? [];
        early = undefined;
        options.onWire?.(generation, {
          send: (realtime) => opened.sendRealtimeInput(realtime),
          sendAudioFrame: opened.sendAudioFrame
            ? opened.sendAudioFrame.bind(opened)
            : (pcm) => opened.sendRealtimeInput({ kind: 'audio', data: pcm, mimeType: INPUT_AUDIO_MIME_TYPE }),
          failed: sendFailed,
        });
        for (const event of queued) sendBack(event);
      },
      (error: unknown) => {
        lastError = error;
        // A refusal of the credentials cannot be mended by trying again with them.
        end(error instanceof LiveSessionError ? error : new ConnectError('CONNECT_FAILED', describe(error), { cause: error, retryable: !isAuthRefusal(error) }));
      },
    );

    function sendFailed(thrown: unknown, kind?: RealtimeInput['kind']): void {
      const failure = thrown ?? new Error('undefined was thrown');
      const error = new TransportError('SEND_FAILED', describe(failure), { cause: failure });
      sendBack(kind ? { type: 'transport.sendFailed', generation, kind, error } : { type: 'transport.error', generation, error });
    }

    // A frame the machine forwarded and counted: a failed send is recounted as dropped.
    function sendInput(input: RealtimeInput): void {
      if (!connection || ended || stopped) return;
      try {
        connection.sendRealtimeInput(input);
      } catch (thrown) {
        sendFailed(thrown, input.kind);
      }
    }

    receive((command) => {
      if (command.type === 'send.realtimeInput') {
        sendInput(command.input);
        return;
      }
      if (ended) return;
      if (!connection) waiting.push(command);
      else sendCommand(connection, command);
    });

    function sendCommand(open: LiveConnection, command: Exclude<ConnectionCommand, { type: 'send.realtimeInput' }>): void {
      try {
        sendOther(open, command);
      } catch (thrown) {
        sendFailed(thrown);
      }
    }

    return () => {
      if (!stopped && !ended) options.onWire?.(generation, undefined);
      stopped = true;
      clearTimeout(timer);
      abandon.abort();
      // Settles once the socket is closed: the connection's own close, or the abandoned connect's end.
      const closed = opening.then((opened) => closeQuietly(opened), () => undefined);
      options.onClosing?.(closed);
    };
  };
}

/** Sends a command other than realtime input; throws what the transport throws. */
function sendOther(connection: LiveConnection, command: Exclude<ConnectionCommand, { type: 'send.realtimeInput' }>): void {
  switch (command.type) {
    case 'send.toolResponse':
      connection.sendToolResponse(command.responses);
      return;
    case 'send.clientContent':
      if (!connection.sendClientContent) throw new Error('the transport cannot send clientContent');
      connection.sendClientContent(command.turns, command.turnComplete);
      return;
    case 'send.contextUpdate':
      if (!connection.sendContextUpdate) throw new Error('the transport cannot send contextUpdate');
      connection.sendContextUpdate(command.update);
      return;
  }
}

/** Closes a connection; resolves when its socket is closed. Never rejects. */
async function closeQuietly(connection: LiveConnection): Promise<void> {
  try {
    await connection.close();
  } catch {
    // A socket already gone throws on close; it is closed all the same.
  }
}
