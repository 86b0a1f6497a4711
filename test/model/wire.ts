/**
 * Frames as the model-based tests compare them: what a server received, reduced to what the spec
 * predicts, and the frame the spec's log says must be there.
 */
import type { LoggedFrame } from './spec.machine.js';

/** The one tool of the model sessions; every call's result is settled by the path. */
export const TOOL_NAME = 'lookup';

/** What a tool call returns or throws, by outcome, and how it reads on the wire. */
export const OUTPUT = (id: string) => ({ call: id });
export const FAILURE = 'tool failed';
export const ERROR_TEXT = `'${TOOL_NAME}' failed: ${FAILURE}`;

/** The text of the application's n-th conversation content (1-based). */
export const contentText = (n: number) => `content ${n}`;

/** A frame as it reached the server (on which connection, 0-based), reduced to what the spec predicts. */
export type WireFrame =
  | { realtimeInput: string; connection: number }
  | { toolResponse: { id: string | undefined; response: unknown; scheduling?: string }[]; connection: number }
  /** The application's conversation content, by its text. */
  | { clientContent: string; connection: number }
  /** Orphaned calls' outcomes, as conversation content: the calls named. */
  | { context: string[]; connection: number }
  /** A fresh session's seed. */
  | { seed: true; connection: number }
  | { contextUpdate: true; connection: number }
  | { unexpected: unknown };

/** The conversation content of a clientContent frame, reduced: the app's text, orphans' outcomes, or a seed. */
export function contentFrame(turns: readonly { parts?: readonly object[] | undefined }[], connection: number): WireFrame {
  const textOf = (part: object) => ('text' in part && typeof part.text === 'string' ? part.text : '');
  const texts = turns.map((turn) => (turn.parts ?? []).map(textOf).join(''));
  if (texts.every((text) => text.startsWith('A tool call made before the connection was lost'))) {
    const ids = texts.map((text) => /\[call ([^\]]+)\]/.exec(text)?.[1] ?? '?');
    return { context: ids.sort(), connection };
  }
  if (texts.length === 1 && texts[0]?.startsWith('The conversation so far')) return { seed: true, connection };
  if (texts.length === 1 && texts[0]?.startsWith('content ')) return { clientContent: texts[0], connection };
  return { unexpected: { turns } };
}

/** How the expected frames are made: how each call's tool settled, the app's content so far, the tool's behaviour. */
export interface Expectation {
  outcomes: ReadonlyMap<string, 'ok' | 'error'>;
  /** App contents expected so far (the next one is this plus one). */
  contents: number;
  nonBlocking: boolean;
}

/** The wire form of a logged spec frame. */
export function expectedFrame(frame: LoggedFrame, expectation: Expectation): WireFrame {
  const { connection } = frame;
  if ('realtimeInput' in frame) return { realtimeInput: frame.realtimeInput, connection };
  if ('clientContent' in frame) return { clientContent: contentText((expectation.contents += 1)), connection };
  if ('context' in frame) return { context: [...frame.context].sort(), connection };
  if ('seed' in frame) return { seed: true, connection };
  if ('contextUpdate' in frame) return { contextUpdate: true, connection };
  return {
    toolResponse: frame.toolResponse.map((id) => ({
      id,
      response: expectation.outcomes.get(id) === 'ok' ? { output: OUTPUT(id) } : { error: ERROR_TEXT },
      ...(expectation.nonBlocking ? { scheduling: 'WHEN_IDLE' } : {}),
    })),
    connection,
  };
}
