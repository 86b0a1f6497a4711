/**
 * The inspector's one page: HTML, CSS and script inline, no library and no network beyond its own
 * WebSocket, so it works with no internet. The script is plain ES2017 written as a string (not a
 * compiled function's source, which a bundler or tsx may rewrite) and builds the DOM with
 * `textContent`, so nothing the session carries is ever parsed as HTML.
 *
 * Elements carry `data-*` attributes (`data-state-id`, `data-gate`, `data-mark`, `data-counter`,
 * `data-key`) that tests, and curious users, can select on.
 */

const STYLE = `
:root { font: 13px/1.4 system-ui, sans-serif; color: #1d2330; background: #f4f6f9; }
body { margin: 0; }
header { display: flex; gap: 16px; align-items: baseline; padding: 10px 16px; background: #1d2330; color: #fff; }
header h1 { font-size: 15px; margin: 0; }
header .muted { color: #aab3c5; }
#conn[data-conn="live"] { color: #7ee2a8; } #conn[data-conn="down"] { color: #ff9b9b; }
main { display: grid; grid-template-columns: minmax(420px, 1.3fr) minmax(360px, 1fr); gap: 12px; padding: 12px; }
section { background: #fff; border: 1px solid #dde2ea; border-radius: 6px; padding: 10px 12px; margin-bottom: 12px; }
section h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #677084; margin: 0 0 8px; }
.state { border: 1.5px solid #b9c2d0; border-radius: 8px; padding: 6px 8px; margin: 6px 0; background: #fafbfc; }
.state.final { border-style: double; border-width: 4px; }
.state > .name { font-weight: 600; }
.state > .name .initial { color: #677084; font-weight: 400; margin-right: 4px; }
.state.active { border-color: #2f6fe4; background: #eaf1ff; }
.state.active.leaf { border-color: #1b4fb8; background: #d4e3ff; box-shadow: 0 0 0 3px #9cbcf7; }
.state > ul { list-style: none; margin: 2px 0 0; padding: 0; font: 11px/1.35 ui-monospace, monospace; color: #4a5366; }
.state > ul li.stays { color: #8a93a5; }
.children { display: flex; flex-wrap: wrap; gap: 8px; }
.children > .state { flex: 1 1 180px; }
#gate { font-size: 18px; font-weight: 700; padding: 8px 12px; border-radius: 6px; display: inline-block; }
#gate[data-gate="open"] { background: #dcf5e6; color: #17683a; }
#gate[data-gate="closed"] { background: #ffe0e0; color: #a11c1c; }
#state { font: 600 15px ui-monospace, monospace; }
table { border-collapse: collapse; width: 100%; }
td { padding: 2px 6px; border-bottom: 1px solid #eef1f5; font-variant-numeric: tabular-nums; }
td.k { color: #677084; white-space: nowrap; }
td .sub { color: #8a93a5; font-size: 11px; margin-left: 8px; }
td .sub b { color: #4a5366; font-weight: 600; }
#pending li { font-family: ui-monospace, monospace; }
#pending .timer { font-weight: 700; color: #a11c1c; margin-left: 6px; }
#pending li[data-answered="true"] .timer { color: #677084; }
#timeline { list-style: none; margin: 0; padding: 0; max-height: 420px; overflow: auto; font: 12px/1.35 ui-monospace, monospace; }
#timeline li { padding: 2px 0; border-bottom: 1px solid #f0f2f6; }
#timeline .t { color: #8a93a5; margin-right: 6px; }
#timeline .n { color: #677084; }
#timeline .mark { border-radius: 3px; padding: 0 4px; margin-left: 6px; font-size: 11px; }
.mark[data-mark="forwarded"] { background: #dcf5e6; color: #17683a; }
.mark[data-mark="dropped"] { background: #ffe0e0; color: #a11c1c; }
.mark[data-mark="buffered"], .mark[data-mark="deferred"] { background: #fff1cc; color: #7a5500; }
#timeline .tr { color: #1b4fb8; margin-left: 6px; }
#timeline .d { color: #4a5366; margin-left: 6px; }
.empty { color: #8a93a5; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var boxes = {};
  var rows = {};
  var offset = 0;
  var shownSession = 0;
  var MAX_ROWS = 400;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function short(id) { var parts = id.split('.'); return parts.length > 1 ? parts.slice(1).join('.') : id; }
  function clock(ms) { var d = new Date(ms); return d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0'); }

  function summarise(events) {
    var seen = [], inputs = 0;
    events.forEach(function (e) { if (seen.indexOf(e) < 0) seen.push(e); });
    var out = seen.filter(function (e) { if (e.indexOf('input.') === 0) { inputs += 1; return false; } return true; });
    if (inputs > 1) out.unshift('input.* (' + inputs + ')'); else if (inputs === 1) out.unshift(seen.filter(function (e) { return e.indexOf('input.') === 0; })[0]);
    return out.join(', ');
  }

  function box(state, initialId) {
    var node = el('div', 'state ' + state.type);
    node.setAttribute('data-state-id', state.id);
    boxes[state.id] = node;
    var name = el('div', 'name');
    if (state.id === initialId) name.appendChild(el('span', 'initial', '\\u25CF'));
    name.appendChild(document.createTextNode(state.key));
    node.appendChild(name);
    var list = el('ul');
    var stays = [];
    state.transitions.forEach(function (t) {
      if (t.targets.length === 0) { stays.push(t.event); return; }
      var text = t.event + (t.guard ? ' [' + t.guard + ']' : '') + ' \\u2192 ' + t.targets.map(short).join(', ');
      list.appendChild(el('li', 't', text));
    });
    if (stays.length > 0) list.appendChild(el('li', 'stays', 'stays on: ' + summarise(stays)));
    if (list.childNodes.length > 0) node.appendChild(list);
    if (state.states.length > 0) {
      var children = el('div', 'children');
      state.states.forEach(function (child) { children.appendChild(box(child, state.initial)); });
      node.appendChild(children);
    }
    return node;
  }

  function drawChart(chart) {
    boxes = {};
    var target = $('chart');
    target.textContent = '';
    target.appendChild(box(chart, undefined));
  }

  function total(record) { var sum = 0; for (var k in record) sum += record[k]; return sum; }

  function drawCounters(counters) {
    var table = $('counters');
    table.textContent = '';
    if (!counters) { var row = el('tr'); row.appendChild(el('td', 'empty', 'no counters yet')); table.appendChild(row); return; }
    Object.keys(counters).forEach(function (key) {
      var value = counters[key];
      var tr = el('tr');
      tr.appendChild(el('td', 'k', key));
      var td = el('td');
      if (value !== null && typeof value === 'object') {
        var main = el('span', 'v', String(total(value)));
        main.setAttribute('data-counter', key);
        td.appendChild(main);
        Object.keys(value).forEach(function (sub) {
          var part = el('span', 'sub', sub + ' ');
          var number = el('b', '', String(value[sub]));
          number.setAttribute('data-counter', key + '.' + sub);
          part.appendChild(number);
          td.appendChild(part);
        });
      } else {
        var cell = el('span', 'v', String(value));
        cell.setAttribute('data-counter', key);
        td.appendChild(cell);
      }
      tr.appendChild(td);
      table.appendChild(tr);
    });
  }

  function drawPending(pending) {
    var list = $('pending');
    list.textContent = '';
    if (pending.length === 0) { list.appendChild(el('li', 'empty', 'none')); return; }
    pending.forEach(function (call) {
      var li = el('li');
      li.setAttribute('data-key', call.key);
      li.setAttribute('data-since', String(call.since));
      li.setAttribute('data-answered', String(call.answered));
      li.appendChild(document.createTextNode(call.name + (call.id ? ' [' + call.id + ']' : '') + (call.blocking ? '' : ' (non-blocking)') + (call.answered ? ' answered, waiting for its batch' : ' running')));
      li.appendChild(el('span', 'timer', ''));
      list.appendChild(li);
    });
    tick();
  }

  function applyView(view) {
    shownSession = view.session;
    offset = Date.now() - view.now;
    document.body.setAttribute('data-status', view.status);
    $('status').textContent = view.status === 'waiting' ? 'waiting for a session' : 'session ' + (view.sessionId || '') + ': ' + view.status;
    $('state').textContent = view.state || '\\u2014';
    var gate = $('gate');
    gate.setAttribute('data-gate', view.gate);
    gate.textContent = view.gate === 'closed' ? 'GATE CLOSED' : 'GATE OPEN';
    gate.setAttribute('data-since', view.gatedSince === undefined ? '' : String(view.gatedSince));
    $('input').textContent = 'realtime input: ' + view.input;
    $('last').textContent = view.lastTransition ? view.lastTransition.from + ' \\u2192 ' + view.lastTransition.to + ' on ' + view.lastTransition.event : '';
    $('closed').textContent = view.closedBy ? 'closed by ' + JSON.stringify(view.closedBy) : '';
    Object.keys(boxes).forEach(function (id) { boxes[id].classList.remove('active', 'leaf'); });
    view.activeIds.forEach(function (id, i) {
      var node = boxes[id];
      if (!node) return;
      node.classList.add('active');
      if (i === view.activeIds.length - 1) node.classList.add('leaf');
    });
    document.body.setAttribute('data-state', view.state || '');
    drawPending(view.pending);
    drawCounters(view.counters);
  }

  function fill(li, entry) {
    li.textContent = '';
    li.setAttribute('data-type', entry.type);
    li.setAttribute('data-count', String(entry.count));
    li.appendChild(el('span', 't', clock(entry.lastAt)));
    li.appendChild(el('span', 'e', entry.type));
    if (entry.count > 1) li.appendChild(el('span', 'n', ' \\u00D7' + entry.count));
    if (entry.mark) {
      var mark = el('span', 'mark', entry.mark + (entry.reason ? ' (' + entry.reason + ')' : ''));
      mark.setAttribute('data-mark', entry.mark);
      li.setAttribute('data-mark', entry.mark);
      li.appendChild(mark);
    }
    if (entry.to) li.appendChild(el('span', 'tr', entry.from + ' \\u2192 ' + entry.to));
    if (entry.detail) li.appendChild(el('span', 'd', entry.detail));
  }

  function addEntries(entries) {
    var list = $('timeline');
    entries.forEach(function (entry) {
      var li = rows[entry.seq];
      if (!li) {
        li = el('li');
        li.setAttribute('data-seq', String(entry.seq));
        rows[entry.seq] = li;
        list.insertBefore(li, list.firstChild);
      }
      fill(li, entry);
    });
    while (list.childNodes.length > MAX_ROWS) {
      var last = list.lastChild;
      delete rows[last.getAttribute('data-seq')];
      list.removeChild(last);
    }
  }

  function tick() {
    var now = Date.now() - offset;
    var items = document.querySelectorAll('#pending li[data-since]');
    for (var i = 0; i < items.length; i += 1) {
      var since = Number(items[i].getAttribute('data-since'));
      items[i].querySelector('.timer').textContent = ((now - since) / 1000).toFixed(1) + ' s';
    }
    var gate = $('gate');
    var gated = gate.getAttribute('data-since');
    $('gated').textContent = gated ? 'for ' + ((now - Number(gated)) / 1000).toFixed(1) + ' s' : '';
  }

  function connect() {
    var conn = $('conn');
    var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    socket.onopen = function () { conn.textContent = 'live'; conn.setAttribute('data-conn', 'live'); };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.type === 'init') {
        drawChart(data.chart);
        rows = {};
        $('timeline').textContent = '';
        addEntries(data.timeline);
        applyView(data.view);
      } else if (data.type === 'update') {
        // Another session: its story starts afresh.
        if (data.view.session !== shownSession) { rows = {}; $('timeline').textContent = ''; }
        addEntries(data.entries);
        applyView(data.view);
      }
    };
    socket.onclose = function () {
      conn.textContent = 'disconnected, retrying';
      conn.setAttribute('data-conn', 'down');
      setTimeout(connect, 1000);
    };
  }

  setInterval(tick, 100);
  connect();
})();
`;

/** Escapes text for HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The inspector page, whole. */
export function inspectorPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-status="waiting">
<header><h1>${escapeHtml(title)}</h1><span id="status" class="muted">waiting for a session</span><span id="conn" data-conn="connecting">connecting</span></header>
<main>
  <div>
    <section><h2>Statechart</h2><div id="chart"></div></section>
  </div>
  <div>
    <section>
      <h2>Now</h2>
      <div><span id="gate" data-gate="open">GATE OPEN</span> <span id="gated"></span></div>
      <p>state <span id="state">\u2014</span></p>
      <p id="input"></p>
      <p id="last" class="muted"></p>
      <p id="closed"></p>
    </section>
    <section><h2>Pending tool calls</h2><ul id="pending"><li class="empty">none</li></ul></section>
    <section><h2>Timeline</h2><ol id="timeline"></ol></section>
    <section><h2>Counters</h2><table id="counters"></table></section>
  </div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
