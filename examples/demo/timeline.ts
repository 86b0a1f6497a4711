/**
 * A readable live timeline of a session: state changes, the gate, frames forwarded and dropped
 * (summed up, not one line per 20 ms frame), tool calls and their answers, and model output.
 */
import type { InspectionEvent } from 'xstate';
import type { LiveSession } from '../../src/index.js';
import { stateName } from '../../src/devtools/index.js';

const useColour = process.stdout.isTTY && !process.env['NO_COLOR'];
const paint = (code: number) => (text: string) => (useColour ? `\x1b[${code}m${text}\x1b[0m` : text);
export const colour = { dim: paint(2), red: paint(31), green: paint(32), yellow: paint(33), blue: paint(34), cyan: paint(36), bold: paint(1) };

/** Prints lines stamped with the seconds since the timeline started. */
export function createTimeline() {
  const start = Date.now();
  return (label: string, text: string) => {
    const seconds = ((Date.now() - start) / 1000).toFixed(3).padStart(7);
    console.log(`${colour.dim(seconds + 's')}  ${label.padEnd(10)} ${text}`);
  };
}

export type Timeline = ReturnType<typeof createTimeline>;

/** An inspection observer that prints the session machine's state changes. */
export function stateChanges(print: Timeline) {
  let previous: string | undefined;
  return (event: InspectionEvent) => {
    if (event.type !== '@xstate.snapshot' || event.actorRef.sessionId !== event.rootId) return;
    const value = (event.snapshot as { value?: unknown }).value;
    if (value === undefined) return;
    const current = stateName(value);
    if (current === previous) return;
    print('state', `${colour.bold(previous ?? '(start)')} → ${colour.bold(current)}  ${colour.dim(`on ${event.event.type}`)}`);
    previous = current;
  };
}

/**
 * Prints what the session emits, summing up frame traffic per second and per gated stretch.
 * `asyncTools`: the tools that run NON_BLOCKING on the session's model, marked so on their calls.
 */
export function followSession(session: LiveSession, print: Timeline, options: { asyncTools?: readonly string[] } = {}) {
  let droppedWhileGated = 0;
  let modelAudioMs = 0;
  let modelAudioReported = 0;
  let forwardedReported = 0;

  const reportForwarded = () => {
    const forwarded = session.metrics().forwarded.audio;
    if (forwarded > forwardedReported) {
      print('mic', colour.green(`→ ${forwarded - forwardedReported} audio frames forwarded (total ${forwarded})`));
      forwardedReported = forwarded;
    }
  };
  const reportModelAudio = () => {
    if (modelAudioMs > modelAudioReported) {
      print('model', colour.blue(`🔊 ${modelAudioMs - modelAudioReported} ms of audio`));
      modelAudioReported = modelAudioMs;
    }
  };
  const ticker = setInterval(reportForwarded, 1000);

  session.on('connected', () => print('session', 'connected, setup complete'));
  session.on('audio', ({ data }) => (modelAudioMs += data.length / 48));
  session.on('inputTranscription', ({ text }) => print('user', colour.cyan(`“${text}”`)));
  session.on('outputTranscription', ({ text }) => {
    reportModelAudio();
    print('model', colour.blue(`“${text}”`));
  });
  session.on('turnComplete', () => {
    reportModelAudio();
    print('model', 'turn complete');
  });
  session.on('toolCall', ({ calls }) => {
    reportForwarded();
    for (const call of calls) {
      const async = options.asyncTools?.includes(call.name) ? ' NON_BLOCKING: runs while the mic streams' : '';
      print('toolCall', colour.yellow(`${call.name}(${JSON.stringify(call.args)}) [${call.id ?? 'no id'}]${async}`));
    }
  });
  session.on('gate', ({ state, pending }) => {
    if (state === 'closed') {
      droppedWhileGated = 0;
      print('gate', colour.red(`CLOSED: waiting on ${pending.join(', ')}; realtime input is dropped`));
    } else {
      print('gate', colour.green(`OPENED: ${droppedWhileGated} mic frames dropped while closed, none sent`));
    }
  });
  session.on('inputDropped', ({ reason }) => {
    if (reason === 'gated') droppedWhileGated += 1;
  });
  session.on('toolResult', ({ call, outcome }) => {
    const text =
      outcome.status === 'ok'
        ? colour.green(`${call.name} → ${JSON.stringify(outcome.output)}`)
        : colour.red(`${call.name} → error response (${outcome.error.code}: ${outcome.error.reason})`);
    print('toolResult', text);
  });
  session.on('error', ({ error }) => print('error', colour.red(`${error.code}: ${error.reason}`)));
  session.on('info', ({ code, message }) => print('info', colour.yellow(`${code}: ${message}`)));
  session.on('closed', ({ closedBy }) => {
    clearInterval(ticker);
    reportForwarded();
    print('session', closedBy.by === 'client' ? 'closed by the app' : colour.red(`closed: ${closedBy.error.reason}`));
  });
  return { stop: () => clearInterval(ticker), modelAudioMs: () => modelAudioMs };
}
