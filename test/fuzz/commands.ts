/**
 * fast-check commands over a {@link World}: everything the application, the server (on the newest
 * connection, and on the old one a goAway left), the tools and the clock can do, bad input and
 * junk included. Each command acts, lets the promise chains it started run, and checks I1–I7.
 * Their `toString` is what a shrunk counterexample prints.
 */
import fc from 'fast-check';
import { BAD_INPUTS, BAD_MICS, type BadInput, type BadMic } from './inputs.js';
import { flush } from './process.js';
import { BEHAVIOURS, type Behaviour } from './tools.js';
import { ALL_NOISE, CLOSES, type Noise, type Side } from './server.js';
import type { World } from './world.js';
import { CONNECT_TIMEOUT_MS, INPUT_KINDS, type InputKind } from './worldOptions.js';

type WorldCommand = fc.AsyncCommand<World, World>;

/** A command from a check, an action and a name. */
function command(name: string, check: (world: World) => boolean, act: (world: World) => void | Promise<void>): WorldCommand {
  return {
    check,
    async run(_model, world) {
      await act(world);
      await flush();
      world.check();
    },
    toString: () => name,
  };
}

const always = () => true;

/** Whether the server can speak on a side: the newest connection is set up, or an old one is open. */
const canSpeak = (side: Side) => (w: World) => w.server.canSpeak(side);

/** The application connects. */
export const connect = fc.constant(command('connect', (w) => w.canConnect, (w) => w.connect()));

/** The server completes setup. */
export const accept = fc.constant(command('server.accept', (w) => w.server.isConnecting, (w) => w.server.accept()));

/** The server refuses the connection before setup (1006: the connect itself fails; 1007: a resume refused). */
export const refuse = fc
  .constantFrom(...CLOSES)
  .map(([code, reason]) => command(`server.refuse(${code} ${reason})`, (w) => w.server.isConnecting, (w) => w.server.refuse(code, reason)));

/** The server never completes setup: the connect timeout passes. */
export const setupNeverCompletes = fc.constant(
  command('server.neverCompletesSetup', (w) => w.server.isConnecting, (w) => w.advance(CONNECT_TIMEOUT_MS)),
);

/** The application sends an input; audio and the activity signals, which make the bracket races, more often. */
export const input = fc
  .constantFrom<InputKind>(...INPUT_KINDS, 'audio', 'activityStart', 'activityEnd', 'activityStart', 'activityEnd')
  .map((kind) => command(`app.${kind}`, always, (w) => w.input(kind)));

/** The application sends conversation content, or replaces the tools (the `work` tool BLOCKING or NON_BLOCKING). */
export const content = fc.oneof(
  fc.constant(command('app.clientContent', always, (w) => w.clientContent())),
  fc
    .constantFrom<'BLOCKING' | 'NON_BLOCKING'>('BLOCKING', 'NON_BLOCKING')
    .map((behavior) => command(`app.updateTools(${behavior})`, always, (w) => w.updateTools(behavior))),
);

/** The application hands over a value that is no input of its kind, or attaches a mic that is no mic. */
export const badInput = fc.oneof(
  fc.constantFrom(...(Object.keys(BAD_INPUTS) as BadInput[])).map((name) => command(`app.bad(${name})`, always, (w) => w.badInput(name))),
  fc.constantFrom(...(Object.keys(BAD_MICS) as BadMic[])).map((name) => command(`app.badMic(${name})`, always, (w) => w.badMic(name))),
);

/** The mic: attached, a frame read from it, ended, failed, or detached. */
export const mic = fc.oneof(
  fc.constant(command('mic.attach', always, (w) => w.attachMic())),
  fc.constant(command('mic.frame', always, (w) => w.micFrame())),
  fc.boolean().map((fails) => command(fails ? 'mic.fail' : 'mic.end', always, (w) => w.endMic(fails))),
  fc.constant(command('mic.detach', always, (w) => w.detachMic())),
);

const behaviours = fc.array(fc.constantFrom<Behaviour>(...BEHAVIOURS), { minLength: 1, maxLength: 3 });

/**
 * A toolCall of one to three calls (parallel calls), each with its own behaviour, sometimes with
 * an id the server used before (a repeat of a pending id, or the reuse of a finished one), with
 * the same call as one made before (`again`: same function and arguments, a new id, as a model
 * calls again after a reconnect), or with junk beside the calls; from the newest connection, or
 * from the old one a goAway left.
 */
export const toolCall = fc
  .record({
    behaviours,
    repeat: fc.option(fc.nat(7), { nil: undefined, freq: 8 }),
    again: fc.option(fc.nat(7), { nil: undefined, freq: 3 }),
    side: fc.constantFrom<Side>('newest', 'newest', 'old'),
    junk: fc.boolean(),
  })
  .map(({ behaviours: kinds, repeat, again, side, junk }) =>
    command(
      `server${side === 'old' ? '.old' : ''}.toolCall(${kinds.join(',')}${repeat === undefined ? '' : `, repeat #${repeat}`}${again === undefined ? '' : `, again #${again}`}${junk ? ', junk' : ''})`,
      canSpeak(side),
      (w) => w.server.toolCall(kinds, { repeat, again, side, junk }),
    ),
  );

/** A toolCall sent before setup completes: the session must hear it once it does. */
export const earlyToolCall = behaviours.map((kinds) =>
  command(`server.toolCallBeforeSetup(${kinds.join(',')})`, (w) => w.canCallBeforeSetup, (w) => w.server.toolCall(kinds)),
);

/** A cancellation of ids picked among those issued (pending or not), maybe with a stale one. */
export const cancel = fc
  .record({ picks: fc.array(fc.nat(7), { maxLength: 3 }), stale: fc.boolean(), side: fc.constantFrom<Side>('newest', 'newest', 'old') })
  .map(({ picks, stale, side }) =>
    command(
      `server${side === 'old' ? '.old' : ''}.cancel(#${picks.join(',#')}${stale ? ', stale' : ''})`,
      canSpeak(side),
      (w) => w.server.cancel(picks, stale, side),
    ),
  );

/** A server message that does not touch the gate (content, usage, goAway, a malformed message…), or junk. */
export const noise = fc
  .record({ kind: fc.constantFrom<Noise>(...ALL_NOISE), side: fc.constantFrom<Side>('newest', 'newest', 'old') })
  .map(({ kind, side }) => command(`server${side === 'old' ? '.old' : ''}.${kind}`, canSpeak(side), (w) => w.server.noise(kind, side)));

/**
 * The server closes the connection: retryable (1000, 1006, 1011 internal, 1011 deadline expired,
 * 1008 "session not found") and the session reconnects while attempts are left; or fatal (1007,
 * 1008), unless the connection resumed a session just now (a loop: a fresh session is started).
 */
export const serverClose = fc
  .constantFrom(...CLOSES)
  .map(([code, reason]) => command(`server.close(${code} ${reason})`, (w) => w.server.isConnected, (w) => w.server.close(code, reason)));

/** The server drops the old connection a goAway announced (its deadline came). */
export const oldConnectionClose = fc
  .constantFrom(1000, 1006)
  .map((code) => command(`server.closeOld(${code})`, (w) => w.server.hasOldConnection, (w) => w.server.close(code, 'deadline', 'old')));

/** One scheduled tool result settles; the scheduler picks which. */
export const release = fc.constant(command('tool.settle', (w) => w.hasScheduled, (w) => w.release()));

/** Fake time passes: hanging tools time out, reconnect backoffs end, a goAway comes due. */
export const advance = fc
  .integer({ min: 1, max: 1_600 })
  .map((ms) => command(`clock.advance(${ms})`, always, (w) => w.advance(ms)));

/** The application closes the session. */
export const close = fc.constant(command('app.close', always, (w) => w.close()));

/**
 * Any command, weighted towards the ones that make races; the ones that end the session are rare
 * enough that most runs live long with calls pending.
 */
export const anyCommand = fc.oneof(
  { arbitrary: input, weight: 10 },
  { arbitrary: badInput, weight: 2 },
  { arbitrary: content, weight: 2 },
  { arbitrary: mic, weight: 4 },
  { arbitrary: toolCall, weight: 10 },
  { arbitrary: earlyToolCall, weight: 1 },
  { arbitrary: release, weight: 10 },
  { arbitrary: cancel, weight: 5 },
  { arbitrary: noise, weight: 4 },
  { arbitrary: advance, weight: 4 },
  { arbitrary: connect, weight: 1 },
  { arbitrary: accept, weight: 2 },
  { arbitrary: refuse, weight: 1 },
  { arbitrary: setupNeverCompletes, weight: 1 },
  { arbitrary: serverClose, weight: 2 },
  { arbitrary: oldConnectionClose, weight: 1 },
  { arbitrary: close, weight: 1 },
);
