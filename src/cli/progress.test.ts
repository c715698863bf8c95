import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from './progress.ts';

test('cached units count as done but not in the rate behind the ETA', () => {
  const lines: string[] = [];
  const io = { json: false, quiet: false, log: () => {}, err: (l: string) => lines.push(l) };
  const p = new Progress(io, 'refs', 4);
  p.skip('(cached)');
  p.skip('(cached)');
  assert.match(lines[1], /^refs 2\/4 \(cached\) .*ETA \?$/, 'no rate yet: nothing was trained');
  p.tick();
  assert.match(lines[2], /^refs 3\/4 .*ETA \d+s$/);
  const eta = Number(/ETA (\d+)s/.exec(lines[2])![1]);
  const elapsed = Number(/elapsed (\d+)s/.exec(lines[2])![1]);
  assert.ok(eta <= elapsed + 1, `one trained unit left, at the one trained unit's pace: ETA ${eta}s, elapsed ${elapsed}s`);
});
