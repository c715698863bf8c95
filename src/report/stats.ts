// The summaries' statistics over seeds: one mean and one standard deviation for every table.

/** Arithmetic mean (NaN for none). */
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The standard deviation of the tables: the sample one (n - 1), because seeds are a sample of the runs a defense
 * could give; NaN for one seed (there is no spread to show, and 0 would claim there is none).
 */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}
