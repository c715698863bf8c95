// The normalisation layer of a convolutional model: BatchNorm, or GroupNorm (per-example, for DP-SGD), or none.
import { BatchNorm, GroupNorm, Sequential } from '../layers.ts';
import type { Module } from '../module.ts';

export type NormKind = 'batch' | 'group' | 'none';

/** BatchNorm2d(c), GroupNorm(min(32, c), c), or an identity (empty Sequential) for 'none'. */
export function normLayer(kind: NormKind, c: number): Module {
  if (kind === 'batch') return new BatchNorm(c);
  if (kind === 'group') return new GroupNorm(Math.min(32, c), c);
  return new Sequential();
}
