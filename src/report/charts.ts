// Charts for the HTML reports: vega-lite specs rendered server-side to inline SVG strings.
//
// Every chart is drawn on a transparent background with its text, axes and grid in a sentinel colour
// that is then replaced by `currentColor`, so the CSS `color` of the surrounding page (light or dark
// mode, print) decides how they look. Series colours come from Tableau10, readable on both backgrounds.
// The SVG keeps its viewBox, so `svg { width: 100%; height: auto }` scales it.

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A rendered chart: inline SVG plus how many data points it plots (for `<figure data-points>`). */
export interface Chart {
  /** Standalone `<svg ...>` markup (no script, no external references besides the SVG namespaces). */
  svg: string;
  /** Number of data points plotted (after downsampling; histograms: number of scores binned). */
  points: number;
  /** Natural width of the SVG in pixels (the figure is capped at it and scales down below it). */
  width: number;
  /** A short plain-text description for screen readers (used as aria-label). */
  alt: string;
  /** The vega-lite spec that was rendered (handy for debugging or re-rendering elsewhere). */
  spec: TopLevelSpec;
}

/** Tableau10: distinct on white and on near-black backgrounds. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

/** Sentinel colour for everything that should follow the page's text colour. */
const INK = '#0a0b0c';
/** Arial-metric fonts everywhere (Helvetica on macOS, Arial on Windows, Liberation Sans on Linux), so the
 * server-side text measurement below matches what browsers draw. */
const FONT = 'Helvetica, Arial, Liberation Sans, Arimo, Nimbus Sans, sans-serif';

/** Helvetica/Arial advance widths (1/1000 em) for ASCII 32..126. */
const WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
  722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
  556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
  260, 334, 584,
];

/** Width in px of a text item as an Arial-metric font draws it (vega's own fallback guesses 0.8 em per character). */
export function measureText(item: { fontSize?: number; fontWeight?: string | number }, text: unknown): number {
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  const s = text == null ? '' : String(text).trim();
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w += c >= 32 && c <= 126 ? WIDTHS[c - 32] : c === 0x2026 ? 1000 : 600;
  }
  const bold = /bold|^[6-9]00$/.test(String(item.fontWeight ?? ''));
  return (w / 1000) * size * (bold ? 1.08 : 1);
}

// vega's typings do not declare its text metrics; its width function is replaced where the module holds it
const textMetrics: unknown = Reflect.get(vega, 'textMetrics');
if (typeof textMetrics !== 'object' || textMetrics === null || !Reflect.set(textMetrics, 'width', measureText)) throw new Error('vega has no textMetrics to measure text with');

const CONFIG = {
  background: 'transparent',
  font: FONT,
  padding: 6,
  view: { stroke: INK, strokeOpacity: 0.25 },
  axis: {
    labelColor: INK,
    titleColor: INK,
    domainColor: INK,
    tickColor: INK,
    gridColor: INK,
    gridOpacity: 0.12,
    domainOpacity: 0.6,
    tickOpacity: 0.6,
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
  },
  legend: { labelColor: INK, titleColor: INK, labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
  title: { color: INK, subtitleColor: INK, fontSize: 14, subtitleFontSize: 11, anchor: 'start', subtitlePadding: 4 },
  text: { color: INK },
  range: { category: [...PALETTE] },
} as const;

/** Render a vega-lite spec to an SVG string whose neutral colours follow CSS `currentColor`. */
export async function renderSvg(spec: TopLevelSpec): Promise<{ svg: string; width: number }> {
  const vg = compile(spec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    const raw = await view.toSVG();
    const svg = adaptColors(raw);
    const m = /<svg[^>]*\bwidth="([\d.]+)"/.exec(svg);
    return { svg, width: m ? Math.ceil(Number(m[1])) : 600 };
  } finally {
    view.finalize();
  }
}

/** Replace the sentinel ink colour with currentColor, make ids unique to this chart, add role="img". */
function adaptColors(svg: string): string {
  // vega numbers clip paths / gradients with a process-wide counter (clip1, clip2, ...); several reports
  // rendered by different processes and pasted into one page would collide, so prefix them by content.
  const prefix = `v${fnv1a(svg)}-`;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/(xlink:)?href="#([^"]+)"/g, (_, x: string | undefined, id: string) => `${x ?? ''}href="#${prefix}${id}"`)
    .split(`"${INK}"`)
    .join('"currentColor"')
    .split(INK)
    .join('currentColor')
    .replace(/^<svg /, '<svg role="img" ');
}

/** 32-bit FNV-1a hash, base 36. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

function withTitle(spec: Record<string, unknown>, title?: string, subtitle?: string): Record<string, unknown> {
  if (!title && !subtitle) return spec;
  // Vega draws no subtitle under an empty title: a lone subtitle becomes a small, normal-weight title.
  if (!title) return { ...spec, title: { text: subtitle, fontSize: 11, fontWeight: 'normal' } };
  return { ...spec, title: { text: title, ...(subtitle ? { subtitle } : {}) } };
}

/** A vega-lite spec as the builders here write them: one view (a mark), or layers or concatenations of views. */
function isVegaLite(s: Record<string, unknown>): s is Record<string, unknown> & TopLevelSpec {
  return ['mark', 'layer', 'hconcat', 'vconcat', 'concat', 'facet', 'repeat'].some((k) => k in s);
}

function finishChart(
  spec: Record<string, unknown>,
  points: number,
  alt: string,
): Promise<Chart> {
  const { $schema: _schema, ...rest } = spec;
  const full = { config: CONFIG, ...rest };
  if (!isVegaLite(full)) throw new Error('not a vega-lite chart: no mark, layer or concatenation');
  return renderSvg(full).then(({ svg, width }) => ({
    svg: svg.replace(/^<svg role="img" /, `<svg role="img" aria-label="${escAttr(alt)}" `),
    points,
    width,
    alt,
    spec: full,
  }));
}

function escAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Default ROC axis minimum: the smallest positive FPR over the curves, floored to a power of ten, >= 1e-5. */
export function defaultMinFpr(curves: { fpr: ArrayLike<number> }[]): number {
  let min = 1;
  for (const c of curves) {
    for (let k = 0; k < c.fpr.length; k++) {
      const f = c.fpr[k];
      if (f > 0 && f < min) min = f;
    }
  }
  const floored = Math.pow(10, Math.floor(Math.log10(min) + 1e-9));
  return Math.min(0.1, Math.max(1e-5, floored));
}

/**
 * Downsample a ROC curve for plotting on a log FPR axis: the FPR range [minFpr, 1] is split into
 * log-spaced bins and, per bin, the first and last ROC points are kept (the last one is the
 * upper envelope, so TPR at a given FPR is never under-drawn). Points below minFpr collapse onto their
 * first and last one. Returns indices into the original arrays, increasing.
 */
export function downsampleRocIndices(fpr: ArrayLike<number>, maxPoints: number, minFpr: number): number[] {
  const n = fpr.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const bins = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const lmin = Math.log(minFpr);
  const binOf = (f: number): number => {
    if (!(f >= minFpr)) return -1;
    const b = Math.floor(((Math.log(f) - lmin) / -lmin) * bins);
    return Math.min(bins - 1, Math.max(0, b));
  };
  const keep: number[] = [];
  let cur = Number.NaN;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const b = binOf(fpr[i]);
    if (b !== cur) {
      if (last >= 0 && keep[keep.length - 1] !== last) keep.push(last);
      keep.push(i);
      cur = b;
    }
    last = i;
  }
  if (keep[keep.length - 1] !== n - 1) keep.push(n - 1);
  return keep;
}

export interface RocCurveInput {
  /** Colour series (e.g. the model). */
  series: string;
  /** Optional second dimension drawn as line dash (e.g. the attack, when several share one chart). */
  attack?: string;
  fpr: ArrayLike<number>;
  tpr: ArrayLike<number>;
}

/**
 * ROC curves on log-log axes from minFpr to 1 with the chance diagonal. Curves are downsampled to at
 * most `maxPoints` (default 400) points each, spread in log FPR; zeros (and anything below the axis
 * minimum) are clamped to the axis minimum, since a log axis cannot show 0.
 */
export async function rocChart(
  curves: RocCurveInput[],
  opts: {
    title?: string;
    subtitle?: string;
    minFpr?: number;
    maxPoints?: number;
    width?: number;
    height?: number;
    /** Series names in colour order (default: order of appearance), and optionally their colours. */
    domain?: string[];
    colours?: string[];
  } = {},
): Promise<Chart> {
  const minFpr = opts.minFpr ?? defaultMinFpr(curves);
  if (!(minFpr > 0 && minFpr < 1)) throw new RangeError(`rocChart: minFpr must be in (0, 1) (got ${minFpr})`);
  const maxPoints = opts.maxPoints ?? 400;
  const rows: { s: string; a: string; f: number; t: number; o: number }[] = [];
  const seriesOrder: string[] = [];
  const attackOrder: string[] = [];
  for (const c of curves) {
    if (c.fpr.length !== c.tpr.length) {
      throw new RangeError(`rocChart: fpr and tpr of "${c.series}" differ in length (${c.fpr.length} vs ${c.tpr.length})`);
    }
    if (!seriesOrder.includes(c.series)) seriesOrder.push(c.series);
    const a = c.attack ?? '';
    if (!attackOrder.includes(a)) attackOrder.push(a);
    let o = 0;
    let prev: { f: number; t: number } | undefined;
    for (const i of downsampleRocIndices(c.fpr, maxPoints, minFpr)) {
      const f = clampLog(c.fpr[i], minFpr);
      const t = clampLog(c.tpr[i], minFpr);
      if (!Number.isFinite(f) || !Number.isFinite(t)) continue;
      if (prev && prev.f === f && prev.t === t) continue;
      prev = { f, t };
      rows.push({ s: c.series, a, f, t, o: o++ });
    }
  }
  const dashed = attackOrder.length > 1;
  const ticks = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1].filter((v) => v >= minFpr * 0.999);
  const fmtTick = ADAPTIVE_PCT;
  const axisX = { title: 'False positive rate (log)', values: ticks, labelExpr: fmtTick, grid: true };
  const axisY = { title: 'True positive rate (log)', values: ticks, labelExpr: fmtTick, grid: true };
  const scale = { type: 'log', domain: [minFpr, 1], clamp: true, nice: false };
  const spec = withTitle(
    {
      width: opts.width ?? 400,
      height: opts.height ?? 340,
      layer: [
        {
          data: { values: [{ f: minFpr, t: minFpr }, { f: 1, t: 1 }] },
          mark: { type: 'line', strokeDash: [4, 4], color: INK, opacity: 0.45, strokeWidth: 1 },
          encoding: {
            x: { field: 'f', type: 'quantitative', scale, axis: axisX },
            y: { field: 't', type: 'quantitative', scale, axis: axisY },
          },
        },
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 2, clip: true },
          encoding: {
            x: { field: 'f', type: 'quantitative', scale, axis: axisX },
            y: { field: 't', type: 'quantitative', scale, axis: axisY },
            color: {
              field: 's',
              type: 'nominal',
              title: null,
              sort: seriesOrder,
              ...colourScale(opts.domain, opts.colours),
              legend: { orient: 'bottom', direction: 'vertical', columns: 2, symbolStrokeWidth: 3, labelFontSize: 12 },
            },
            ...(dashed
              ? {
                  strokeDash: {
                    field: 'a',
                    type: 'nominal',
                    title: null,
                    sort: attackOrder,
                    legend: { orient: 'bottom', direction: 'vertical', symbolStrokeColor: INK },
                  },
                  detail: { field: 'a' },
                }
              : {}),
            order: { field: 'o', type: 'quantitative' },
          },
        },
      ],
    },
    opts.title,
    opts.subtitle ?? `dashed: chance; rates below ${fmtShort(minFpr)} are drawn on the axis`,
  );
  const alt = `ROC curves (log-log) for ${seriesOrder.join(', ')}`;
  return finishChart(spec, rows.length, alt);
}

/** d3-format spec '%' in chart options means: percent with as many decimals as the value needs. */
const ADAPTIVE_PCT =
  "abs(datum.value) >= 0.01 || datum.value == 0 ? format(datum.value, '.0~%') : abs(datum.value) >= 0.001 ? format(datum.value, '.1~%')" +
  " : abs(datum.value) >= 0.0001 ? format(datum.value, '.2~%') : format(datum.value, '.3~%')";

/**
 * Axis properties for a number format option ('%' = adaptive percent). Given the values the axis spans, the
 * format gets as many decimals as its ticks (up to 10 on the axis) need to read differently.
 */
function axisFormat(fmt: string | undefined, values?: number[]): Record<string, unknown> {
  if (!fmt) return {};
  const f = values ? distinctFormat(fmt, values) : fmt;
  return f === '%' ? { labelExpr: ADAPTIVE_PCT } : { format: f };
}

/** `fmt` ('.Nf', '.N%', '.N~%' or '%') with at least the decimals that ticks over `values` need. */
export function distinctFormat(fmt: string, values: number[]): string {
  const finite = values.filter(Number.isFinite);
  const span = finite.length ? Math.max(...finite) - Math.min(...finite) : 0;
  const m = /^\.(\d+)(~?)([f%])$/.exec(fmt);
  if (!(span > 0) || (!m && fmt !== '%')) return fmt;
  const pct = fmt.endsWith('%');
  // The step d3 picks for 10 ticks over the span (in displayed units), and the decimals that step needs.
  const raw = (span * (pct ? 100 : 1)) / 10;
  const p = 10 ** Math.floor(Math.log10(raw));
  const e = raw / p;
  const step = p * (e >= Math.sqrt(50) ? 10 : e >= Math.sqrt(10) ? 5 : e >= Math.sqrt(2) ? 2 : 1);
  const need = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  if (!m) return need === 0 ? fmt : `.${need}~%`;
  return need <= Number(m[1]) ? fmt : `.${need}${m[2]}${m[3]}`;
}

/**
 * Log axis covering [min, max]: the domain widened to powers of ten and tick values at the decades (plus
 * 2x and 5x when it spans at most two decades), so grids show only labelled lines.
 */
export function logAxis(min: number, max: number): { domain: [number, number]; values: number[] } {
  const lo = Math.floor(Math.log10(min) + 1e-9);
  let hi = Math.ceil(Math.log10(max) - 1e-9);
  if (hi <= lo) hi = lo + 1;
  const values: number[] = [];
  for (let e = lo; e <= hi; e++) {
    const d = Number(`1e${e}`);
    values.push(d);
    if (hi - lo <= 2 && e < hi) values.push(2 * d, 5 * d);
  }
  return { domain: [Number(`1e${lo}`), Number(`1e${hi}`)], values };
}

function colourScale(domain?: string[], colours?: string[]): { scale?: { domain: string[]; range?: string[] } } {
  if (!domain) return {};
  return { scale: { domain, ...(colours ? { range: colours } : {}) } };
}

function clampLog(v: number, min: number): number {
  if (Number.isNaN(v)) return Number.NaN;
  return v < min ? min : v > 1 ? 1 : v;
}

function fmtShort(v: number): string {
  const pct = v * 100;
  return `${+pct.toPrecision(3)}%`;
}

export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
  group?: string;
}

/**
 * Labelled scatter plot (privacy-utility: e.g. test accuracy vs attack TPR at low FPR). With `yLog`,
 * non-positive y values are drawn at the axis minimum (a tenth of the smallest positive y).
 */
export async function scatterChart(
  points: ScatterPoint[],
  opts: {
    xTitle: string;
    yTitle: string;
    title?: string;
    subtitle?: string;
    yLog?: boolean;
    /** d3 number formats for the axes; '%' = percent with as many decimals as needed. */
    xFormat?: string;
    yFormat?: string;
    width?: number;
    height?: number;
    /** Group names in colour order (default: order of appearance), and optionally their colours. */
    domain?: string[];
    colours?: string[];
  },
): Promise<Chart> {
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  let yMin: number | undefined;
  if (opts.yLog) {
    const pos = finite.filter((p) => p.y > 0).map((p) => p.y);
    yMin = pos.length ? Math.min(...pos) / 10 : 1e-4;
  }
  const rows = finite.map((p) => ({ l: p.label, x: p.x, y: opts.yLog ? Math.max(p.y, yMin!) : p.y, g: p.group ?? p.label }));
  const atMin = opts.yLog ? finite.filter((p) => !(p.y > 0)).length : 0;
  const subtitle = [opts.subtitle, atMin ? `${atMin} point${atMin > 1 ? 's' : ''} with y <= 0 drawn at the bottom` : ''].filter(Boolean).join('; ');
  const ylog = opts.yLog && rows.length ? logAxis(Math.min(...rows.map((r) => r.y)), Math.max(...rows.map((r) => r.y))) : undefined;
  const groups = [...new Set(rows.map((r) => r.g))];
  const x = {
    field: 'x',
    type: 'quantitative',
    title: opts.xTitle,
    scale: { zero: false, nice: true, padding: 24 },
    axis: { ...axisFormat(opts.xFormat, rows.map((r) => r.x)) },
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: opts.yTitle,
    scale: ylog ? { type: 'log', domain: ylog.domain, nice: false } : { zero: false, nice: true, padding: 24 },
    axis: { ...axisFormat(opts.yFormat, ylog ? undefined : rows.map((r) => r.y)), ...(ylog ? { values: ylog.values } : {}) },
  };
  const spec = withTitle(
    {
      width: opts.width ?? 400,
      height: opts.height ?? 300,
      data: { values: rows },
      layer: [
        {
          mark: { type: 'point', filled: true, size: 90, opacity: 0.9 },
          encoding: {
            x,
            y,
            color: {
              field: 'g',
              type: 'nominal',
              title: null,
              sort: groups,
              ...colourScale(opts.domain, opts.colours),
              legend: groups.length > 1 && groups.length !== rows.length ? {} : null,
            },
            // the same legend as the colour's (one merged legend; a shown and a hidden one on one field make vega warn)
            shape: { field: 'g', type: 'nominal', sort: groups, legend: groups.length > 1 && groups.length !== rows.length ? {} : null },
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 8, dy: -6, fontSize: 11, color: INK, limit: 180 },
          encoding: { x, y, text: { field: 'l' } },
        },
      ],
    },
    opts.title,
    subtitle || undefined,
  );
  return finishChart(spec, rows.length, `${opts.title ?? 'Scatter plot'}: ${opts.yTitle} against ${opts.xTitle}`);
}

/** q-quantile (0..1) of sorted values, linear interpolation. */
function quantileSorted(s: Float64Array, q: number): number {
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Overlaid histograms (e.g. attack scores of members vs non-members), each normalised to the fraction
 * of its own group so groups of different sizes compare. Scores outside the pooled 0.5-99.5 percentiles
 * are clipped into the end bins (said in the subtitle); non-finite scores are left out (and counted).
 */
export async function histogramChart(
  groups: { name: string; values: ArrayLike<number> }[],
  opts: { title?: string; xTitle?: string; bins?: number; clip?: [number, number]; width?: number; height?: number } = {},
): Promise<Chart> {
  const nb = opts.bins ?? 40;
  const [qlo, qhi] = opts.clip ?? [0.005, 0.995];
  let total = 0;
  let dropped = 0;
  for (const g of groups) {
    for (let i = 0; i < g.values.length; i++) {
      if (Number.isFinite(g.values[i])) total++;
      else dropped++;
    }
  }
  const pooled = new Float64Array(total);
  let k = 0;
  for (const g of groups) for (let i = 0; i < g.values.length; i++) if (Number.isFinite(g.values[i])) pooled[k++] = g.values[i];
  pooled.sort();
  let lo = quantileSorted(pooled, qlo);
  let hi = quantileSorted(pooled, qhi);
  if (!Number.isFinite(lo)) lo = 0;
  if (!Number.isFinite(hi)) hi = 1;
  if (hi <= lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / nb;
  let clipped = 0;
  const rows: { g: string; x: number; p: number }[] = [];
  for (const g of groups) {
    const counts = new Float64Array(nb);
    let n = 0;
    for (let i = 0; i < g.values.length; i++) {
      const v = g.values[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo || v > hi) clipped++;
      const b = Math.min(nb - 1, Math.max(0, Math.floor((v - lo) / width)));
      counts[b]++;
      n++;
    }
    // Step outline: bin b spans [x(b), x(b+1)); a final point closes the last bin.
    for (let b = 0; b <= nb; b++) rows.push({ g: g.name, x: lo + b * width, p: n ? counts[Math.min(b, nb - 1)] / n : 0 });
  }
  const clipNote =
    `scores clipped to the ${+(qlo * 100).toFixed(2)}-${+(qhi * 100).toFixed(2)} percentiles` +
    ` (${clipped} of ${total} in the end bins)` +
    (dropped ? `; ${dropped} non-finite scores left out` : '');
  const names = groups.map((g) => g.name);
  const spec = withTitle(
    {
      width: opts.width ?? 400,
      height: opts.height ?? 220,
      data: { values: rows },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'score', scale: { zero: false, nice: false, domain: [lo, hi] } },
        y: { field: 'p', type: 'quantitative', title: 'fraction of group', stack: null, axis: { format: '.0%' } },
        color: { field: 'g', type: 'nominal', title: null, sort: names, legend: { orient: 'top', symbolType: 'square' } },
      },
      layer: [
        { mark: { type: 'area', interpolate: 'step-after', fillOpacity: 0.28, strokeWidth: 0 } },
        { mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 } },
      ],
    },
    opts.title,
    clipNote,
  );
  return finishChart(spec, total, `${opts.title ?? 'Histogram'} of ${names.join(' vs ')}`);
}

/** Line chart, one line per series (points drawn too when a series is short). */
export async function lineChart(
  series: { name: string; x: number[]; y: number[] }[],
  opts: {
    xTitle: string;
    yTitle: string;
    title?: string;
    subtitle?: string;
    xLog?: boolean;
    yLog?: boolean;
    /** d3 number formats for the axes; '%' = percent with as many decimals as needed. */
    xFormat?: string;
    yFormat?: string;
    width?: number;
    height?: number;
  },
): Promise<Chart> {
  const rows: { s: string; x: number; y: number; o: number }[] = [];
  for (const s of series) {
    if (s.x.length !== s.y.length) throw new RangeError(`lineChart: x and y of "${s.name}" differ in length`);
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i];
      const y = s.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (opts.xLog && x <= 0) continue;
      if (opts.yLog && y <= 0) continue;
      rows.push({ s: s.name, x, y, o: i });
    }
  }
  const names = series.map((s) => s.name);
  const short = series.every((s) => s.x.length <= 40);
  const axis = (log: boolean | undefined, key: 'x' | 'y', fmt: string | undefined) => {
    if (!log || rows.length === 0) return { scale: { zero: false }, axis: { ...axisFormat(fmt, rows.map((r) => r[key])) } };
    const v = rows.map((r) => r[key]);
    const la = logAxis(Math.min(...v), Math.max(...v));
    return { scale: { type: 'log', domain: la.domain, nice: false }, axis: { values: la.values, ...axisFormat(fmt) } };
  };
  const spec = withTitle(
    {
      width: opts.width ?? 400,
      height: opts.height ?? 260,
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.8, point: short ? { filled: true, size: 30 } : false },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: opts.xTitle, ...axis(opts.xLog, 'x', opts.xFormat) },
        y: { field: 'y', type: 'quantitative', title: opts.yTitle, ...axis(opts.yLog, 'y', opts.yFormat) },
        color: { field: 's', type: 'nominal', title: null, sort: names, legend: names.length > 1 ? { orient: 'bottom', direction: 'vertical', columns: 2 } : null },
        order: { field: 'o', type: 'quantitative' },
      },
    },
    opts.title,
    opts.subtitle,
  );
  return finishChart(spec, rows.length, `${opts.title ?? 'Line chart'}: ${opts.yTitle} against ${opts.xTitle}`);
}

/** Horizontal bar chart; rows with a `group` are drawn as grouped bars (one colour per group). */
export async function barChart(
  rows: { label: string; value: number; group?: string; low?: number; high?: number }[],
  opts: { valueTitle?: string; title?: string; subtitle?: string; format?: string; width?: number } = {},
): Promise<Chart> {
  const data = rows
    .filter((r) => Number.isFinite(r.value))
    .map((r) => ({ l: r.label, v: r.value, g: r.group ?? '', ...(r.low !== undefined && r.high !== undefined ? { lo: r.low, hi: r.high } : {}) }));
  const labels = [...new Set(data.map((r) => r.l))];
  const groups = [...new Set(data.map((r) => r.g))];
  const grouped = groups.length > 1 || (groups.length === 1 && groups[0] !== '');
  const errorBars = data.some((r) => 'lo' in r);
  // A row per label, a few tens of pixels whatever the number of groups: the bars of a group get thinner.
  const bar = grouped ? Math.max(4, Math.min(12, Math.floor(40 / groups.length))) : 14;
  const row = grouped ? bar * groups.length + 8 : 22;
  const x = { field: 'v', type: 'quantitative', title: opts.valueTitle ?? null, axis: { ...axisFormat(opts.format, [0, ...data.map((r) => Math.max(r.v, 'hi' in r ? (r.hi ?? r.v) : r.v))]) } };
  const position = {
    y: { field: 'l', type: 'nominal', title: null, sort: labels, axis: { labelLimit: 200 } },
    ...(grouped ? { yOffset: { field: 'g', type: 'nominal', sort: groups } } : {}),
  };
  const colour = grouped ? { color: { field: 'g', type: 'nominal', title: null, sort: groups, legend: { orient: 'bottom' } } } : { color: { value: PALETTE[0] } };
  const bars = { mark: { type: 'bar', cornerRadiusEnd: 2 }, encoding: { ...position, x, ...colour } };
  // 95% intervals as black rules over the bars
  const rules = { mark: { type: 'rule', color: '#222', strokeWidth: 1.2 }, encoding: { ...position, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } };
  const spec = withTitle(
    {
      width: opts.width ?? 360,
      height: { step: row, for: 'position' },
      data: { values: data },
      ...(errorBars ? { layer: [bars, rules] } : bars),
    },
    opts.title,
    opts.subtitle,
  );
  return finishChart(spec, data.length, `${opts.title ?? 'Bar chart'} of ${labels.length} items`);
}
