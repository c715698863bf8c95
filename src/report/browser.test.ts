// Opens a rendered audit report in headless Chromium (Debian's /usr/bin/chromium via playwright-core):
// no console or page errors, no network requests, every chart has an SVG with real marks, readable in
// light and dark mode, no taller than 1.5 viewports, with distinct tick labels on each axis (also on a
// six-model comparison); screenshots go to artifacts/report.png, report-dark.png and report-six.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderAuditReport } from './audit-report.ts';
import { syntheticAudit, syntheticComparison } from './_testing.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'artifacts');

/** Arial-metric font the charts are measured with (without it Chromium falls back to a wider one and clips labels). */
const FONT_FILE = '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf';

/** Make sure Debian's chromium and the Liberation fonts are there, installing them with apt-get when running as root. */
function ensureChromium(): void {
  const pkgs = [...(existsSync(CHROMIUM) ? [] : ['chromium']), ...(existsSync(FONT_FILE) ? [] : ['fonts-liberation'])];
  if (pkgs.length === 0) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) {
    assert.fail(`${pkgs.join(' and ')} missing and this test is not running as root; install with: sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  console.error(`# installing the Debian packages ${pkgs.join(', ')} (chromium takes a few minutes the first time)`);
  const r = spawnSync('bash', ['-c', `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60 * 1000,
    encoding: 'utf8',
  });
  if (r.status !== 0 || !existsSync(CHROMIUM) || !existsSync(FONT_FILE)) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    assert.fail(`could not install ${pkgs.join(' ')} with apt-get (status ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${tail}`);
  }
}

interface ChartInfo {
  points: number;
  svgs: number;
  marks: number;
  width: number;
  height: number;
  textColour: string;
  title: string;
  /** Tick labels of each axis. */
  axes: string[][];
}

/** Runs in the page (as source text: this project's TypeScript has no DOM lib). */
const INSPECT = `(() => {
  const charts = [...document.querySelectorAll('figure.chart')].map((f) => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : null;
    // Data marks: the items inside vega's role-mark groups (lines, areas, symbols, rects, labels).
    const marks = svg ? svg.querySelectorAll('g.role-mark > path, g.role-mark > text, g.role-mark > g').length : 0;
    const label = svg ? svg.querySelector('.role-axis-label text') || svg.querySelector('text') : null;
    return {
      points: Number(f.getAttribute('data-points')),
      svgs: f.querySelectorAll('svg').length,
      marks,
      width: box ? box.width : 0,
      height: box ? box.height : 0,
      textColour: label ? getComputedStyle(label).fill : '',
      title: svg ? (svg.querySelector('.role-title-text text') || {}).textContent || '' : '',
      axes: svg ? [...svg.querySelectorAll('g.role-axis')].map((a) => [...a.querySelectorAll('.role-axis-label text')].map((t) => t.textContent)) : [],
    };
  });
  const cs = getComputedStyle(document.body);
  return {
    charts,
    bg: cs.backgroundColor,
    fg: cs.color,
    overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
  };
})()`;

async function inspect(page: Page): Promise<{ charts: ChartInfo[]; bg: string; fg: string; overflow: boolean }> {
  return page.evaluate(INSPECT) as Promise<{ charts: ChartInfo[]; bg: string; fg: string; overflow: boolean }>;
}

function rgb(css: string): [number, number, number] {
  const m = /rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)/.exec(css);
  assert.ok(m, `not an rgb colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = rgb(c).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const VIEWPORT = { width: 1200, height: 900 };
const LAUNCH = {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

/** Charts sized to their content (at most 1.5 viewport heights) and every axis with distinct tick labels. */
function checkLayout(charts: ChartInfo[], what: string): void {
  for (const [i, c] of charts.entries()) {
    const name = `${what}: chart ${i} (${c.title})`;
    assert.ok(c.height <= VIEWPORT.height * 1.5, `${name} is ${Math.round(c.height)} px tall (viewport ${VIEWPORT.height})`);
    for (const labels of c.axes) assert.equal(new Set(labels).size, labels.length, `${name} repeats tick labels: ${labels.join(' ')}`);
  }
}

test('audit report renders in headless Chromium, light and dark', { timeout: 20 * 60 * 1000 }, async () => {
  ensureChromium();
  const html = await renderAuditReport(syntheticAudit());
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'report.html'), html);

  let browser: Browser | undefined;
  try {
    browser = await chromium.launch(LAUNCH);
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    page.on('request', (r) => {
      if (!/^(data|about):/.test(r.url())) requests.push(r.url());
    });
    await page.setContent(html, { waitUntil: 'load' });

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const info = await inspect(page);
      assert.ok(info.charts.length >= 8, `${scheme}: expected at least 8 charts, found ${info.charts.length}`);
      for (const [i, c] of info.charts.entries()) {
        assert.ok(c.points > 0, `${scheme}: chart ${i} has data-points=${c.points}`);
        assert.equal(c.svgs, 1, `${scheme}: chart ${i} has ${c.svgs} svg elements`);
        assert.ok(c.marks >= 2, `${scheme}: chart ${i} has only ${c.marks} data marks`);
        assert.ok(c.width > 200 && c.height > 100, `${scheme}: chart ${i} renders at ${c.width}x${c.height}`);
        const ratio = contrast(c.textColour, info.bg);
        assert.ok(ratio > 4.5, `${scheme}: chart ${i} text ${c.textColour} on ${info.bg}: contrast ${ratio.toFixed(2)}`);
      }
      checkLayout(info.charts, scheme);
      assert.ok(contrast(info.fg, info.bg) > 7, `${scheme}: body text ${info.fg} on ${info.bg}`);
      assert.equal(info.overflow, false, `${scheme}: the page scrolls horizontally`);
      if (scheme === 'dark') {
        const [r, g, b] = rgb(info.bg);
        assert.ok(r + g + b < 150, `dark mode background is not dark: ${info.bg}`);
      }
      await page.screenshot({ path: join(ARTIFACTS, scheme === 'light' ? 'report.png' : 'report-dark.png'), fullPage: true });
    }
    // Charts in the light and dark page use the same SVG but different text colours.
    await page.emulateMedia({ colorScheme: 'light' });
    const light = (await inspect(page)).charts[0].textColour;
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = (await inspect(page)).charts[0].textColour;
    assert.notEqual(light, dark, 'chart text colour does not follow the colour scheme');

    // Narrow (phone) and print layouts do not overflow.
    await page.setViewportSize({ width: 420, height: 900 });
    assert.equal((await inspect(page)).overflow, false, 'the page scrolls horizontally at 420 px');
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    const printed = await inspect(page);
    assert.equal(printed.bg, 'rgb(255, 255, 255)', 'print background is not white');
    assert.equal(printed.charts[0].textColour, 'rgb(0, 0, 0)', 'printed chart text is not black');

    assert.deepEqual(errors, [], 'console or page errors');
    assert.deepEqual(requests, [], 'the report made network requests');
  } finally {
    await browser?.close();
  }
});

test('six-model comparison: the TPR bar chart has rows of a few tens of pixels, close accuracies get distinct ticks', { timeout: 20 * 60 * 1000 }, async () => {
  ensureChromium();
  const input = syntheticComparison();
  const html = await renderAuditReport(input);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'report-six.html'), html);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch(LAUNCH);
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.setContent(html, { waitUntil: 'load' });
    const { charts } = await inspect(page);
    checkLayout(charts, 'six models');
    const bars = charts.find((c) => c.title === 'TPR at 0.1% FPR by attack');
    assert.ok(bars, 'the report has the TPR bar chart');
    const rows = input.models[0].attacks.length;
    assert.ok(bars.height / rows < 80, `bar chart rows are ${Math.round(bars.height / rows)} px (${Math.round(bars.height)} px for ${rows} rows)`);
    const accuracy = charts.find((c) => c.title.startsWith('Test accuracy vs'));
    assert.ok(accuracy && accuracy.axes.some((a) => a.length >= 3 && a.every((l) => l.endsWith('%'))), 'the accuracy axis has labels');
    await page.screenshot({ path: join(ARTIFACTS, 'report-six.png'), fullPage: true });
  } finally {
    await browser?.close();
  }
});
