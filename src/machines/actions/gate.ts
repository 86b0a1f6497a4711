/**
 * The gate as the application sees it: `gate` events when it closes and reopens, and the time
 * spent gated.
 */
import { baseSetup } from '../setup.js';

/** The gate actions, by name. */
export const gateActions = {
  closeGate: baseSetup.enqueueActions(({ context, enqueue }) => {
    enqueue.assign({ gatedSince: context.clock.now() });
    enqueue.emit({
      type: 'gate',
      state: 'closed',
      pending: Object.values(context.pending)
        .filter((call) => call.blocking)
        .map((call) => call.key),
    });
  }),

  emitGateOpened: baseSetup.emit({ type: 'gate', state: 'opened', pending: [] }),

  accumulateGatedTime: baseSetup.assign(({ context }) => ({
    gatedSince: undefined,
    counters: {
      ...context.counters,
      gatedMs: context.counters.gatedMs + (context.gatedSince === undefined ? 0 : context.clock.now() - context.gatedSince),
    },
  })),
};
