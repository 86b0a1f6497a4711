/**
 * A {@link LiveTransport} driven by a test script instead of a network: the test plays the
 * server, synchronously, and every frame the session sends is recorded. Like the real service it
 * enforces the gate: realtime input while a BLOCKING call is pending closes the connection with
 * 1008 (2.5 and 3.1 models), or, playing a 3.8 model (`inputDuringBlockingCall: 'cancelsCall'`),
 * cancels the call. Calls to functions declared NON_BLOCKING do not block.
 */
import type { ContentTurn, ContextUpdate, FunctionCall, FunctionResponse, RealtimeInput } from '../protocol/messages.js';
import type { LiveConnection, LiveTransport, TransportConnectRequest } from '../protocol/transport.js';

/** The reason the real service gives for realtime input during a pending tool call. */
export const GATE_VIOLATION_REASON = 'Operation is not implemented, or supported, or enabled.';

/** One frame the session sent. */
export type OutboundFrame =
  | { type: 'realtimeInput'; input: RealtimeInput }
  | { type: 'toolResponse'; responses: FunctionResponse[] }
  | { type: 'clientContent'; turns: ContentTurn[]; turnComplete: boolean }
  | { type: 'contextUpdate'; update: ContextUpdate };

/** A recorded outbound frame. */
export interface RecordedFrame {
  /** Which connection (0-based) it went out on. */
  connection: number;
  /** Position among all frames of the transport. */
  seq: number;
  frame: OutboundFrame;
  /** Whether the connection had already been closed when the frame was sent. */
  afterClose: boolean;
}

/** Options of {@link createScriptedTransport}. */
export interface ScriptedTransportOptions {
  /**
   * `auto` (default): each connect answers `setupComplete` and resolves at once. `manual`: the
   * test calls `accept()` or `reject()` on the connection.
   */
  open?: 'auto' | 'manual';
  /** Refuse realtime input while a blocking call is pending, as the service does (default true). */
  strict?: boolean;
  /**
   * How the refusal goes: close with 1008, as 2.5 and 3.1 models do (default), or cancel the
   * pending blocking calls, as 3.8 does: with a `toolCallCancellation`, or silently with
   * `silentCancel` (a field report).
   */
  inputDuringBlockingCall?: 'closes1008' | 'cancelsCall';
  silentCancel?: boolean;
}

/** The server side of one scripted connection. */
export interface ScriptedConnection {
  readonly index: number;
  readonly request: Omit<TransportConnectRequest, 'handlers'>;
  /** Frames sent on this connection. */
  readonly frames: RecordedFrame[];
  /** Call ids (or names, for calls without one) the server is waiting on, blocking or not. */
  readonly pending: ReadonlySet<string>;
  /** Set when the connection closed, by either side. */
  readonly closedWith: { by: 'client' | 'server'; code: number; reason: string } | undefined;
  /** Gate violations seen (each also closed the connection in strict mode). */
  readonly violations: RecordedFrame[];
  /** Blocking calls the session's input cancelled (`inputDuringBlockingCall: 'cancelsCall'`). */
  readonly implicitlyCancelled: readonly string[];
  /** Delivers a raw server message. */
  send(message: unknown): void;
  setupComplete(): void;
  /** Sends a toolCall; the calls become pending. */
  toolCall(calls: FunctionCall[]): void;
  cancel(ids: string[]): void;
  goAway(timeLeft?: string): void;
  /** Closes from the server side. */
  serverClose(code: number, reason: string): void;
  /** Reports a transport error. */
  error(error: unknown): void;
  /** Makes every later send throw `error` (a dead socket). */
  failSends(error: Error): void;
  /** With `open: 'manual'`: completes setup and resolves connect(). */
  accept(): void;
  /** With `open: 'manual'`: rejects connect(). */
  reject(error: unknown): void;
  /** The first frame (already sent or still to come) that matches. */
  waitForFrame(match: (frame: OutboundFrame) => boolean): Promise<OutboundFrame>;
}

/** A scripted transport: the connections it opened, and every frame sent on any of them. */
export interface ScriptedTransport extends LiveTransport {
  readonly connections: ScriptedConnection[];
  readonly frames: RecordedFrame[];
  /** The next connection to open (or the latest, if one opened and nobody asked for it yet). */
  nextConnection(): Promise<ScriptedConnection>;
}

/**
 * Creates a scripted transport.
 *
 * @example
 * ```ts
 * const transport = createScriptedTransport();
 * const session = createLiveSession({ transport, tools: [getWeather] });
 * await session.connect();
 * const server = transport.connections[0]!;
 * server.toolCall([{ id: 'c1', name: 'get_weather', args: { city: 'Paris' } }]);
 * session.sendAudio(new Uint8Array(640)); // dropped: the gate is closed
 * await server.waitForFrame((f) => f.type === 'toolResponse');
 * ```
 */
export function createScriptedTransport(options: ScriptedTransportOptions = {}): ScriptedTransport {
  const connections: ScriptedConnection[] = [];
  const frames: RecordedFrame[] = [];
  const waiting: ((connection: ScriptedConnection) => void)[] = [];
  let unclaimed = 0;

  const transport: ScriptedTransport = {
    connections,
    frames,
    nextConnection() {
      if (unclaimed < connections.length) return Promise.resolve(connections[unclaimed++] as ScriptedConnection);
      return new Promise((resolve) => waiting.push(resolve));
    },
    connect(request) {
      return new Promise<LiveConnection>((resolve, reject) => {
        const connection = openConnection(connections.length, request, frames, options, resolve, reject);
        connections.push(connection);
        const waiter = waiting.shift();
        if (waiter) {
          unclaimed += 1;
          waiter(connection);
        }
        if ((options.open ?? 'auto') === 'auto') connection.accept();
      });
    },
  };
  return transport;
}

function openConnection(
  index: number,
  request: TransportConnectRequest,
  allFrames: RecordedFrame[],
  options: ScriptedTransportOptions,
  resolve: (connection: LiveConnection) => void,
  reject: (error: unknown) => void,
): ScriptedConnection {
  const { handlers, signal: _signal, ...rest } = request;
  const frames: RecordedFrame[] = [];
  // Calls the server waits on, by id (or name), and whether each blocks input.
  const pending = new Map<string, { name: string; blocking: boolean }>();
  const nonBlocking = new Set(request.functionDeclarations.filter((fn) => fn.behavior === 'NON_BLOCKING').map((fn) => fn.name));
  const violations: RecordedFrame[] = [];
  const implicitlyCancelled: string[] = [];
  const strict = options.strict ?? true;
  const frameWaiters: { match: (frame: OutboundFrame) => boolean; resolve: (frame: OutboundFrame) => void }[] = [];
  let closedWith: ScriptedConnection['closedWith'];
  let sendFailure: Error | undefined;
  let accepted = false;
  // The session gave up on the connection before it was accepted: its socket is closed.
  request.signal?.addEventListener(
    'abort',
    () => {
      if (accepted) return;
      closedWith ??= { by: 'client', code: 1005, reason: '' };
      reject(new DOMException('the session no longer wants this connection', 'AbortError'));
    },
    { once: true },
  );

  const record = (frame: OutboundFrame) => {
    if (sendFailure) throw sendFailure;
    const recorded: RecordedFrame = { connection: index, seq: allFrames.length, frame, afterClose: closedWith !== undefined };
    allFrames.push(recorded);
    frames.push(recorded);
    const blockingIds = [...pending].filter(([, call]) => call.blocking).map(([id]) => id);
    const interrupts = frame.type === 'realtimeInput' || (frame.type === 'clientContent' && frame.turnComplete);
    if (frame.type === 'toolResponse') {
      for (const response of frame.responses) pending.delete(response.id ?? response.name);
    } else if (frame.type === 'contextUpdate') {
      nonBlocking.clear();
      for (const fn of frame.update.tools) if (fn.behavior === 'NON_BLOCKING') nonBlocking.add(fn.name);
    } else if (interrupts && blockingIds.length > 0 && !closedWith && strict) {
      if (options.inputDuringBlockingCall === 'cancelsCall') {
        // 3.8: the input cancels the blocking calls, with a toolCallCancellation or silently.
        for (const id of blockingIds) pending.delete(id);
        implicitlyCancelled.push(...blockingIds);
        if (!options.silentCancel) handlers.onMessage({ toolCallCancellation: { ids: blockingIds } });
      } else if (frame.type === 'realtimeInput') {
        violations.push(recorded);
        server.serverClose(1008, GATE_VIOLATION_REASON);
      }
    } else if (frame.type === 'realtimeInput' && blockingIds.length > 0 && !closedWith) {
      violations.push(recorded);
    }
    for (const waiter of [...frameWaiters]) {
      if (waiter.match(frame)) {
        frameWaiters.splice(frameWaiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  };

  const liveConnection: LiveConnection = {
    sendRealtimeInput: (input) => record({ type: 'realtimeInput', input }),
    sendToolResponse: (responses) => record({ type: 'toolResponse', responses }),
    sendClientContent: (turns, turnComplete) => record({ type: 'clientContent', turns, turnComplete }),
    sendContextUpdate: (update) => record({ type: 'contextUpdate', update }),
    close() {
      closedWith ??= { by: 'client', code: 1005, reason: '' };
    },
  };

  const server: ScriptedConnection = {
    index,
    request: rest,
    frames,
    get pending() {
      return new Set(pending.keys());
    },
    get closedWith() {
      return closedWith;
    },
    violations,
    implicitlyCancelled,
    send(message) {
      if (!closedWith) handlers.onMessage(message);
    },
    setupComplete() {
      server.send({ setupComplete: {} });
    },
    toolCall(calls) {
      for (const call of calls) pending.set(call.id ?? call.name, { name: call.name, blocking: !nonBlocking.has(call.name) });
      server.send({ toolCall: { functionCalls: calls } });
    },
    cancel(ids) {
      for (const id of ids) pending.delete(id);
      server.send({ toolCallCancellation: { ids } });
    },
    goAway(timeLeft = '50s') {
      server.send({ goAway: { timeLeft } });
    },
    serverClose(code, reason) {
      if (closedWith) return;
      closedWith = { by: 'server', code, reason };
      handlers.onClose(code, reason);
    },
    error(error) {
      handlers.onError(error);
    },
    failSends(error) {
      sendFailure = error;
    },
    accept() {
      if (closedWith) return;
      accepted = true;
      server.setupComplete();
      resolve(liveConnection);
    },
    reject(error) {
      reject(error);
    },
    waitForFrame(match) {
      const found = frames.find((recorded) => match(recorded.frame));
      if (found) return Promise.resolve(found.frame);
      return new Promise((resolveFrame) => frameWaiters.push({ match, resolve: resolveFrame }));
    },
  };
  return server;
}
