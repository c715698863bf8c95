import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 1200, height: 900 } });
await p.setContent(readFileSync(process.argv[2], 'utf8'), { waitUntil: 'load' });
const info = await p.evaluate(`[...document.querySelectorAll('figure.chart')].map((f, i) => {
  const s = f.querySelector('svg'); const r = s.getBoundingClientRect();
  const axes = [...s.querySelectorAll('g.role-axis')].map((a) => [...a.querySelectorAll('.role-axis-label text')].map((t) => t.textContent));
  return { i, title: (s.querySelector('.role-title-text text')||{}).textContent, w: Math.round(r.width), h: Math.round(r.height), top: Math.round(r.top + scrollY), axes };
})`);
console.log(JSON.stringify(info, null, 0).replace(/\},\{/g, '},\n{'));
const n = process.argv[3];
if (n) { const figs = await p.$$('figure.chart'); for (const k of n.split(',')) await figs[Number(k)].screenshot({ path: `/tmp/package-chart${k}.png` }); }
await b.close();
