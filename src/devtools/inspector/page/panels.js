// @ts-check
/**
 * The inspector page's side panels for one moment of the session: the gate (or, once closed, that
 * the session is closed), the state, what happens to input, the last transition; why a closed
 * session closed and its counters in words; the pending calls with their timers; the tool-call
 * ledger when the machine keeps one; and the raw counters.
 *
 * Elements carry `data-*` attributes (`data-gate`, `data-counter`, `data-key`, `data-ledger-state`)
 * that tests, and curious users, can select on.
 */
import { byId, clock, el, seconds } from './dom.js';

/** @typedef {import('../model.js').InspectorFrame} InspectorFrame */
/** @typedef {import('../ledger.js').LedgerEntryView} LedgerEntryView */
/** @typedef {import('../model.js').PendingCallView} PendingCallView */

const HEADLINES = { open: 'GATE OPEN', closed: 'GATE CLOSED', ended: 'SESSION CLOSED' };

/** @param {Record<string, number>} record */
const total = (record) => Object.values(record).reduce((a, b) => a + b, 0);

/** @param {InspectorFrame} frame */
function drawNow(frame) {
  const gate = byId('gate');
  const waiting = frame.status === 'waiting';
  gate.setAttribute('data-gate', waiting ? 'waiting' : frame.gate);
  gate.textContent = waiting ? 'NO SESSION YET' : HEADLINES[frame.gate];
  gate.setAttribute('data-since', frame.gate === 'closed' && frame.gatedSince !== undefined ? String(frame.gatedSince) : '');
  byId('state').textContent = frame.state ?? '\u2014';
  byId('input').textContent = `realtime input: ${frame.input}`;
  const last = frame.lastTransition;
  byId('last').textContent = last ? `last transition: ${last.from} \u2192 ${last.to} on ${last.event}` : '';
}

/** @param {InspectorFrame} frame */
function drawEnding(frame) {
  const panel = byId('ending-panel');
  panel.hidden = frame.ending === undefined;
  if (!frame.ending) return;
  byId('ending-state').textContent = `Final state: ${frame.state ?? 'closed'}.`;
  byId('ending-reason').textContent = frame.ending.reason;
  const list = byId('ending-summary');
  list.replaceChildren(...frame.ending.summary.map((line) => el('li', '', line)));
}

/** @param {PendingCallView[]} pending */
function drawPending(pending) {
  const list = byId('pending');
  if (pending.length === 0) {
    list.replaceChildren(el('li', 'empty', 'none'));
    return;
  }
  list.replaceChildren(
    ...pending.map((call) => {
      const li = el('li');
      li.setAttribute('data-key', call.key);
      li.setAttribute('data-since', String(call.since));
      li.setAttribute('data-answered', String(call.answered));
      const what = call.answered ? ' answered, waiting for its batch' : ' running';
      li.append(`${call.name}${call.id ? ` [${call.id}]` : ''}${call.blocking ? '' : ' (non-blocking)'}${what}`, el('span', 'timer'));
      return li;
    }),
  );
}

/** @param {LedgerEntryView[] | undefined} ledger */
function drawLedger(ledger) {
  const panel = byId('ledger-panel');
  panel.hidden = ledger === undefined;
  if (!ledger) return;
  const table = byId('ledger');
  const head = el('tr');
  for (const title of ['call', 'state', 'connection', 'started', 'took']) head.append(el('th', '', title));
  const rows = ledger.map((entry) => {
    const tr = el('tr');
    tr.setAttribute('data-key', entry.key);
    tr.setAttribute('data-ledger-state', entry.state);
    const call = el('td', 'call', `${entry.name}${entry.id ? ` [${entry.id}]` : ''}`);
    call.title = JSON.stringify(entry.args);
    const state = el('span', 'chip', entry.state);
    state.setAttribute('data-ledger-state', entry.state);
    const stateCell = el('td');
    stateCell.append(state);
    const took = el('td', entry.endedAt === undefined ? 'timer' : 'took');
    if (entry.endedAt !== undefined) took.textContent = seconds(entry.endedAt - entry.startedAt);
    else took.setAttribute('data-since', String(entry.startedAt));
    tr.append(call, stateCell, el('td', '', `#${entry.generation}`), el('td', '', clock(entry.startedAt)), took);
    return tr;
  });
  table.replaceChildren(head, ...(rows.length > 0 ? rows : [el('tr', 'empty', 'no calls yet')]));
}

/** @param {InspectorFrame['counters']} counters */
function drawCounters(counters) {
  const table = byId('counters');
  if (!counters) {
    const row = el('tr');
    row.append(el('td', 'empty', 'no counters yet'));
    table.replaceChildren(row);
    return;
  }
  table.replaceChildren(
    ...Object.entries(counters).map(([key, value]) => {
      const tr = el('tr');
      const td = el('td');
      if (value !== null && typeof value === 'object') {
        const main = el('span', 'v', String(total(value)));
        main.setAttribute('data-counter', key);
        td.append(main);
        for (const [sub, n] of Object.entries(value)) {
          const part = el('span', 'sub', `${sub} `);
          const number = el('b', '', String(n));
          number.setAttribute('data-counter', `${key}.${sub}`);
          part.append(number);
          td.append(part);
        }
      } else {
        const cell = el('span', 'v', String(value));
        cell.setAttribute('data-counter', key);
        td.append(cell);
      }
      tr.append(el('td', 'k', key), td);
      return tr;
    }),
  );
}

/**
 * Draws every panel for a moment of the session.
 * @param {InspectorFrame} frame
 */
export function drawPanels(frame) {
  document.body.setAttribute('data-state', frame.state ?? '');
  drawNow(frame);
  drawEnding(frame);
  drawPending(frame.pending);
  drawLedger(frame.ledger);
  drawCounters(frame.counters);
}

/**
 * Brings every running timer to `now` (the inspector's clock): pending calls, ledger calls that
 * still run, and how long the gate has been closed.
 * @param {number} now
 */
export function tickTimers(now) {
  document.querySelectorAll('#pending li[data-since], #ledger td[data-since]').forEach((node) => {
    const since = Number(node.getAttribute('data-since'));
    const timer = node.classList.contains('timer') ? node : node.querySelector('.timer');
    if (timer) timer.textContent = seconds(now - since);
  });
  const gated = byId('gate').getAttribute('data-since');
  byId('gated').textContent = gated ? `for ${seconds(now - Number(gated))}` : '';
}
