/**
 * The gateway's relay: one client (a browser page, any WebSocket client) wired to one session. The
 * client's binary messages are its microphone (16 kHz PCM16); the model's audio goes back as binary
 * messages (24 kHz PCM16), and what happens as JSON text messages. The session itself is the
 * gateway's: kept in the store under the client's session id.
 */
import type { LiveSession } from '../../src/index.js';

/** What the gateway tells a client, as JSON text messages. */
export type GatewayEvent =
  | { type: 'ready'; sessionId: string; resumed: boolean; rerun: string[]; undelivered: string[] }
  | { type: 'interrupted' }
  | { type: 'turnComplete' }
  | { type: 'transcript'; role: 'user' | 'model'; text: string }
  | { type: 'tool'; name: string; status: 'called' | 'ok' | 'error'; via?: 'toolResponse' | 'context' }
  | { type: 'error'; code: string; reason: string }
  | { type: 'closed'; by: string; reason?: string };

/** What a client tells the gateway in a text message. */
export type ClientMessage = { type: 'hangup' } | { type: 'text'; text: string };

/** A client as the relay sees it. */
export interface RelayClient {
  /** The model's audio, 24 kHz PCM16. */
  sendAudio(pcm: Uint8Array): void;
  sendEvent(event: GatewayEvent): void;
}

/** A client wired to its session. */
export interface Relay {
  readonly session: LiveSession;
  /** A message from the client: binary audio, or a JSON text message. */
  receive(data: Uint8Array | string): void;
  /** Unwires the client (the session is the caller's to close). */
  detach(): void;
  /** Whether the client asked to end the conversation. */
  readonly hungUp: boolean;
}

/** Wires `client` to `session`: the session's events to the client, the client's messages to the session. */
export function relay(session: LiveSession, sessionId: string, client: RelayClient): Relay {
  let hungUp = false;
  let restored: { resumed: boolean; rerun: string[]; undelivered: string[] } = { resumed: false, rerun: [], undelivered: [] };
  const offs = [
    session.on('sessionRestored', ({ resuming, rerun, undelivered }) => {
      restored = { resumed: resuming, rerun: rerun.map((call) => call.name), undelivered: undelivered.map((call) => call.name) };
    }),
    session.on('connected', () => client.sendEvent({ type: 'ready', sessionId, ...restored })),
    session.on('audio', ({ data }) => client.sendAudio(data)),
    session.on('interrupted', () => client.sendEvent({ type: 'interrupted' })),
    session.on('turnComplete', () => client.sendEvent({ type: 'turnComplete' })),
    session.on('inputTranscription', ({ text }) => client.sendEvent({ type: 'transcript', role: 'user', text })),
    session.on('outputTranscription', ({ text }) => client.sendEvent({ type: 'transcript', role: 'model', text })),
    session.on('toolCall', ({ calls }) => {
      for (const call of calls) client.sendEvent({ type: 'tool', name: call.name, status: 'called' });
    }),
    session.on('toolResultDelivered', ({ call, outcome, via }) => client.sendEvent({ type: 'tool', name: call.name, status: outcome.status, via })),
    session.on('error', ({ error }) => client.sendEvent({ type: 'error', code: error.code, reason: error.reason })),
    session.on('closed', ({ closedBy }) => client.sendEvent({ type: 'closed', by: closedBy.by, ...(closedBy.by === 'client' ? {} : { reason: closedBy.error.reason }) })),
  ];
  return {
    session,
    get hungUp() {
      return hungUp;
    },
    receive(data) {
      if (typeof data !== 'string') {
        session.sendAudio(data);
        return;
      }
      let message: ClientMessage | undefined;
      try {
        message = JSON.parse(data) as ClientMessage;
      } catch {
        client.sendEvent({ type: 'error', code: 'BAD_MESSAGE', reason: 'a text message must be JSON' });
        return;
      }
      if (message?.type === 'hangup') hungUp = true;
      else if (message?.type === 'text' && typeof message.text === 'string') session.sendText(message.text);
      else client.sendEvent({ type: 'error', code: 'BAD_MESSAGE', reason: `unknown message ${JSON.stringify(data).slice(0, 80)}` });
    },
    detach() {
      for (const off of offs) off();
    },
  };
}
