/**
 * What the machine's child actors take as input, and the commands it sends them.
 */
import type {
  FunctionCall,
  FunctionResponse,
  RealtimeInput,
} from '../../protocol/messages.js';
import type { ContentTurn, ContextUpdate } from '../../protocol/messages.js';
import type { AudioSource } from './events.js';

/** Input of the connection actor. */
export interface ConnectionInput {
  generation: number;
  resumptionHandle: string | undefined;
}

/** What the machine asks of the connection actor. */
export type ConnectionCommand =
  | { type: 'send.realtimeInput'; input: RealtimeInput }
  | { type: 'send.toolResponse'; responses: FunctionResponse[] }
  | { type: 'send.clientContent'; turns: ContentTurn[]; turnComplete: boolean }
  | { type: 'send.contextUpdate'; update: ContextUpdate };

/** Input of a tool executor: the calls of one toolCall message. */
export interface ToolExecutorInput {
  generation: number;
  batch: number;
  /** Each call, with the idempotency key its tool gets (shared by a call repeated after a reconnect). */
  calls: { key: string; call: FunctionCall; idempotencyKey: string }[];
}

/** What the machine asks of a tool executor. */
export type ToolExecutorCommand = { type: 'cancel'; keys: string[] };

/** What the machine asks of the input buffer. */
export type InputBufferCommand =
  | { type: 'buffer.push'; input: RealtimeInput; maxMs: number }
  | { type: 'buffer.restore'; inputs: RealtimeInput[] }
  | { type: 'buffer.flush' };

/** Input of the mic actor. */
export interface MicInput {
  source: AudioSource;
  maxChunkBytes: number | undefined;
}
