import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  barChart,
  downsampleRocIndices,
  esc,
  figure,
  fmtNum,
  fmtPct,
  headlineAttack,
  histogramChart,
  kv,
  lineChart,
  page,
  raw,
  renderAuditReport,
  rocChart,
  scatterChart,
  table,
  verdict,
  type ReportModel,
} from './index.ts';
import { rocAndMetrics, syntheticAudit } from './_testing.ts';

/** [data-points, inner html] of every <figure class="chart">. */
function figures(html: string): { points: number; body: string }[] {
  return [...html.matchAll(/<figure class="chart" data-points="(\d+)"[^>]*>([\s\S]*?)<\/figure>/g)].map((m) => ({
    points: Number(m[1]),
    body: m[2],
  }));
}

/** Every http(s) URI in the document other than the SVG / XLink namespace declarations. */
function externalUris(html: string): string[] {
  const ns = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']);
  return [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]).filter((u) => !ns.has(u));
}

test('esc escapes the five HTML specials', () => {
  assert.equal(esc(`<a href="x">Tom & 'Jerry'</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
  assert.equal(esc(undefined), '');
  assert.equal(esc(3), '3');
});

test('fmtPct and fmtNum', () => {
  assert.equal(fmtPct(0.1234, 1), '12.3%');
  assert.equal(fmtPct(0.041), '4.1%');
  assert.equal(fmtPct(0.00051, 2), '0.05%');
  assert.equal(fmtPct(Number.NaN), 'n/a');
  assert.equal(fmtNum(42), '42');
  assert.equal(fmtNum(50000), '50,000');
  assert.equal(fmtNum(0.123456), '0.1235');
  assert.equal(fmtNum(1.5e-5), '1.5e-5');
  assert.equal(fmtNum(0.5, 3), '0.500');
  assert.equal(fmtNum(Infinity), '∞');
});

test('table escapes headers, cells and caption; numeric columns are marked; raw cells pass through', () => {
  const h = table(['<name>', 'value'], [['a & b', 0.5], ['<script>x</script>', 12000], [raw('<em>ok</em>'), 1]], {
    caption: 'cap "1"',
    numeric: [false, true],
  });
  assert.ok(h.includes('<th scope="col">&lt;name&gt;</th>'));
  assert.ok(h.includes('<td>a &amp; b</td><td class="num">0.5</td>'));
  assert.ok(h.includes('&lt;script&gt;x&lt;/script&gt;'));
  assert.ok(!h.includes('<script>'));
  assert.ok(h.includes('<td class="num">12,000</td>'));
  assert.ok(h.includes('<td><em>ok</em></td>'));
  assert.ok(h.includes('<caption>cap &quot;1&quot;</caption>'));
});

test('kv flattens nested settings and escapes keys and values', () => {
  const h = kv({ lr: 0.1, '<k>': '<v>', nested: { a: 1, b: [1, 2] }, defenses: [{ kind: 'cwrf' }], none: [], flag: true, x: null });
  assert.ok(h.includes('<th scope="row">lr</th><td>0.1</td>'));
  assert.ok(h.includes('<th scope="row">&lt;k&gt;</th><td>&lt;v&gt;</td>'));
  assert.ok(h.includes('<th scope="row">nested.a</th><td>1</td>'));
  assert.ok(h.includes('<th scope="row">nested.b</th><td>1, 2</td>'));
  assert.ok(h.includes('<th scope="row">defenses[0].kind</th><td>cwrf</td>'));
  assert.ok(h.includes('<th scope="row">none</th><td>(none)</td>'));
  assert.ok(h.includes('<td>yes</td>') && h.includes('<td>—</td>'));
  assert.ok(kv({}).includes('none recorded'));
});

test('page is one self-contained document with colour-scheme, dark and print styles', () => {
  const h = page({ title: 'T <1>', subtitle: 'S & s', generated: 'now', sections: [{ heading: 'A "b"', html: '<p>body</p>' }] });
  assert.ok(h.startsWith('<!doctype html>'));
  assert.ok(h.includes('<meta name="color-scheme" content="light dark">'));
  assert.ok(h.includes('@media (prefers-color-scheme: dark)'));
  assert.ok(h.includes('@media print'));
  assert.ok(h.includes('break-inside: avoid'));
  assert.ok(h.includes('<title>T &lt;1&gt;</title>') && h.includes('<h1>T &lt;1&gt;</h1>'));
  assert.ok(h.includes('S &amp; s'));
  assert.ok(h.includes('<h2>A &quot;b&quot;</h2>') && h.includes('<p>body</p>'));
  assert.ok(!/<script|<link|@import|url\(/i.test(h));
});

test('downsampleRocIndices keeps <= maxPoints spread over log FPR, with both ends', () => {
  const n = 5000;
  const fpr = Float64Array.from({ length: n + 1 }, (_, i) => i / n);
  const idx = downsampleRocIndices(fpr, 400, 1e-4);
  assert.ok(idx.length <= 400 && idx.length > 100, `kept ${idx.length}`);
  assert.equal(idx[0], 0);
  assert.equal(idx[idx.length - 1], n);
  for (let k = 1; k < idx.length; k++) assert.ok(idx[k] > idx[k - 1]);
  // Every decade between 1e-3 and 1 holds points (uniform sampling would leave the low ones empty).
  for (const [lo, hi] of [[2e-4, 1e-3], [1e-3, 1e-2], [1e-2, 1e-1], [1e-1, 1]]) {
    const c = idx.filter((i) => fpr[i] >= lo && fpr[i] <= hi).length;
    assert.ok(c >= 3, `${c} points in [${lo}, ${hi}]`);
  }
  assert.deepEqual(downsampleRocIndices([0, 0.5, 1], 400, 1e-4), [0, 1, 2]);
});

test('rocChart: log-log SVG with currentColor text, zeros clamped, <= ~400 points per curve', async () => {
  const u = (() => {
    let s = 7;
    return () => ((s = (s * 16807) % 2147483647) / 2147483647);
  })();
  const g = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const mem = Float64Array.from({ length: 3000 }, () => g() + 1);
  const non = Float64Array.from({ length: 3000 }, () => g());
  const { roc } = rocAndMetrics(mem, non);
  assert.ok(roc.fpr.length > 4000);
  const c = await rocChart(
    [
      { series: 'a', fpr: roc.fpr, tpr: roc.tpr },
      { series: 'b', fpr: [0, 0, 1], tpr: [0, 0.5, 1] },
    ],
    { title: 'ROC <x>' },
  );
  assert.ok(c.points > 100 && c.points <= 403 + 3, `points ${c.points}`);
  assert.match(c.svg, /^<svg role="img" aria-label="[^"]*"/);
  assert.match(c.svg, /viewBox="0 0 [\d.]+ [\d.]+"/);
  assert.ok(c.svg.includes('currentColor'));
  assert.ok(!c.svg.includes('#0a0b0c'), 'sentinel colour left in the SVG');
  assert.ok(c.svg.includes('ROC &lt;x&gt;'));
  assert.ok(c.svg.includes('#4e79a7') && c.svg.includes('#f28e2b'), 'series colours');
  assert.ok(!/NaN|Infinity/.test(c.svg), 'non-finite coordinates');
  // Axis from the default minimum (smallest FPR 1/3000 -> 1e-4) to 100%.
  assert.ok(c.svg.includes('>0.01%<') && c.svg.includes('>100%<'));
  const fig = figure(c, 'cap & <b>');
  assert.ok(fig.startsWith(`<figure class="chart" data-points="${c.points}"`));
  assert.ok(fig.includes('<figcaption>cap &amp; &lt;b&gt;</figcaption>'));
  await assert.rejects(rocChart([{ series: 'x', fpr: [0, 1], tpr: [0] }]), /differ in length/);
});

test('scatter, histogram, line and bar charts render with data', async () => {
  const s = await scatterChart(
    [
      { label: 'base', x: 0.85, y: 0.12 },
      { label: 'cwrf', x: 0.83, y: 0 },
    ],
    { xTitle: 'acc', yTitle: 'tpr', yLog: true },
  );
  assert.equal(s.points, 2);
  assert.ok(s.svg.includes('>base<') && s.svg.includes('>cwrf<'));
  const vals = Float64Array.from({ length: 1000 }, (_, i) => i);
  vals[999] = 1e9; // an outlier that would squash the histogram without clipping
  const h = await histogramChart([{ name: 'members', values: vals }, { name: 'non-members', values: [1, 2, 3, Number.NaN] }]);
  assert.equal(h.points, 1003);
  assert.ok(h.svg.includes('clipped to the 0.5-99.5 percentiles'));
  assert.ok(h.svg.includes('1 non-finite'));
  assert.ok(!h.svg.includes('1e+9') && !h.svg.includes('1,000,000,000'), 'outlier stretched the axis');
  const l = await lineChart([{ name: 'a', x: [1, 10, 100], y: [0.1, 0.2, 0.3] }], { xTitle: 'x', yTitle: 'y', xLog: true });
  assert.equal(l.points, 3);
  const b = await barChart([
    { label: 'LiRA', value: 0.1, group: 'base' },
    { label: 'LiRA', value: 0.02, group: 'cwrf' },
  ]);
  assert.equal(b.points, 2);
  for (const c of [s, h, l, b]) assert.ok(c.svg.startsWith('<svg') && c.svg.includes('currentColor'));
});

function model(name: string, t: number, auc: number, acc = 0.8): ReportModel {
  return {
    name,
    trainAccuracy: 1,
    testAccuracy: acc,
    attacks: [{ name: 'lira-online-fixed', metrics: { auc, balancedAccuracy: 0.6, tprAt0_1pct: t, tprAt1pct: t }, roc: { fpr: [0, 1], tpr: [0, 1] } }],
  };
}

test('verdict sentences: down, up, unchanged, baseline', () => {
  const base = model('undefended', 0.123, 0.93, 0.852);
  assert.equal(
    verdict(model('cwrf', 0.041, 0.84, 0.83), 'lira-online-fixed', base),
    'LiRA (online, fixed variance) finds 4.1% of members at 0.1% false positives (AUC 0.84), down from 12.3% (AUC 0.93) for the undefended model; test accuracy 83.0% (−2.2 points).',
  );
  assert.match(verdict(model('x', 0.2, 0.95), 'lira-online-fixed', base), /finds 20\.0% .*, up from 12\.3% \(AUC 0\.93\) for the undefended model;/);
  assert.match(verdict(model('x', 0.123, 0.9), 'lira-online-fixed', base), /finds 12\.3% .*\(AUC 0\.90\), unchanged from the undefended model \(AUC 0\.93\);/);
  assert.equal(
    verdict(base, 'lira-online-fixed', base),
    'LiRA (online, fixed variance) finds 12.3% of members at 0.1% false positives (AUC 0.93), test accuracy 85.2%.',
  );
  assert.match(verdict(model('x', 0.0005, 0.51), 'lira-online-fixed', model('plain', 0.1, 0.9)), /finds 0\.05% .* for the undefended model \(plain\)/);
  assert.match(verdict(model('x', 0.1, 0.9), 'rmia-online', base), /not evaluated with RMIA \(online\)/);
  assert.equal(headlineAttack({ models: [base] }), 'lira-online-fixed');
  assert.equal(headlineAttack({ models: [{ ...base, attacks: [{ ...base.attacks[0], name: 'loss' }] }] }), 'loss');
});

test('audit report: synthetic 2 models x 3 attacks renders self-contained, every chart has data', async () => {
  const input = syntheticAudit();
  assert.ok(input.models[0].attacks[0].roc.fpr.length > 4000, 'ROC curves should have thousands of points');
  const html = await renderAuditReport(input);

  const figs = figures(html);
  // 1 bar chart + 3 ROC + 2 scatter + 2 histograms.
  assert.equal(figs.length, 8);
  for (const [i, f] of figs.entries()) {
    assert.ok(f.points > 0, `figure ${i} has no data points`);
    assert.ok(f.body.includes('<svg'), `figure ${i} has no svg`);
  }
  assert.equal((html.match(/<figure/g) ?? []).length, figs.length);

  // Self-contained: no scripts, stylesheets, or network references; user strings escaped.
  assert.ok(!/<script/i.test(html), 'script element in the report');
  assert.ok(!/<link|<img|<iframe|<object|<embed|@import|url\((?!#)/i.test(html), 'external resource');
  // Element ids (vega clip paths) are unique across the charts of the page.
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'duplicate element ids');
  assert.deepEqual(externalUris(html), []);
  assert.ok(html.includes('Synthetic audit &lt;test&gt; &amp; &quot;quotes&quot;'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));

  // Verdicts carry the right numbers.
  const [base, cwrf] = input.models;
  const m0 = base.attacks[0].metrics;
  const m1 = cwrf.attacks[0].metrics;
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;
  const expectCwrf =
    `LiRA (online, fixed variance) finds ${pct(m1.tprAt0_1pct)} of members at 0.1% false positives (AUC ${m1.auc.toFixed(2)}), ` +
    `down from ${pct(m0.tprAt0_1pct)} (AUC ${m0.auc.toFixed(2)}) for the undefended model; test accuracy 83.0% (−2.2 points).`;
  assert.ok(m1.tprAt0_1pct < m0.tprAt0_1pct);
  assert.ok(html.includes(expectCwrf), `missing verdict: ${expectCwrf}`);
  assert.ok(
    html.includes(
      `LiRA (online, fixed variance) finds ${pct(m0.tprAt0_1pct)} of members at 0.1% false positives (AUC ${m0.auc.toFixed(2)}), test accuracy 85.2%.`,
    ),
  );
  // Metrics table and the TPR@FPR definition.
  assert.ok(html.includes(`<td class="num">${(m1.tprAt0_1pct * 100).toFixed(2)}%</td>`));
  assert.ok(html.includes('largest ROC point whose false-positive rate is at most x%'));
  for (const h of ['Summary', 'Metrics', 'ROC curves', 'Privacy-utility trade-off', 'Score distributions', 'Settings']) {
    assert.ok(html.includes(`<h2>${h}</h2>`), `missing section ${h}`);
  }
  assert.ok(html.includes('defenses[0].rho'));
});

test('audit report input errors', async () => {
  await assert.rejects(renderAuditReport({ title: 't', models: [] }), /no models/);
  await assert.rejects(renderAuditReport({ title: 't', models: [model('a', 0.1, 0.9)], baseline: 'b' }), /baseline "b"/);
  await assert.rejects(renderAuditReport({ title: 't', models: [model('a', 0.1, 0.9), model('a', 0.1, 0.9)] }), /duplicate/);
});

test('audit report: degenerate inputs (one model, chance-level ROC, zero TPR, no scores, a model without attacks)', async () => {
  const a = model('a', 0, 0.5);
  const b: ReportModel = { ...model('b', 0, 0.5, 0.7), attacks: [] };
  for (const models of [[a], [a, { ...a, name: 'a2' }], [a, b]]) {
    const html = await renderAuditReport({ title: 't', models, baseline: 'a' });
    const figs = figures(html);
    assert.ok(figs.length >= 3);
    for (const f of figs) assert.ok(f.points > 0 && f.body.includes('<svg'));
    assert.ok(!/NaN|Infinity/.test(html), 'non-finite numbers in the report');
    assert.ok(html.includes('No scores recorded for'));
  }
  const html = await renderAuditReport({ title: 't', models: [a, b], baseline: 'a' });
  assert.ok(html.includes('not evaluated with Loss threshold') || html.includes('not evaluated with LiRA (online, fixed variance)'));
});

test('audit report: an audit with fewer than 32 references says what a stronger attacker may find, and how to get one', async () => {
  const input = syntheticAudit();
  const few = await renderAuditReport({ ...input, settings: { refs: 8 } });
  assert.match(few, /This audit used 8 reference models\. A stronger attacker finds more/);
  assert.match(few, /re-audit with --refs 32 \(--ref-block 8 reuses these 8 models\)/);
  for (const settings of [{ refs: 32 }, { refs: 64 }, undefined])
    assert.doesNotMatch(await renderAuditReport({ ...input, settings }), /A stronger attacker finds more/);
});
