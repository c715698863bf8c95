// Parameter groups of `analyze`'s per-type tables (entanglement, movement): a parameter's kind, with biases apart,
// a transformer's MLP apart from its other linear layers, and the paper's combined ViT row 'attention+mlp'.
import type { ParamKind } from '../nn/index.ts';

/** The group of one parameter: 'bias' for 1-D non-norm parameters, 'mlp' for linear layers under a module named `mlp`, else its kind. */
export function parameterGroup(name: string, kind: ParamKind | undefined, shape: readonly number[]): string {
  if (shape.length === 1 && kind !== 'norm') return 'bias';
  if (kind === 'linear' && name.split('.').includes('mlp')) return 'mlp';
  return kind ?? 'other';
}

/** Combined groups reported beside their parts (the paper's ViT table has one attention+MLP row). */
const COMBINED: Record<string, string[]> = { 'attention+mlp': ['attention', 'mlp'] };

/** Parameter names per group, in parameter order; a combined group is added when all its parts are present. */
export function analysisGroups(params: readonly (readonly [string, readonly number[]])[], kinds: ReadonlyMap<string, ParamKind>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [n, shape] of params) {
    const g = parameterGroup(n, kinds.get(n), shape);
    groups.set(g, [...(groups.get(g) ?? []), n]);
  }
  for (const [name, parts] of Object.entries(COMBINED))
    if (parts.every((p) => groups.has(p))) {
      const members = new Set(parts.flatMap((p) => groups.get(p)!));
      groups.set(name, params.map(([n]) => n).filter((n) => members.has(n)));
    }
  return groups;
}
