import * as tar from 'tar';
import { parse } from 'csv-parse/sync';
import { parse as parseAsync } from 'csv-parse';
import { readFileSync } from 'node:fs';
let t0 = performance.now();
const b = readFileSync('/work/shared/data/location/dataset_location.tgz');
let data: Buffer | null = null;
const p = new tar.Parser({ strict: true, onReadEntry: (e) => { const ch: Buffer[] = []; e.on('data', (c: Buffer) => ch.push(c)); e.on('end', () => { data = Buffer.concat(ch); }); } });
p.end(b);
console.log('untar', performance.now() - t0);
t0 = performance.now();
const rows = parse(data!, { relax_column_count: true }) as string[][];
console.log('csv-parse sync', performance.now() - t0, rows.length, rows[0].length, rows[0].slice(0, 5));
t0 = performance.now();
const text = data!.toString('utf8');
const lines = text.split('\n');
let cnt = 0;
for (const l of lines) { if (!l) continue; const f = l.split(','); for (let i = 1; i < f.length; i++) { const v = +f[i]; if (v) cnt++; } }
console.log('split', performance.now() - t0, cnt);
