/**
 * The devtools that run in a browser as well as in Node: everything in `gemini-live-fsm/devtools`
 * but the offline inspector's server. Bundlers pick this file through the `browser` condition.
 *
 * @packageDocumentation
 */
export { createStateLogger, stateName } from './stateLogger.js';
export type { StateLoggerOptions } from './stateLogger.js';
export { combineInspectors } from './combine.js';
export type { InspectionObserver } from './combine.js';
export { sanitize, sanitizeContext, sanitizeEvent } from './sanitize.js';
export type { Plain, SanitizeOptions } from './sanitize.js';
export { activeStateIds, allStates, describeChart, transitionIdOf } from './chart.js';
export type { ChartState, ChartTransition } from './chart.js';
export { staysOn, statechartMarkdown, toMermaid } from './mermaid.js';
export { createInspectorModel, describeEvent } from './inspector/model.js';
export type {
  EndingView,
  InputMark,
  InspectorFrame,
  InspectorModel,
  InspectorModelOptions,
  InspectorUpdate,
  InspectorView,
  PendingCallView,
  TimelineEntry,
  TransitionView,
} from './inspector/model.js';
export { describeCounters, describeEnding } from './inspector/words.js';
export { LEDGER_STATES, ledgerView } from './inspector/ledger.js';
export type { LedgerEntryView, LedgerState } from './inspector/ledger.js';
export { chartDiagram, chartIds, transitionId } from './diagram/graph.js';
export { drawDiagram, svgMarkup } from './diagram/svg.js';
export { connectReduxDevTools } from './reduxDevTools.js';
export type {
  Inspectable,
  ReduxDevToolsConnection,
  ReduxDevToolsExtension,
  ReduxDevToolsHandle,
  ReduxDevToolsOptions,
  ReduxDevToolsState,
} from './reduxDevTools.js';
export { ledgerChart, ledgerMermaid } from './ledgerChart.js';
