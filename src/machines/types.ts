/**
 * The statechart's vocabulary: its context, the events it accepts (grouped by producer), the
 * events it emits to the application, and the messages it sends its child actors.
 */
export * from './types/context.js';
export * from './types/events.js';
export * from './types/emitted.js';
export * from './types/children.js';
