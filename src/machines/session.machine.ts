/**
 * The session statechart: the specification of a session. Pure: it decides what to send and
 * when, and leaves the doing to its child actors (`connection`, `toolExecutor`, `inputBuffer`,
 * `mic`), which the session provides. docs/architecture.md walks through it.
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
import { behindBuffered, fromCurrent, fromOpen, onEveryInput, whenConnectionLost, whenGatedConnectionLost } from './transitions.js';

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
  entry: 'spawnInputBuffer',
  initial: 'idle',
  on: {
    CLOSE: { target: '.closed', actions: 'recordClientClose' },
    'mic.attach': { actions: 'attachMic' },
    'mic.detach': { actions: 'detachMic' },
    'mic.ended': { actions: 'emitMicEnded' },
    // Every toolCall from an open connection is taken; the state follows from the pending set.
    'server.toolCall': [{ guard: 'isFromOpenConnection', actions: 'acceptToolCall' }, { actions: 'reportLostToolCall' }],
    'server.toolCallCancellation': fromOpen(['cancelCalls', 'answerSettledBatches', 'stopIdleConnections']),
    'tool.result': [
      { guard: 'isAwaitedResult', actions: ['recordAnswer', 'answerSettledBatches', 'stopIdleConnections'] },
      { actions: 'discardToolResult' },
    ],
    'server.content': fromOpen(['emitServerContent']),
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
    ...onEveryInput({ actions: 'dropNotStreaming' }),
  },
  states: {
    idle: {
      initial: 'disconnected',
      states: {
        disconnected: {
          on: { CONNECT: 'connecting' },
        },
        connecting: {
          entry: 'startConnection',
          on: {
            'server.setupComplete': { guard: 'isCurrentGeneration', target: '#session.streaming', actions: 'emitConnected' },
            'transport.closed': whenConnectionLost('reconnecting.backoff'),
          },
        },
        reconnecting: {
          // Always entered at a named child; backoff is the safe place to land otherwise.
          initial: 'backoff',
          on: onEveryInput([{ guard: 'bufferWhileReconnecting', actions: 'bufferReconnectingInput' }, { actions: 'dropNotStreaming' }]),
          states: {
            /**
             * After a goAway: calls pending on the old connection are answered there first;
             * resume with a handle the server issued after that answer, or, once the goAway is
             * due, with the newest one there is.
             */
            awaitingFreshHandle: {
              entry: 'announceGoAwayReconnect',
              always: [
                { guard: 'hasBlockingCallsPending', target: '#session.awaitingToolResponse' },
                { guard: 'handleIsFresh', target: 'opening' },
              ],
              on: {
                'server.resumptionUpdate': [
                  { guard: and(['isCurrentGeneration', 'isResumableUpdate']), target: 'opening', actions: 'storeResumptionHandle' },
                  ...fromCurrent(['storeResumptionHandle']),
                ],
                'goAway.due': { target: 'opening', actions: 'announceStaleHandle' },
                // The old connection reached its deadline first: resume with the newest handle.
                'transport.closed': [
                  { guard: 'isCurrentGeneration', target: 'opening', actions: ['loseConnection', 'announceStaleHandle'] },
                  { actions: ['loseConnection', 'stopIdleConnections'] },
                ],
              },
            },
            /** Waiting before the next attempt after a retryable close. */
            backoff: {
              after: { reconnectBackoff: 'opening' },
            },
            /** The new connection is opening; one a goAway is leaving may still be open. */
            opening: {
              entry: 'startConnection',
              on: {
                'server.setupComplete': {
                  guard: 'isCurrentGeneration',
                  target: '#session.streaming',
                  actions: ['stopIdleConnections', 'emitReconnected'],
                },
                'transport.closed': whenConnectionLost('backoff'),
              },
            },
          },
        },
      },
    },

    streaming: {
      entry: ['openLane', 'flushBuffer'],
      exit: 'shutLane',
      after: { connectionStable: { guard: 'hasFailedAttempts', actions: 'forgiveReconnectAttempts' } },
      always: [
        // The gate: a blocking call pending, whichever open connection it came on.
        { guard: 'hasBlockingCallsPending', target: 'awaitingToolResponse' },
        { guard: 'goAwayAnnounced', target: 'idle.reconnecting.awaitingFreshHandle' },
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
        'buffer.replay': { actions: 'replayInputs' },
        'transport.closed': whenConnectionLost('idle.reconnecting.backoff'),
      },
    },

    awaitingToolResponse: {
      entry: 'closeGate',
      exit: 'accumulateGatedTime',
      always: [
        // A goAway came meanwhile and nothing blocks any more: resume on a new connection.
        {
          guard: and(['goAwayAnnounced', not('hasBlockingCallsPending')]),
          target: 'idle.reconnecting.awaitingFreshHandle',
          actions: ['emitGateOpened', 'giveUpDeferredActivity'],
        },
        { guard: not('hasBlockingCallsPending'), target: 'streaming', actions: ['emitGateOpened', 'sendDeferredActivity'] },
      ],
      on: {
        ...onEveryInput([{ guard: 'bufferWhileGated', actions: 'bufferGatedInput' }, { actions: 'dropGated' }]),
        // Activity signals wait for the gate, in order, so that the bracket is kept (I5): in the
        // buffer behind input already there (from between connections), else held back.
        'input.activityStart': [
          { guard: 'bufferWhileGated', actions: 'bufferGatedInput' },
          { guard: 'holdsBufferedInput', actions: 'bufferBehindBuffered' },
          { guard: 'canDeferActivityStart', actions: 'deferActivity' },
          { actions: 'dropActivityAlreadyOpen' },
        ],
        'input.activityEnd': [
          { guard: 'bufferWhileGated', actions: 'bufferGatedInput' },
          { guard: 'holdsBufferedInput', actions: 'bufferBehindBuffered' },
          { guard: 'canDeferActivityEnd', actions: 'deferActivity' },
          { actions: 'dropNoOpenActivity' },
        ],
        // The goAway's time is nearly up with a call still running: move on, the call stays pending
        // on the old connection until it is answered there or that connection closes.
        'goAway.due': [
          {
            guard: 'handleIsFresh',
            target: 'idle.reconnecting.opening',
            actions: ['emitGateOpened', 'giveUpDeferredActivity', 'announceGoAwayReconnect'],
          },
          {
            target: 'idle.reconnecting.opening',
            actions: ['emitGateOpened', 'giveUpDeferredActivity', 'announceGoAwayReconnect', 'announceStaleHandle'],
          },
        ],
        'transport.closed': whenGatedConnectionLost('idle.reconnecting.backoff'),
      },
    },

    closed: {
      type: 'final',
      entry: ['giveUpDeferredActivityOnClose', 'giveUpBuffered', 'loseRemainingCalls', 'emitClosed'],
    },
  },
});

/** The session machine's type. */
export type SessionMachine = typeof sessionMachine;
