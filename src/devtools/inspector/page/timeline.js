// @ts-check
/**
 * The inspector page's timeline: every event the machine took, newest first, runs of alike events
 * folded into one line. Each line keeps the session as it was right after its event; clicking a
 * line (or pressing Enter on it) shows that moment on the chart and the panels.
 */
import { byId, clock, el } from './dom.js';

/** @typedef {import('../model.js').TimelineEntry} TimelineEntry */

/**
 * @typedef {object} TimelineView
 * @property {(entries: TimelineEntry[]) => void} add adds lines, or updates those with the same seq
 * @property {() => void} clear
 * @property {(seq: number) => TimelineEntry | undefined} entry
 * @property {(seq: number | undefined) => void} select marks the line shown (none: live)
 */

/**
 * @param {TimelineEntry} entry
 * @returns {(HTMLElement | string)[]}
 */
function lineParts(entry) {
  /** @type {(HTMLElement | string)[]} */
  const parts = [el('span', 't', clock(entry.lastAt)), el('span', 'e', entry.type)];
  if (entry.count > 1) parts.push(el('span', 'n', ` \u00D7${entry.count}`));
  if (entry.mark) {
    const mark = el('span', 'mark', entry.mark + (entry.reason ? ` (${entry.reason})` : ''));
    mark.setAttribute('data-mark', entry.mark);
    parts.push(mark);
  }
  if (entry.to) parts.push(el('span', 'tr', `${entry.from} \u2192 ${entry.to}`));
  if (entry.detail) parts.push(el('span', 'd', entry.detail));
  return parts;
}

/**
 * The timeline, drawn into `#timeline`.
 * @param {{ maxRows: () => number, onSelect: (seq: number) => void }} options
 * @returns {TimelineView}
 */
export function createTimeline(options) {
  const list = byId('timeline');
  /** @type {Map<number, { entry: TimelineEntry, li: HTMLElement }>} */
  const lines = new Map();

  /** @param {TimelineEntry} entry */
  const fill = (entry) => {
    const known = lines.get(entry.seq);
    const li = known?.li ?? el('li');
    if (!known) {
      li.setAttribute('data-seq', String(entry.seq));
      li.tabIndex = 0;
      li.addEventListener('click', () => options.onSelect(entry.seq));
      li.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') options.onSelect(entry.seq);
      });
      list.insertBefore(li, list.firstChild);
    }
    li.setAttribute('data-type', entry.type);
    li.setAttribute('data-count', String(entry.count));
    if (entry.mark) li.setAttribute('data-mark', entry.mark);
    if (entry.to) li.setAttribute('data-to', entry.to);
    li.replaceChildren(...lineParts(entry));
    lines.set(entry.seq, { entry, li });
  };

  return {
    add(entries) {
      entries.forEach(fill);
      while (lines.size > options.maxRows()) {
        const oldest = Math.min(...lines.keys());
        lines.get(oldest)?.li.remove();
        lines.delete(oldest);
      }
    },
    clear() {
      lines.clear();
      list.replaceChildren();
    },
    entry: (seq) => lines.get(seq)?.entry,
    select(seq) {
      for (const [key, { li }] of lines) {
        li.classList.toggle('selected', key === seq);
        li.setAttribute('aria-selected', String(key === seq));
      }
    },
  };
}
