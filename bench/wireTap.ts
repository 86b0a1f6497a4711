/**
 * Sees every frame a client hands to its WebSocket. The SDK sends through the `ws` package, so a
 * wrapper around `WebSocket.prototype.send` is the last step before the socket: this is "the
 * wire" of the bench's input-to-wire latency.
 */
import { WebSocket } from 'ws';

/** What a client frame is, from its first bytes. */
export type WireKind = 'realtimeInput' | 'toolResponse' | 'other';

/** Called for every frame, synchronously, just before `ws.send` runs. */
export type WireListener = (socket: WebSocket, kind: WireKind) => void;

function kindOf(data: unknown): WireKind {
  if (typeof data !== 'string') return 'other';
  if (data.startsWith('{"realtimeInput"')) return 'realtimeInput';
  if (data.startsWith('{"toolResponse"')) return 'toolResponse';
  return 'other';
}

/** Installs `listener` on every WebSocket of the process; returns the function that removes it. */
export function tapWire(listener: WireListener): () => void {
  const original = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'send');
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function tapped(this: WebSocket, ...args: Parameters<WebSocket['send']>) {
    listener(this, kindOf(args[0]));
    return send.apply(this, args);
  } as WebSocket['send'];
  return () => {
    if (original) Object.defineProperty(WebSocket.prototype, 'send', original);
  };
}
