/**
 * The inspector page's HTML. The page is a few files, all served by the inspector server from this
 * package (see `assets.ts`): this shell, its stylesheet, its ES modules, and elkjs for the layout.
 * Nothing comes from anywhere else, so it works with no network at all.
 */

/** Escapes text for HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The inspector page's HTML shell. */
export function inspectorPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/style.css">
</head>
<body data-status="waiting" data-viewing="live">
<header><h1>${escapeHtml(title)}</h1><span id="status" class="muted">waiting for a session</span><span id="conn" data-conn="connecting">connecting</span></header>
<div id="past" hidden><span id="past-when"></span><button id="live" type="button">Back to live</button></div>
<main>
  <div>
    <section class="chart-panel">
      <h2>Statechart <button id="zoom" type="button">Actual size</button></h2>
      <div id="chart" data-layout="pending"><p class="empty">laying out the chart…</p></div>
      <p class="legend"><b>blue</b>: the active states (the deepest is the current one) · <i>orange</i>: the transition that last changed the state, and what the latest event did · click a timeline line to see the chart as it was then</p>
    </section>
  </div>
  <div>
    <section>
      <h2>Now</h2>
      <div><span id="gate" data-gate="waiting">NO SESSION YET</span> <span id="gated"></span></div>
      <p>state <span id="state">\u2014</span></p>
      <p id="input"></p>
      <p id="last" class="muted"></p>
    </section>
    <section id="ending-panel" hidden>
      <h2>Session closed</h2>
      <p id="ending-state"></p>
      <p id="ending-reason"></p>
      <ul id="ending-summary"></ul>
    </section>
    <section><h2>Pending tool calls</h2><ul id="pending"><li class="empty">none</li></ul></section>
    <section id="ledger-panel" hidden><h2>Tool-call ledger</h2><table id="ledger"></table></section>
    <section><h2>Timeline</h2><ol id="timeline"></ol></section>
    <section><h2>Counters</h2><table id="counters"></table></section>
  </div>
</main>
<script src="/vendor/elk.bundled.js"></script>
<script type="module" src="/page/main.js"></script>
</body>
</html>
`;
}
