/**
 * Inspection helpers. Every session accepts any XState inspection observer through its `inspect`
 * option; these turn the inspection stream into something a person can read: a log, an offline
 * inspector page (Node: it serves the page), the Redux DevTools panel, a Mermaid diagram.
 *
 * @packageDocumentation
 */
export * from './browser.js';
export { startInspector } from './inspector/server.js';
export type { Inspector, InspectorOptions } from './inspector/server.js';
