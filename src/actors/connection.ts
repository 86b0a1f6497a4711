/**
 * The connection actor: owns one connection of a {@link LiveTransport}, turns what the server
 * says into machine events, and sends what the machine asks it to. Nothing thrown by the
 * transport or the SDK escapes it: every failure becomes an event.
 */
import { fromCallback, type AnyEventObject, type CallbackLogicFunction } from 'xstate';
import { closeError } from '../protocol/errors.js';
import { ConnectError, LiveSessionError, TransportError, describe } from '../protocol/errors.js';
import type { ConnectionCommand, ConnectionInput, ServerEvent } from '../machines/types.js';
import { INPUT_AUDIO_MIME_TYPE, type RealtimeInput } from '../protocol/messages.js';
import type { FunctionDeclaration } from '../protocol/messages.js';
import type { LiveConnection, LiveTransport } from '../protocol/transport.js';
import { toServerEvents } from '../adapters/serverMessages.js';

/** What every connection of a session shares. */
export interface ConnectionOptions {
  transport: LiveTransport;
  functionDeclarations: FunctionDeclaration[];
  /** Ask the server for resumption handles. */
  sessionResumption: boolean;
  /** How long to wait for the connection to open and setup to complete. */
  connectTimeoutMs: number;
  /**
   * Told when a connection opens, with the means to send realtime input on it exactly as a
   * `send.realtimeInput` command would, and told again (`undefined`) when it is gone.
   */
  onWire?: (generation: number, wire: ConnectionWire | undefined) => void;
}

/** How to send realtime input on an open connection without a command (see `onWire`). */
export interface ConnectionWire {
  /** Sends `input` exactly as a `send.realtimeInput` command does, failures included. */
  send(input: RealtimeInput): void;
  /** Sends one 16 kHz PCM16 frame the quickest way the transport has; throws what it throws. */
  sendAudioFrame(pcm: Uint8Array): void;
  /** Reports a send that threw, as the actor does: a `transport.error` event. */
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
    let connection: LiveConnection | undefined;
    let stopped = false;
    let ended = false;
    // Server messages wait here until connect() resolves: the machine must not act on a
    // setupComplete (and start sending) before there is a connection to send on.
    let early: ServerEvent[] | undefined = [];

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

    const timer = setTimeout(
      () => end(new ConnectError('CONNECT_TIMEOUT', `setup did not complete within ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );

    const handlers = {
      onMessage(message: unknown) {
        try {
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
        end(closeError(code, reason));
      },
      onError(error: unknown) {
        deliver({
          type: 'transport.error',
          generation,
          error: new TransportError('TRANSPORT_ERROR', describe(error), { cause: error }),
        });
      },
    };

    let opening: Promise<LiveConnection>;
    try {
      opening = options.transport.connect({
        functionDeclarations: options.functionDeclarations,
        sessionResumption: options.sessionResumption,
        resumptionHandle: input.resumptionHandle,
        handlers,
      });
    } catch (error) {
      opening = Promise.reject(error);
    }
    opening.then(
      (opened) => {
        if (stopped || ended) {
          safely(() => opened.close());
          return;
        }
        clearTimeout(timer);
        connection = opened;
        const queued = early ?? [];
        early = undefined;
        options.onWire?.(generation, {
          send: sendInput,
          sendAudioFrame: opened.sendAudioFrame
            ? opened.sendAudioFrame.bind(opened)
            : (pcm) => opened.sendRealtimeInput({ kind: 'audio', data: pcm, mimeType: INPUT_AUDIO_MIME_TYPE }),
          failed: sendFailed,
        });
        for (const event of queued) sendBack(event);
      },
      (error: unknown) =>
        end(
          error instanceof LiveSessionError
            ? error
            : new ConnectError('CONNECT_FAILED', describe(error), { cause: error }),
        ),
    );

    const sendFailed = (thrown: unknown) => {
      const failure = thrown ?? new Error('undefined was thrown');
      sendBack({
        type: 'transport.error',
        generation,
        error: new TransportError('SEND_FAILED', describe(failure), { cause: failure }),
      });
    };

    // Every frame passes here: a plain try, no closure per call.
    function sendInput(input: RealtimeInput): void {
      if (!connection || ended || stopped) return;
      try {
        connection.sendRealtimeInput(input);
      } catch (thrown) {
        sendFailed(thrown);
      }
    }

    receive((command) => {
      if (command.type === 'send.realtimeInput') {
        sendInput(command.input);
        return;
      }
      if (!connection || ended) return;
      try {
        connection.sendToolResponse(command.responses);
      } catch (thrown) {
        sendFailed(thrown);
      }
    });

    return () => {
      if (!stopped && !ended) options.onWire?.(generation, undefined);
      stopped = true;
      clearTimeout(timer);
      if (connection) safely(() => connection?.close());
    };
  };
}

/** Runs `fn`; returns what it threw, or undefined. */
function safely(fn: () => void): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error ?? new Error('undefined was thrown');
  }
}
