/**
 * How a tool call settled: the one type the ledger and the events share (its own module, so that
 * neither has to import the other).
 */
import type { ToolError } from '../../protocol/errors.js';
import type { JsonValue } from '../../protocol/messages.js';

/** How a tool call settled. */
export type ToolOutcome = { status: 'ok'; output: JsonValue } | { status: 'error'; error: ToolError };
