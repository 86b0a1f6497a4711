// @ts-check
/**
 * The inspector page's entry: a WebSocket to the inspector server that served it, the chart, the
 * panels and the timeline. Live, the page shows the session as it is; a click on a timeline line
 * shows it as it was then (time travel over the recorded moments) until "Back to live" or Escape.
 * If the server goes away (the program ended), everything shown stays readable.
 */
import { createChartView } from './chart.js';
import { byId, clock } from './dom.js';
import { drawPanels, tickTimers } from './panels.js';
import { createTimeline } from './timeline.js';

/** @typedef {import('../model.js').InspectorView} InspectorView */
/** @typedef {import('../model.js').InspectorFrame} InspectorFrame */
/** @typedef {import('../model.js').TimelineEntry} TimelineEntry */
/** @typedef {import('./chart.js').ChartView} ChartView */
/**
 * @typedef {{ type: 'init', chart: import('../../chart.js').ChartState, view: InspectorView, timeline: TimelineEntry[], maxEntries: number }
 *   | { type: 'update', view: InspectorView, entries: TimelineEntry[] }} ServerMessage
 */

/** @type {ChartView | undefined} */
let chart;
/** @type {InspectorView | undefined} */
let live;
/** @type {number | undefined} the timeline line shown, or none: live */
let selected;
let offset = 0;
let shownSession = -1;
let maxRows = 500;

/**
 * @param {InspectorView} view
 * @returns {InspectorFrame}
 */
function frameOf(view) {
  const { now: _now, sessionId: _sessionId, session: _session, ...frame } = view;
  return frame;
}

/** @param {InspectorFrame} frame */
function show(frame) {
  drawPanels(frame);
  chart?.show(frame);
}

const timeline = createTimeline({ maxRows: () => maxRows, onSelect: (seq) => travelTo(seq) });

/** @param {number} seq */
function travelTo(seq) {
  const entry = timeline.entry(seq);
  if (!entry?.frame) return;
  selected = seq;
  timeline.select(seq);
  document.body.setAttribute('data-viewing', 'past');
  byId('past').hidden = false;
  byId('past-when').textContent = `Showing the session as it was at ${clock(entry.lastAt)}, right after ${entry.type}${entry.count > 1 ? ` \u00D7${entry.count}` : ''}.`;
  show(entry.frame);
  tickTimers(entry.lastAt);
}

function backToLive() {
  selected = undefined;
  timeline.select(undefined);
  document.body.setAttribute('data-viewing', 'live');
  byId('past').hidden = true;
  if (live) show(frameOf(live));
}

/** @param {InspectorView} view */
function applyView(view) {
  live = view;
  shownSession = view.session;
  offset = Date.now() - view.now;
  document.body.setAttribute('data-status', view.status);
  byId('status').textContent = view.status === 'waiting' ? 'waiting for a session' : `session ${view.sessionId ?? ''}: ${view.status}`;
  if (selected === undefined) show(frameOf(view));
}

/**
 * @param {ServerMessage} data
 * @param {WebSocket} socket
 */
function receive(data, socket) {
  if (data.type === 'init') {
    maxRows = data.maxEntries;
    timeline.clear();
    backToLive();
    chart = createChartView(byId('chart'), data.chart);
    // Tell the server the chart is up: a program may wait for that before it starts.
    void chart.ready.then(() => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ type: 'drawn' })));
    timeline.add(data.timeline);
    applyView(data.view);
    return;
  }
  // Another session: its story starts afresh.
  if (data.view.session !== shownSession) {
    timeline.clear();
    backToLive();
  }
  // A line of an update is the moment of its view (the server leaves the copy out).
  const frame = frameOf(data.view);
  timeline.add(data.entries.map((entry) => ({ ...entry, frame })));
  applyView(data.view);
}

function connect() {
  const conn = byId('conn');
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}/ws`);
  let opened = false;
  socket.onopen = () => {
    opened = true;
    conn.textContent = 'live';
    conn.setAttribute('data-conn', 'live');
  };
  socket.onmessage = (message) => receive(JSON.parse(String(message.data)), socket);
  socket.onclose = () => {
    // What is shown stays: the session's story does not vanish with the program that ran it.
    if (opened || conn.getAttribute('data-conn') === 'live') {
      conn.textContent = 'inspector stopped: showing what it sent (reconnecting)';
      conn.setAttribute('data-conn', 'down');
    }
    setTimeout(connect, 1000);
  };
}

byId('live').addEventListener('click', backToLive);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') backToLive();
});
byId('zoom').addEventListener('click', () => {
  const wrap = byId('chart');
  const actual = wrap.classList.toggle('actual');
  byId('zoom').textContent = actual ? 'Fit to width' : 'Actual size';
});
setInterval(() => {
  const entry = selected === undefined ? undefined : timeline.entry(selected);
  tickTimers(entry ? entry.lastAt : Date.now() - offset);
}, 100);
connect();
