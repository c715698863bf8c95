// Test helpers for src/report (not part of the public API): a synthetic audit built from Gaussian scores.

import type { AttackCurve, AuditReportInput } from './audit-report.ts';

import { rng } from '../attacks/_testing.ts';
export { rng };

function gauss(u: () => number): number {
  return Math.sqrt(-2 * Math.log(u() || Number.MIN_VALUE)) * Math.cos(2 * Math.PI * u());
}

/** Exact ROC (ties as one step) and the report's metrics from member / non-member scores. */
export function rocAndMetrics(mem: Float64Array, non: Float64Array): Pick<AttackCurve, 'roc' | 'metrics'> {
  const P = Float64Array.from(mem).sort();
  const N = Float64Array.from(non).sort();
  const fpr = [0];
  const tpr = [0];
  let i = P.length - 1;
  let j = N.length - 1;
  while (i >= 0 || j >= 0) {
    const s = i < 0 ? N[j] : j < 0 ? P[i] : Math.max(P[i], N[j]);
    while (i >= 0 && P[i] === s) i--;
    while (j >= 0 && N[j] === s) j--;
    fpr.push((N.length - 1 - j) / N.length);
    tpr.push((P.length - 1 - i) / P.length);
  }
  let auc = 0;
  let bal = 0;
  let t01 = 0;
  let t1 = 0;
  for (let k = 0; k < fpr.length; k++) {
    if (k > 0) auc += ((fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1])) / 2;
    bal = Math.max(bal, 1 - (fpr[k] + 1 - tpr[k]) / 2);
    if (fpr[k] <= 0.001) t01 = tpr[k];
    if (fpr[k] <= 0.01) t1 = tpr[k];
  }
  return {
    roc: { fpr: Float64Array.from(fpr), tpr: Float64Array.from(tpr) },
    metrics: { auc, balancedAccuracy: bal, tprAt0_1pct: t01, tprAt1pct: t1 },
  };
}

/** Member scores: a fraction `tail` of members far out (shift `far`), the rest shifted by `near`. */
function attack(name: string, u: () => number, n: number, near: number, far: number, tail: number): AttackCurve {
  const mem = new Float64Array(n);
  const non = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    mem[k] = gauss(u) + (u() < tail ? far : near);
    non[k] = gauss(u);
  }
  return { name, ...rocAndMetrics(mem, non), memberScores: mem, nonMemberScores: non };
}

/** Two models (undefended, CWRF) x three attacks, n members and n non-members each (ROC ~2n points). */
export function syntheticAudit(n = 2500, seed = 1): AuditReportInput {
  const u = rng(seed);
  return {
    title: 'Synthetic audit <test> & "quotes"',
    subtitle: 'CIFAR-10-like, ResNet-18, 16 reference models',
    generated: '2025-01-01T00:00:00Z',
    baseline: 'undefended',
    models: [
      {
        name: 'undefended',
        trainAccuracy: 0.998,
        testAccuracy: 0.852,
        attacks: [
          attack('lira-online-fixed', u, n, 0.9, 4.5, 0.12),
          attack('rmia-online', u, n, 1.0, 4.0, 0.1),
          attack('loss', u, n, 0.8, 2.0, 0.05),
        ],
        settings: { objective: 'ce', epochs: 100, lr: 0.1, defenses: [] },
      },
      {
        name: 'cwrf (rho=0.3)',
        trainAccuracy: 0.941,
        testAccuracy: 0.83,
        attacks: [
          attack('lira-online-fixed', u, n, 0.5, 3.5, 0.03),
          attack('rmia-online', u, n, 0.5, 3.0, 0.03),
          attack('loss', u, n, 0.4, 1.5, 0.02),
        ],
        settings: { objective: 'ce', epochs: 100, lr: 0.1, defenses: [{ kind: 'cwrf', rho: 0.3, mask: 'fisher' }] },
        note: 'Defended with CWRF <script>alert(1)</script>.',
      },
    ],
    settings: { references: 16, population: 10000, attacks: ['lira-online-fixed', 'rmia-online', 'loss'], queries: 2 },
  };
}

/** Six models x six attacks with test accuracies within 0.2 points of each other (a demo-sized comparison). */
export function syntheticComparison(n = 1000, seed = 2): AuditReportInput {
  const u = rng(seed);
  const names = ['lira-online-fixed', 'lira-online', 'rmia-online', 'loss', 'confidence', 'modified-entropy'];
  const accs = [0.918, 0.9183, 0.9186, 0.919, 0.9175, 0.9181];
  const models = ['undefended', 'cwrf', 'rewind', 'relaxloss', 'relaxloss + cwrf', 'relaxloss + rewind'].map((name, k) => ({
    name,
    trainAccuracy: 0.99 - 0.01 * k,
    testAccuracy: accs[k],
    attacks: names.map((a, j) => attack(a, u, n, 0.9 - 0.1 * k - 0.05 * j, 4 - 0.4 * k, 0.1 - 0.012 * k)),
    settings: { objective: k >= 3 ? 'relaxloss' : 'ce', epochs: 30 },
  }));
  return {
    title: 'Synthetic comparison of six models',
    generated: '2025-01-01T00:00:00Z',
    baseline: 'undefended',
    models,
    settings: { references: 8, population: 2 * n, attacks: names },
  };
}
