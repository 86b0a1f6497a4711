/**
 * The session statechart: the specification of a session. Pure: it decides what to send and
 * when, and leaves the doing to its child actors (`connection`, `toolExecutor`, `inputBuffer`,
 * `mic`, `activity`), which the session provides. docs/architecture.md walks through it.
 *
 * Only `streaming` forwards realtime input, and `streaming` never holds while a blocking call is
 * pending: the moment one is, the machine is in `awaitingToolResponse`, where every realtime input
 * is an explicit, counted drop (or buffered, or, for an activity signal, deferred). Between
 * connections (`idle.reconnecting`) input is buffered or dropped by its own policy. Every toolCall
 * from a connection still open is taken, and answered on that connection.
 */
import { and, not } from 'xstate';
import { actions } from './actions/index.js';
import { initialContext } from './context.js';
import { delays } from './delays.js';
import { guards } from './guards.js';
import { baseSetup } from './setup.js';
import {
  behindBuffered,
  fromCurrent,
  fromOpen,
  leaveGatedOnGoAwayDue,
  leaveOnGoAwayDue,
  onEveryInput,
  resultOf,
  whenConnectionLost,
  whenGatedConnectionLost,
} from './transitions.js';

/**
 * The session statechart.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * const machine = sessionMachine.provide({ actors: { connection, toolExecutor, inputBuffer, mic } });
 * const actor = createActor(machine, { input: { maxReconnectAttempts: 5 } });
 * actor.start();
 * actor.send({ type: 'CONNECT' });
 * ```
 */
export const sessionMachine = baseSetup.extend({ actions, guards, delays }).createMachine({
  id: 'session',
  context: ({ input }) => initialContext(input),
  entry: ['spawnInputBuffer', 'spawnActivity'],
  initial: 'idle',
  on: {
    CLOSE: { target: '.closed', actions: 'recordClientClose' },
    // Another process owns the session now (its store fenced this one): stop sending at once.
    'session.takenOver': { target: '.closed', actions: 'recordTakeover' },
    'mic.attach': { actions: 'attachMic' },
    'mic.detach': { actions: 'detachMic' },
    'mic.ended': { actions: 'emitMicEnded' },
    // Every toolCall from an open connection is taken; the state follows from the pending set.
    'server.toolCall': [
      { guard: 'isFromOpenConnection', actions: ['acceptToolCall', 'answerSettledBatches'] },
      { actions: 'reportLostToolCall' },
    ],
    'server.toolCallCancellation': fromOpen(['cancelCalls', 'answerSettledBatches', 'stopIdleConnections']),
    'tool.result': resultOf([]),
    'server.content': fromOpen(['emitServerContent', 'trackModelActivity', 'recordTranscript']),
    'server.usage': fromOpen(['emitUsage']),
    'server.goAway': fromCurrent(['recordGoAway']),
    'server.resumptionUpdate': fromCurrent(['storeResumptionHandle']),
    'server.malformed': fromOpen(['reportError']),
    'transport.error': fromOpen(['reportError']),
    'transport.sendFailed': { actions: ['recountFailedSend', 'reportError'] },
    'transport.closed': [
      { guard: 'isCurrentGeneration', target: '.closed', actions: ['recordServerClose', 'reportError'] },
      { actions: ['loseConnection', 'stopIdleConnections'] },
    ],
    // Nothing to do outside the states that expect them, but handled, so nothing is silently unhandled.
    'server.setupComplete': { actions: 'ignoreStaleEvent' },
    'goAway.due': { actions: 'ignoreStaleEvent' },
    'tool.executorIdle': { actions: 'stopIdleExecutor' },
    'buffer.replay': { actions: 'restoreBuffer' },
    'buffer.evicted': { actions: 'countEvicted' },
    // A child actor that fails is recovered from, never a silent death of the session.
    'xstate.error.actor.*': { actions: 'recoverFromChildFailure' },
    'tools.update': { actions: 'updateTools' },
    ...onEveryInput({ actions: 'dropNotStreaming' }),
    // Conversation content waits until it can be sent (between connections, or gated).
    'input.clientContent': { actions: 'holdContent' },
    // The activity actor (the `activity` option; actions/speech.ts). Its start and end are input
    // like the app's; its pre-roll is audio input, right behind that start, in whatever state.
    'activity.preRoll': { actions: 'sendPreRoll' },
    'activity.speech': { actions: 'trackSpeech' },
    'activity.error': { actions: 'reportError' },
  },
  states: {
    idle: {
      initial: 'disconnected',
      states: {
        disconnected: {
          on: {
            CONNECT: 'connecting',
            // What another process left of this session (a store's record), before the first connection.
            'session.restore': { actions: 'restoreSession' },
          },
        },
        connecting: {
          entry: 'startConnection',
          on: {
            // A restored conversation whose handle was too old is seeded into the fresh session.
            'server.setupComplete': { guard: 'isCurrentGeneration', target: '#session.streaming', actions: ['emitConnected', 'seedFreshSession'] },
            'transport.closed': whenConnectionLost('reconnecting.backoff'),
          },
        },
        reconnecting: {
          // Always entered at a named child; backoff is the safe place to land otherwise.
          initial: 'backoff',
          on: onEveryInput([{ guard: 'bufferWhileReconnecting', actions: 'bufferReconnectingInput' }, { actions: 'dropNotStreaming' }]),
          states: {
            /** Waiting before the next attempt after a retryable close. */
            backoff: {
              after: { reconnectBackoff: 'opening' },
            },
            /**
             * The new connection is opening. After a goAway the old one is closed first (or, on a
             * profile that resumes while it is open, left open while calls made on it are answered).
             */
            opening: {
              entry: ['leaveCurrentConnection', 'startConnection'],
              on: {
                'server.setupComplete': {
                  guard: 'isCurrentGeneration',
                  target: '#session.streaming',
                  actions: ['stopIdleConnections', 'emitReconnected', 'seedFreshSession'],
                },
                'transport.closed': whenConnectionLost('backoff'),
              },
            },
          },
        },
      },
    },

    streaming: {
      // `reconcileActivity` first: the wire's bracket follows the user's speech (actions/speech.ts).
      entry: ['openLane', 'reconcileActivity', 'flushBuffer', 'sendHeldContent', 'deliverOrphanedResults', 'pruneLedger'],
      exit: 'shutLane',
      after: { connectionStable: { guard: 'hasFailedAttempts', actions: 'forgiveReconnectAttempts' } },
      always: [
        // The gate: a blocking call pending, whichever open connection it came on.
        { guard: 'hasBlockingCallsPending', target: 'awaitingToolResponse' },
        // After a goAway, resume at a turn boundary: nothing lost on the way.
        { guard: and(['goAwayAnnounced', 'atTurnBoundary']), target: 'idle.reconnecting.opening', actions: 'announceGoAwayReconnect' },
      ],
      on: {
        // Input handed over within the step that resumed streaming (by a listener, or a tool)
        // comes before the buffer's replay: it goes behind the buffered input, in order. Never
        // at rest, where the replay is done: the fast lane takes the plain forward.
        'input.audio': [behindBuffered, { actions: ['forwardInput', 'countForwarded'] }],
        'input.video': [behindBuffered, { actions: ['forwardInput', 'countForwarded'] }],
        'input.text': [behindBuffered, { actions: ['forwardInput', 'countForwarded'] }],
        'input.audioStreamEnd': [behindBuffered, { actions: ['forwardInput', 'countForwarded'] }],
        'input.activityStart': [
          behindBuffered,
          { guard: 'hasOpenActivity', actions: 'dropActivityAlreadyOpen' },
          { actions: ['forwardInput', 'countForwarded', 'openActivity'] },
        ],
        'input.activityEnd': [
          behindBuffered,
          { guard: 'hasOpenActivity', actions: ['forwardInput', 'countForwarded', 'closeActivity'] },
          { actions: 'dropNoOpenActivity' },
        ],
        'input.clientContent': { actions: 'forwardContent' },
        'buffer.replay': { actions: 'replayInputs' },
        // An orphaned call's outcome, on a connection that streams: it reaches the conversation now.
        'tool.result': resultOf(['deliverOrphanedResults']),
        // No turn boundary came in time: resume before the deadline all the same.
        'goAway.due': leaveOnGoAwayDue(),
        'transport.closed': whenConnectionLost('idle.reconnecting.backoff'),
      },
    },

    awaitingToolResponse: {
      entry: 'closeGate',
      exit: 'accumulateGatedTime',
      always: { guard: not('hasBlockingCallsPending'), target: 'streaming', actions: ['emitGateOpened', 'sendDeferredActivity'] },
      on: {
        // Under 'interrupt', input cancels the blocking calls and goes round again, through the
        // open gate; under 'gate' it is held, so the calls complete.
        ...onEveryInput([
          { guard: 'interruptsBlockingCalls', actions: ['cancelBlockingCallsImplicitly', 'reraiseInput'] },
          { guard: 'bufferWhileGated', actions: 'bufferGatedInput' },
          { actions: 'dropGated' },
        ]),
        // Activity signals wait for the gate, in order, so that the bracket is kept (I5): in the
        // buffer behind input already there (from between connections), else held back.
        'input.activityStart': [
          { guard: 'interruptsBlockingCalls', actions: ['cancelBlockingCallsImplicitly', 'reraiseInput'] },
          { guard: 'bufferWhileGated', actions: 'bufferGatedInput' },
          { guard: 'holdsBufferedInput', actions: 'bufferBehindBuffered' },
          { guard: 'canDeferActivityStart', actions: 'deferActivity' },
          { actions: 'dropActivityAlreadyOpen' },
        ],
        'input.activityEnd': [
          { guard: 'interruptsBlockingCalls', actions: ['cancelBlockingCallsImplicitly', 'reraiseInput'] },
          { guard: 'bufferWhileGated', actions: 'bufferGatedInput' },
          { guard: 'holdsBufferedInput', actions: 'bufferBehindBuffered' },
          { guard: 'canDeferActivityEnd', actions: 'deferActivity' },
          { actions: 'dropNoOpenActivity' },
        ],
        // Content interrupts only when it ends the user's turn; other content waits for the answer.
        'input.clientContent': [
          { guard: 'contentInterruptsBlockingCalls', actions: ['cancelBlockingCallsImplicitly', 'reraiseInput'] },
          { actions: 'holdContent' },
        ],
        // The goAway's time is nearly up with a call still running: move on; the call is answered on
        // the old connection if it stays open, or reaches the conversation later (the ledger).
        'goAway.due': leaveGatedOnGoAwayDue(),
        'transport.closed': whenGatedConnectionLost('idle.reconnecting.backoff'),
      },
    },

    closed: {
      type: 'final',
      entry: ['giveUpDeferredActivityOnClose', 'giveUpBuffered', 'dropHeldContent', 'loseRemainingCalls', 'emitClosed'],
    },
  },
});

/** The session machine's type. */
export type SessionMachine = typeof sessionMachine;
