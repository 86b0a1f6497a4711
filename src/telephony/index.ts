/**
 * `gemini-live-fsm/telephony`: a session on a phone call. The Twilio Media Streams adapter
 * (`connectTwilioCall`) wires a call's WebSocket to a session in one call; the parts it is made
 * of (the μ-law codec and converters, the call player with its marks and clears, the message
 * parser) serve other providers of the same kind.
 *
 * @packageDocumentation
 */
export { connectTwilioCall } from './twilioCall.js';
export type { CallSession, TwilioCall, TwilioCallEnd, TwilioCallOptions, TwilioCallStats } from './twilioCall.js';
export { createCallPlayer } from './callPlayer.js';
export type { CallOutput, CallPlayer, CallPlayerCounts, CallPlayerOptions } from './callPlayer.js';
export {
  CALL_SAMPLE_RATE,
  createInboundConverter,
  createOutboundConverter,
  decodeMulaw,
  encodeMulaw,
  FRAME_BYTES,
  FRAME_MS,
  MULAW_SILENCE,
} from './codec.js';
export type { InboundConverter, OutboundConverter } from './codec.js';
export { isMulaw8k, parseTwilioMessage } from './twilioMessages.js';
export type { MediaFormat, TwilioInbound, TwilioOutbound, TwilioStreamStart } from './twilioMessages.js';
export type { DomStyleSocket, MediaStreamSocket, NodeStyleSocket } from './socket.js';
export { TelephonyError } from '../protocol/errors.js';
export type { TelephonyErrorCode } from '../protocol/errors.js';
