// The results of the studies (analyze, bench), as their JSON records them and the report renders them: the
// report imports these types, never the other way round.

/** One model variant of the analysis, with its accuracies and attack metrics. */
export interface VariantResult {
  name: string;
  trainAccuracy: number;
  testAccuracy: number;
  attacks: Record<string, { auc: number; balancedAccuracy: number; tprAt0_1pct: number; tprAt1pct: number }>;
}

export interface AnalyzeJson {
  format: 'cwrf-analyze/1';
  run: string;
  /** Audit whose references the attacks used; null: no attacks were run (`--accuracy-only`). */
  audit: string | null;
  ratio: number;
  /** Parts left out to bound the cost (`--skip`): 'sweep' (rewind-only sweep), 'location' (location vs value). */
  skipped?: string[];
  concentration: { topShare: Record<string, number>; sweep: (VariantResult & { ratio: number })[] };
  entanglement: {
    pearson: number;
    spearman: number;
    perType: Record<string, { pearson: number; spearman: number; weights: number }>;
    topOverlap: Record<string, number>;
  };
  locationVsValue: VariantResult[];
  /** (iv) PVE vs |theta - theta0| over the ranked weights; `leastMovedShare` = critical weights in the least-moved decile (independence: 0.1). */
  movement: { pearson: number; spearman: number; leastMovedShare: number; leastMovedFraction: number; perType: Record<string, { spearman: number; weights: number }> };
  baseline: VariantResult;
  sample: { pve: number[]; tfo: number[] };
}

/** A sensitivity parameter of the sweep. */
export type SweepParam = 'ratio' | 'lambda';

/** A trade-off grid point: the CWRF row it varies, or its control (the same fine-tune with nothing rewound). */
export interface GridTag {
  of: string;
  control: boolean;
  /** Fraction rewound (absent for a control, or the row's default). */
  ratio?: number;
  /** Fine-tune epochs (absent: the row's default). */
  epochs?: number;
  /** The fine-tune's initial learning rate; absent: the recipe's. */
  lr?: number;
}

/** A 95% interval of one seed's metric (the audit's bootstrap). */
export interface SeedInterval {
  low: number;
  high: number;
}

/** One row of the table: a defense on one seed. */
export interface BenchRow {
  defense: string;
  seed: number;
  testAccuracy: number;
  trainAccuracy: number;
  /** Defense wall time over the base model's training time (a stage only; 1 + extra for retraining). */
  relativeCost: number;
  attacks: Record<string, { auc: number; tprAt0_1pct: number; tprAt1pct: number; intervals?: { auc: SeedInterval; tprAt0_1pct: SeedInterval } }>;
  /** Sensitivity point: the main row it varies, the parameter and its value. */
  sweep?: { of: string; param: SweepParam; value: number };
  /** Trade-off grid point. */
  grid?: GridTag;
  /** LiRA queries per example in the audit (1 when the audit does not record any). */
  queries?: number;
  /** Reference models of the audit, in a reference-count study (`bench --refs 8,16,...`). */
  refs?: number;
  /** Mean wall seconds of the audit's trained (not cached) references, in a reference-count study. */
  secondsPerReference?: number;
  /** Wall seconds of the audit's attacks, in a reference-count study. */
  attackSeconds?: number;
}

/** Everything the table asks for: rows, and the (row, seed) cells not done. */
export interface BenchResult {
  rows: BenchRow[];
  missing: { defense: string; seed: number | null; why: string }[];
  planned: number;
}
