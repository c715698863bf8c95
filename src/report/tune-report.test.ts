import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTuneReport, tuneVerdict, type TuneReportInput } from './tune-report.ts';

const input: TuneReportInput = {
  run: 'runs/loc',
  goalLabel: 'lira-online-fixed TPR at 0.1% FPR',
  goalMax: 0.01,
  maxAccuracyDrop: 0.01,
  baseValidationAccuracy: 0.6,
  candidates: [
    { id: 'rewind-r0.1', label: 'rewind r 0.1%', baseline: false, reached: 1, rungs: [{ refs: 2, accuracy: 0.6, metric: 0.02, testAccuracy: 0.59 }, { refs: 4, accuracy: 0.6, metric: 0.008, testAccuracy: 0.59 }] },
    { id: 'relaxloss', label: 'retrain <RelaxLoss>', baseline: true, reached: 0, rungs: [{ refs: 2, accuracy: 0.58, metric: 0.01, testAccuracy: 0.58 }] },
  ],
  front: ['rewind-r0.1'],
  chosen: 'rewind-r0.1',
  searchMeetsGoal: true,
  fresh: [
    { id: 'rewind-r0.1', label: 'rewind r 0.1%', testAccuracy: 0.59, metric: 0.012, auc: 0.8, tprAt0_1pct: 0.012, refs: 8 },
    { id: 'undefended', label: 'undefended', testAccuracy: 0.6, metric: 0.05, auc: 0.9, tprAt0_1pct: 0.05, refs: 8 },
  ],
  freshMeetsGoal: false,
  schedule: [
    { candidates: 2, refs: 2 },
    { candidates: 1, refs: 4 },
  ],
};

test('tune page: the verdict comes from the fresh audit and says when the goal fails there', async () => {
  const v = tuneVerdict(input);
  assert.match(v, /Chosen: rewind r 0\.1%\. On a fresh audit \(8 references/);
  assert.match(v, /1\.2% against 5\.0% undefended/);
  assert.match(v, /does not meet the goal/);
  const html = await renderTuneReport(input);
  assert.ok(html.includes('retrain &lt;RelaxLoss&gt;') && !html.includes('<RelaxLoss>'), 'labels are escaped');
  assert.ok(html.includes('Fresh audits'));
  assert.match(tuneVerdict({ ...input, chosen: null }), /nothing is recommended/);
});
