// Self-contained HTML pages: one file, inline CSS only, no scripts, no network, light/dark/print aware.
// Every user-provided string must go through esc(); helpers here escape what they are given, except
// section bodies and `raw()` cells, which are HTML built by the caller.

import type { Chart } from './charts.ts';

/** Escape text for HTML element content and attribute values. */
export function esc(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A table cell that is already HTML (not escaped by table()). */
export interface RawHtml {
  html: string;
}

/** Mark a string as trusted HTML for table() cells. */
export function raw(html: string): RawHtml {
  return { html };
}

/** x as a percentage with `digits` decimals: fmtPct(0.1234, 1) = "12.3%". Non-finite: "n/a". */
export function fmtPct(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${(x * 100).toFixed(digits)}%`;
}

/**
 * A number for humans. With `digits`: fixed decimals. Without: integers as-is (thousands separated by
 * commas from 10,000), others with 4 significant digits (trailing zeros trimmed), exponent notation
 * outside [1e-3, 1e6). Non-finite: "n/a".
 */
export function fmtNum(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'n/a' : x > 0 ? '∞' : '−∞';
  if (digits !== undefined) return x.toFixed(digits);
  if (Number.isInteger(x)) {
    if (Math.abs(x) < 1e4) return String(x);
    if (Math.abs(x) >= 1e15) return x.toExponential(3);
    return String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return x.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(4)));
}

/** An HTML table. Strings are escaped, numbers go through fmtNum, raw() cells are inserted as-is. */
export function table(
  headers: string[],
  rows: (string | number | RawHtml)[][],
  opts: { caption?: string; numeric?: boolean[]; className?: string; groupStarts?: boolean[] } = {},
): string {
  const num = opts.numeric ?? [];
  const cls = (j: number) => (num[j] ? ' class="num"' : '');
  const cell = (c: string | number | RawHtml): string =>
    typeof c === 'number' ? esc(fmtNum(c)) : typeof c === 'string' ? esc(c) : c.html;
  const head = headers.map((h, j) => `<th scope="col"${cls(j)}>${esc(h)}</th>`).join('');
  const tr = (i: number) => (i > 0 && opts.groupStarts?.[i] ? '<tr class="group-start">' : '<tr>');
  const body = rows.map((r, i) => `${tr(i)}${r.map((c, j) => `<td${cls(j)}>${cell(c)}</td>`).join('')}</tr>`).join('\n');
  return (
    `<div class="table-wrap"><table${opts.className ? ` class="${esc(opts.className)}"` : ''}>` +
    (opts.caption ? `<caption>${esc(opts.caption)}</caption>` : '') +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`
  );
}

/** Typed arrays of numbers (not DataView, not the bigint arrays). */
function isNumberArray(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

function kvValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return fmtNum(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (isNumberArray(v)) {
    const arr = Array.from(v);
    return arr.length > 12 ? `[${arr.slice(0, 12).map(fmtNum).join(', ')}, … ${arr.length} values]` : `[${arr.map(fmtNum).join(', ')}]`;
  }
  if (Array.isArray(v) && v.length === 0) return '(none)';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : kvValue(x))).join(', ');
  if (v instanceof Date) return v.toISOString();
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function flatten(rec: Record<string, unknown>, prefix: string, out: [string, string][], depth: number): void {
  for (const [k, v] of Object.entries(rec)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => x && typeof x === 'object' && !Array.isArray(x)) && depth < 4) {
      v.forEach((x, i) => flatten(x as Record<string, unknown>, `${key}[${i}]`, out, depth + 1));
    } else if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Date) && depth < 4) {
      const entries = Object.keys(v as object);
      if (entries.length === 0) out.push([key, '{}']);
      else flatten(v as Record<string, unknown>, key, out, depth + 1);
    } else {
      out.push([key, kvValue(v)]);
    }
  }
}

/** Key-value table for settings; nested objects become dotted keys. Everything is escaped. */
export function kv(record: Record<string, unknown>, opts: { caption?: string } = {}): string {
  const pairs: [string, string][] = [];
  flatten(record, '', pairs, 0);
  if (pairs.length === 0) return `<p class="muted">(none recorded)</p>`;
  const body = pairs.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n');
  return (
    `<div class="table-wrap"><table class="kv">` +
    (opts.caption ? `<caption>${esc(opts.caption)}</caption>` : '') +
    `<tbody>\n${body}\n</tbody></table></div>`
  );
}

/** Wrap a chart in `<figure class="chart" data-points="N">`, with an optional (escaped) caption. */
export function figure(chart: Chart, caption?: string): string {
  return (
    `<figure class="chart" data-points="${chart.points}" style="max-width:${chart.width}px">` +
    chart.svg +
    (caption ? `<figcaption>${esc(caption)}</figcaption>` : '') +
    `</figure>`
  );
}

/** Lay out figures (HTML strings) in a responsive grid. */
export function grid(items: string[]): string {
  return `<div class="grid">\n${items.join('\n')}\n</div>`;
}

function slug(s: string, i: number): string {
  const base = s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `s${i + 1}${base ? '-' + base : ''}`;
}

const CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0;
  --stripe: #f6f8fa; --accent: #0969da; --callout: #ddf4ff; --callout-border: #54aeff; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --stripe: #151b23;
    --accent: #4493f8; --callout: #12233f; --callout-border: #1f6feb; }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0 auto; max-width: 1120px; padding: 24px 28px 48px; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.75rem; margin: 0 0 4px; line-height: 1.25; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 0.8rem; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 0.5rem; }
p { margin: 0.5rem 0; }
a { color: var(--accent); }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
header .subtitle { color: var(--muted); margin: 0; font-size: 1.05rem; }
header .generated { color: var(--muted); font-size: 0.85rem; margin-top: 4px; }
nav.toc { margin-top: 12px; font-size: 0.9rem; }
nav.toc ol { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.muted { color: var(--muted); }
.note { color: var(--muted); font-size: 0.9rem; }
.callout { background: var(--callout); border-left: 4px solid var(--callout-border); padding: 10px 14px; border-radius: 4px; margin: 0.8rem 0; }
.callout ul { margin: 0; padding-left: 1.2rem; }
.callout li { margin: 0.3rem 0; }
.table-wrap { overflow-x: auto; margin: 0.6rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
caption { text-align: left; color: var(--muted); font-size: 0.85rem; padding-bottom: 4px; caption-side: top; }
th, td { padding: 4px 9px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--border); white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--stripe); }
tr.group-start td { border-top: 2px solid var(--border); }
table.metrics { font-size: 0.82rem; }
table.metrics td:first-child, table.metrics td:nth-child(4) { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { font-weight: 500; color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; }
table.kv td { word-break: break-word; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap: 12px 24px; align-items: start; }
figure.chart { margin: 0.6rem 0 1rem; color: var(--fg); width: 100%; }
figure.chart svg { display: block; width: 100%; height: auto; overflow: visible; }
figure.chart figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 2px; }
.good { color: #1a7f37; } .bad { color: #cf222e; }
@media (prefers-color-scheme: dark) { .good { color: #3fb950; } .bad { color: #f85149; } }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.8rem; border-top: 1px solid var(--border); padding-top: 8px; }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #333333; --border: #999999; --stripe: #f2f2f2; --callout: #ffffff; --callout-border: #666666; }
  @page { margin: 14mm; }
  html, body { background: #ffffff !important; color: #000000 !important; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav.toc { display: none; }
  a { color: #000000; text-decoration: none; }
  .good, .bad { color: #000000; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure.chart, table, tr, .callout { break-inside: avoid; page-break-inside: avoid; }
  figure.chart { color: #000000; }
  .table-wrap { overflow: visible; }
  .grid { display: block; }
}
`;

/** One self-contained HTML page (no scripts, no external resources). Section html is inserted as-is. */
export function page(p: {
  title: string;
  subtitle?: string;
  sections: { heading: string; html: string }[];
  generated?: string;
  footer?: string;
}): string {
  const ids = p.sections.map((s, i) => slug(s.heading, i));
  const toc =
    p.sections.length > 1
      ? `<nav class="toc" aria-label="Contents"><ol>${p.sections
          .map((s, i) => `<li><a href="#${ids[i]}">${esc(s.heading)}</a></li>`)
          .join('')}</ol></nav>`
      : '';
  const sections = p.sections
    .map((s, i) => `<section id="${ids[i]}">\n<h2>${esc(s.heading)}</h2>\n${s.html}\n</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(p.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(p.title)}</h1>
${p.subtitle ? `<p class="subtitle">${esc(p.subtitle)}</p>` : ''}
${p.generated ? `<p class="generated">Generated ${esc(p.generated)}</p>` : ''}
${toc}
</header>
<main>
${sections}
</main>
<footer>${esc(p.footer ?? 'Generated by cwrf. Self-contained file: no scripts, no network resources.')}</footer>
</body>
</html>
`;
}
