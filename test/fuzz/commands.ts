/**
 * fast-check commands over a {@link World}: everything the application, the server, the tools
 * and the clock can do. Each command acts, lets the promise chains it started run, and checks
 * I1–I7. Their `toString` is what a shrunk counterexample prints.
 */
import fc from 'fast-check';
import {
  BEHAVIOURS,
  CLOSE_CODES,
  flush,
  INPUT_KINDS,
  NOISE,
  type Behaviour,
  type InputKind,
  type Noise,
  type World,
} from './world.js';

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

/** The application connects. */
export const connect = fc.constant(command('connect', (w) => w.canConnect, (w) => w.connect()));

/** The server completes setup. */
export const accept = fc.constant(command('server.accept', (w) => w.isConnecting, (w) => w.accept()));

/** The server refuses the connection before setup (1006: the connect itself fails). */
export const refuse = fc
  .constantFrom(...CLOSE_CODES)
  .map((code) => command(`server.refuse(${code})`, (w) => w.isConnecting, (w) => w.refuse(code)));

/** The application sends an input; audio and the activity signals, which make the bracket races, more often. */
export const input = fc
  .constantFrom<InputKind>(...INPUT_KINDS, 'audio', 'activityStart', 'activityEnd', 'activityStart', 'activityEnd')
  .map((kind) => command(`app.${kind}`, always, (w) => w.input(kind)));

/** The mic: attached, a frame read from it, ended, failed, or detached. */
export const mic = fc.oneof(
  fc.constant(command('mic.attach', always, (w) => w.attachMic())),
  fc.constant(command('mic.frame', always, (w) => w.micFrame())),
  fc.boolean().map((fails) => command(fails ? 'mic.fail' : 'mic.end', always, (w) => w.endMic(fails))),
  fc.constant(command('mic.detach', always, (w) => w.detachMic())),
);

/**
 * A toolCall of one to three calls (parallel calls), each with its own behaviour, sometimes with
 * an id the server used before (a repeat of a pending id, or the reuse of a finished one).
 */
export const toolCall = fc
  .record({
    behaviours: fc.array(fc.constantFrom<Behaviour>(...BEHAVIOURS), { minLength: 1, maxLength: 3 }),
    repeat: fc.option(fc.nat(7), { nil: undefined, freq: 8 }),
  })
  .map(({ behaviours, repeat }) =>
    command(
      `server.toolCall(${behaviours.join(',')}${repeat === undefined ? '' : `, repeat #${repeat}`})`,
      (w) => w.isConnected,
      (w) => w.toolCall(behaviours, repeat),
    ),
  );

/** A cancellation of ids picked among those issued (pending or not), maybe with a stale one. */
export const cancel = fc
  .record({ picks: fc.array(fc.nat(7), { maxLength: 3 }), stale: fc.boolean() })
  .map(({ picks, stale }) =>
    command(
      `server.cancel(#${picks.join(',#')}${stale ? ', stale' : ''})`,
      (w) => w.isConnected,
      (w) => w.cancel(picks, stale),
    ),
  );

/** A server message that does not touch the gate: content, usage, goAway, a malformed message… */
export const noise = fc
  .constantFrom<Noise>(...NOISE)
  .map((kind) => command(`server.${kind}`, (w) => w.isConnected, (w) => w.noise(kind)));

/**
 * The server closes the connection: retryable (1000, 1006, 1011, 1008 "session not found") and
 * the session reconnects while attempts are left; or fatal (1007, 1008).
 */
export const serverClose = fc.oneof(
  fc.constantFrom(...CLOSE_CODES).map((code) => command(`server.close(${code})`, (w) => w.isConnected, (w) => w.serverClose(code))),
  fc.constant(command('server.close(1008, session not found)', (w) => w.isConnected, (w) => w.serverClose(1008, 'session not found'))),
);

/** The server drops the old connection a goAway announced, while the session is between connections. */
export const oldConnectionClose = fc
  .constantFrom(1000, 1006)
  .map((code) => command(`server.closeOld(${code})`, (w) => w.hasOldConnection, (w) => w.closeOld(code)));

/** One scheduled tool result settles; the scheduler picks which. */
export const release = fc.constant(command('tool.settle', (w) => w.hasScheduled, (w) => w.release()));

/** Fake time passes: hanging tools time out, reconnect backoffs and the fresh-handle wait end. */
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
  { arbitrary: mic, weight: 4 },
  { arbitrary: toolCall, weight: 10 },
  { arbitrary: release, weight: 10 },
  { arbitrary: cancel, weight: 5 },
  { arbitrary: noise, weight: 3 },
  { arbitrary: advance, weight: 4 },
  { arbitrary: connect, weight: 1 },
  { arbitrary: accept, weight: 2 },
  { arbitrary: refuse, weight: 1 },
  { arbitrary: serverClose, weight: 2 },
  { arbitrary: oldConnectionClose, weight: 1 },
  { arbitrary: close, weight: 1 },
);
