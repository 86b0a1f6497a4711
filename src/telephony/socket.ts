/**
 * The one thing the telephony adapter needs of a WebSocket: send text, hear text, hear it close.
 * Both shapes are taken: Node's `ws` (`on('message', …)`) and the browser's or undici's
 * (`addEventListener('message', …)`), so a gateway mounts the adapter on whatever server it has.
 */

/** A WebSocket in the style of the `ws` package. */
export interface NodeStyleSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** A WebSocket in the style of the browser's (and undici's). */
export interface DomStyleSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  removeEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
}

/** Any WebSocket the adapter can run on. */
export type MediaStreamSocket = NodeStyleSocket | DomStyleSocket;

const decoder = new TextDecoder();

/** The text of a message, whatever the socket handed over; `undefined` for something that is not text. */
function textOf(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return decoder.decode(data);
  if (data instanceof ArrayBuffer) return decoder.decode(new Uint8Array(data));
  if (Array.isArray(data) && data.every((part) => part instanceof Uint8Array)) {
    return data.map((part: Uint8Array) => decoder.decode(part, { stream: true })).join('') + decoder.decode();
  }
  return undefined;
}

/**
 * Listens to `socket`: `onText` for each message (`undefined` for one that is not text), `onClose`
 * once it closes. Returns the function that stops listening.
 */
export function listen(socket: MediaStreamSocket, onText: (text: string | undefined, raw: unknown) => void, onClose: () => void): () => void {
  if ('on' in socket && typeof socket.on === 'function') {
    const message = (...args: unknown[]) => onText(textOf(args[0]), args[0]);
    const close = () => onClose();
    socket.on('message', message);
    socket.on('close', close);
    return () => {
      socket.off?.('message', message);
      socket.off?.('close', close);
    };
  }
  const dom = socket as DomStyleSocket;
  const message = (event: { data?: unknown }) => onText(textOf(event.data), event.data);
  const close = () => onClose();
  dom.addEventListener('message', message);
  dom.addEventListener('close', close);
  return () => {
    dom.removeEventListener('message', message);
    dom.removeEventListener('close', close);
  };
}
