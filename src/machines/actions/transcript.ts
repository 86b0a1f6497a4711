/**
 * The conversation so far, as the session keeps it (bounded): what the user and the model said, by
 * their transcriptions and text. A session that cannot be resumed starts afresh, seeded with it.
 */
import { assertEvent } from 'xstate';
import type { ContentTurn } from '../../protocol/messages.js';
import { baseSetup, connectionId } from '../setup.js';
import type { ConnectionCommand, SessionContext, TranscriptLine } from '../types.js';

/** Most lines, and most characters, the transcript keeps; the oldest go first. */
const MAX_LINES = 60;
const MAX_CHARS = 12_000;

/** The transcript with `text` said by `role`: joined to the line being said, or a new line. */
export function said(transcript: readonly TranscriptLine[], role: TranscriptLine['role'], text: string, done: boolean): TranscriptLine[] {
  const last = transcript.at(-1);
  const lines = last && last.role === role && !last.done ? [...transcript.slice(0, -1), { role, text: last.text + text, done }] : [...transcript, { role, text, done }];
  let chars = lines.reduce((sum, line) => sum + line.text.length, 0);
  let start = Math.max(0, lines.length - MAX_LINES);
  for (; start < lines.length - 1 && chars > MAX_CHARS; start += 1) chars -= lines[start]?.text.length ?? 0;
  return lines.slice(start);
}

/** The transcript with a tool call's outcome noted, as a line of its own. */
export function noted(transcript: readonly TranscriptLine[], text: string): TranscriptLine[] {
  return said(transcript, 'tool', text, true);
}

const SPEAKERS: Record<TranscriptLine['role'], string> = { user: 'User', model: 'Assistant', tool: 'Tool' };

/** The turns that seed a fresh session with the conversation so far, in the roles the model takes. */
export function seedTurns(context: SessionContext): ContentTurn[] {
  const lines = context.transcript.filter((line) => line.text.trim() !== '');
  if (lines.length === 0) return [];
  if (context.settings.contentRoles === 'userAndModel') {
    // A tool's outcome is told to the model as the user's content: the roles are user and model.
    return lines.map((line) => ({ role: line.role === 'model' ? 'model' : 'user', parts: [{ text: line.text }] }));
  }
  const story = lines.map((line) => `${SPEAKERS[line.role]}: ${line.text}`).join('\n');
  return [{ role: 'user', parts: [{ text: `The conversation so far, carried over from a session that could not be resumed:\n${story}` }] }];
}

/** The transcript actions, by name. */
export const transcriptActions = {
  recordTranscript: baseSetup.assign(({ context, event }) => {
    assertEvent(event, 'server.content');
    const { content } = event;
    let transcript = context.transcript;
    if (content.inputTranscription) transcript = said(transcript, 'user', content.inputTranscription.text, content.inputTranscription.finished);
    const modelText = content.outputTranscription?.text ?? content.text.join('');
    if (modelText !== '') transcript = said(transcript, 'model', modelText, content.outputTranscription?.finished ?? false);
    const last = transcript.at(-1);
    if (content.turnComplete && last && !last.done) transcript = [...transcript.slice(0, -1), { ...last, done: true }];
    return transcript === context.transcript ? {} : { transcript };
  }),

  /** A fresh session replaces one that could not be resumed: it hears the conversation so far. */
  seedFreshSession: baseSetup.enqueueActions(({ context, enqueue }) => {
    if (context.restartReason === undefined) return;
    const turns = seedTurns(context);
    if (turns.length > 0) {
      enqueue.sendTo(connectionId(context.generation), { type: 'send.clientContent', turns, turnComplete: false } satisfies ConnectionCommand);
    }
    enqueue.emit({ type: 'sessionRestarted', reason: context.restartReason });
    enqueue.assign({
      restartReason: undefined,
      handleIsFresh: turns.length > 0 ? false : context.handleIsFresh,
      counters: { ...context.counters, contentSent: context.counters.contentSent + (turns.length > 0 ? 1 : 0) },
    });
  }),
};
