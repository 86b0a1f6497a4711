/**
 * The inspector page's stylesheet, served as `/style.css`. The chart's own colours are drawn into
 * the SVG (so docs/statechart.svg looks right alone); these rules add the page's highlights on top.
 */
/** The stylesheet, as served. */
export const INSPECTOR_STYLE = `
:root { font: 13px/1.4 system-ui, sans-serif; color: #1d2330; background: #f4f6f9; }
body { margin: 0; }
header { display: flex; gap: 16px; align-items: baseline; padding: 10px 16px; background: #1d2330; color: #fff; }
header h1 { font-size: 15px; margin: 0; }
header .muted { color: #aab3c5; }
#conn[data-conn="live"] { color: #7ee2a8; } #conn[data-conn="down"] { color: #ffcf8b; }
#past { display: flex; gap: 12px; align-items: center; padding: 8px 16px; background: #fff3d6; border-bottom: 1px solid #e8cf8f; }
#past[hidden] { display: none; }
#past button, .chart-panel button { font: inherit; padding: 2px 10px; border: 1px solid #aab3c2; border-radius: 4px; background: #fff; cursor: pointer; }
main { display: grid; grid-template-columns: minmax(0, 1.8fr) minmax(380px, 1fr); gap: 12px; padding: 12px; align-items: start; }
section { background: #fff; border: 1px solid #dde2ea; border-radius: 6px; padding: 10px 12px; margin-bottom: 12px; }
section[hidden] { display: none; }
section h2 { display: flex; justify-content: space-between; font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #677084; margin: 0 0 8px; }
#chart { overflow: auto; max-height: calc(100vh - 150px); }
#chart svg { display: block; margin: 0 auto; width: auto; height: auto; max-width: 100%; max-height: calc(100vh - 200px); }
#chart.actual svg { max-width: none; max-height: none; }
#chart .state.active > .box { stroke: #2f6fe4; stroke-width: 2.5; }
#chart .state.active:not(.compound) > .box { fill: #eaf1ff; }
#chart .state.active.leaf > .box { stroke: #1b4fb8; stroke-width: 4; fill: #cfe0ff; }
#chart .state.active.leaf > .name { fill: #1b4fb8; }
#chart .state.final.active > .final-ring { stroke: #1b4fb8; }
#chart .transition.last .wire { stroke: #d9480f; stroke-width: 3; marker-end: url(#statechart-arrow-hot); }
#chart .transition.last .label { fill: #d9480f; font-weight: 700; }
#chart .taken { fill: #d9480f; font-weight: 700; }
#chart .transition.taken .wire { stroke: #d9480f; }
.legend { color: #677084; font-size: 12px; margin: 6px 0 0; }
.legend b { color: #1b4fb8; } .legend i { color: #d9480f; font-style: normal; font-weight: 700; }
#gate { font-size: 18px; font-weight: 700; padding: 8px 12px; border-radius: 6px; display: inline-block; }
#gate[data-gate="open"] { background: #dcf5e6; color: #17683a; }
#gate[data-gate="closed"] { background: #ffe0e0; color: #a11c1c; }
#gate[data-gate="ended"], #gate[data-gate="waiting"] { background: #e6e9ef; color: #39414f; }
#state { font: 600 15px ui-monospace, monospace; }
#ending-panel { border-color: #aab3c2; background: #fbfcfd; }
#ending-panel p { margin: 4px 0; }
#ending-reason { font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 2px 6px; border-bottom: 1px solid #eef1f5; font-variant-numeric: tabular-nums; text-align: left; }
th { color: #677084; font-weight: 600; font-size: 12px; }
td.k { color: #677084; white-space: nowrap; }
td .sub { color: #8a93a5; font-size: 11px; margin-left: 8px; }
td .sub b { color: #4a5366; font-weight: 600; }
#pending li, #ledger td.call { font-family: ui-monospace, monospace; }
.timer { font-weight: 700; color: #a11c1c; margin-left: 6px; }
#pending li[data-answered="true"] .timer { color: #677084; }
.chip { border-radius: 3px; padding: 0 5px; font-size: 11px; background: #e6e9ef; }
.chip[data-ledger-state="running"] { background: #fff1cc; color: #7a5500; }
.chip[data-ledger-state="answered"] { background: #dcf5e6; color: #17683a; }
.chip[data-ledger-state="cancelled"], .chip[data-ledger-state="superseded"] { background: #e6e9ef; color: #39414f; }
.chip[data-ledger-state="orphaned"] { background: #ffe0e0; color: #a11c1c; }
.chip[data-ledger-state="deliveredAsContext"] { background: #e3ecff; color: #1b4fb8; }
#timeline { list-style: none; margin: 0; padding: 0; max-height: 420px; overflow: auto; font: 12px/1.35 ui-monospace, monospace; }
#timeline li { padding: 2px 4px; border-bottom: 1px solid #f0f2f6; cursor: pointer; }
#timeline li:hover { background: #f4f7fc; }
#timeline li.selected { background: #fff3d6; outline: 1px solid #e8cf8f; }
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
