// The privacy-utility Pareto front: the bench page's trade-off curves and `cwrf tune`'s selection both draw it.

/** A measured point: its accuracy (higher is better) and its leak metric (lower is more private). */
export interface Scored {
  id: string;
  accuracy: number;
  metric: number;
}

/** The points no other beats on both accuracy (higher) and the metric (lower), by accuracy (highest first). */
export function paretoFront<T extends Scored>(xs: T[]): T[] {
  const front = xs.filter((a) => !xs.some((b) => b !== a && b.accuracy >= a.accuracy && b.metric <= a.metric && (b.accuracy > a.accuracy || b.metric < a.metric)));
  return front.sort((a, b) => b.accuracy - a.accuracy || a.metric - b.metric || a.id.localeCompare(b.id));
}
