/**
 * The SDK's sockets, seen from where they are made. `ai.live.connect` hands over its socket only
 * once setup completes (and @google/genai 2.x never settles if it does not), and it parses every
 * frame inside a handler whose rejection nothing can catch. So the transport wraps the client's
 * WebSocket factory: a socket made while one of our connects is calling is claimed by it, so that
 * the connect can close it if setup never completes, and a frame that is not a JSON object is
 * reported to the session instead of reaching the SDK's parser.
 *
 * The factory is `Live`'s `webSocketFactory`, in @google/genai 2.x and 3.x alike, which the SDK
 * does not document. Where it is not found, sockets are not claimed and both protections are off.
 * The Gemini API path makes its socket synchronously inside `connect()`, so a claim is exact;
 * Vertex AI awaits its credentials first, and its sockets are not claimed.
 */

/** The socket the SDK makes: its own wrapper over a WebSocket. */
interface SdkSocket {
  close(): void;
}

interface SdkCallbacks {
  onmessage: (event: { data: unknown }) => void;
  [name: string]: unknown;
}

interface SdkFactory {
  create(url: string, headers: Record<string, string>, callbacks: SdkCallbacks): SdkSocket;
}

/** One connect's claim on the socket the SDK makes for it. */
export interface SocketClaim {
  /** The socket, once made. */
  socket?: SdkSocket;
  /** Told of a server frame that is not a JSON object (it never reaches the SDK). */
  onMalformed(text: string): void;
}

const claimsByLive = new WeakMap<object, SocketClaim[]>();

function isFactory(value: unknown): value is SdkFactory {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'create') === 'function';
}

/** The claims queue of a `live` object, with its factory wrapped the first time. */
function claimsOf(live: object): SocketClaim[] | undefined {
  const known = claimsByLive.get(live);
  if (known) return known;
  const factory: unknown = Reflect.get(live, 'webSocketFactory');
  if (!isFactory(factory)) return undefined;
  const claims: SocketClaim[] = [];
  const wrapper: SdkFactory = Object.create(factory);
  wrapper.create = (url, headers, callbacks) => {
    const claim = claims.shift();
    if (!claim) return factory.create(url, headers, callbacks);
    const socket = factory.create(url, headers, { ...callbacks, onmessage: guardFrames(callbacks.onmessage, claim) });
    claim.socket = socket;
    return socket;
  };
  if (!Reflect.set(live, 'webSocketFactory', wrapper)) return undefined;
  claimsByLive.set(live, claims);
  return claims;
}

/**
 * Runs `connect` (a call of `ai.live.connect`) with `claim` on the socket it makes right away.
 * The claim lapses when `connect` returns: a socket made later is not taken for ours.
 */
export function withClaim<T>(live: object, claim: SocketClaim, connect: () => T): T {
  const claims = claimsOf(live);
  if (!claims) return connect();
  claims.push(claim);
  try {
    return connect();
  } finally {
    const index = claims.indexOf(claim);
    if (index >= 0) claims.splice(index, 1);
  }
}

/** Whether a frame's text is a JSON object, the only thing a Live server sends. */
function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

const decoder = new TextDecoder();

/** The SDK's message handler, fed only frames that are JSON objects, in order. */
function guardFrames(sdkOnMessage: SdkCallbacks['onmessage'], claim: SocketClaim): SdkCallbacks['onmessage'] {
  let pending: Promise<void> = Promise.resolve();
  const pass = (text: string, event: { data: unknown }) => {
    if (isJsonObject(text)) sdkOnMessage(event);
    else claim.onMalformed(text);
  };
  return (event) => {
    const { data } = event;
    if (typeof Blob !== 'undefined' && data instanceof Blob) {
      // A browser hands binary frames over as Blobs, read asynchronously: keep their order.
      pending = pending.then(async () => {
        const text = await data.text();
        pass(text, { data: text });
      }).catch((error: unknown) => claim.onMalformed(`(a frame that could not be read: ${String(error)})`));
      return;
    }
    const text = typeof data === 'string' ? data : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? decoder.decode(data) : String(data);
    pass(text, event);
  };
}
