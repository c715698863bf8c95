// Normalisation layers chosen by name (shared by the convolutional families).
import { BatchNorm, GroupNorm, Sequential } from '../layers.ts';
import type { Module } from '../module.ts';
import type { OptionSpec } from '../../util/options.ts';
import type { NormKind } from './types.ts';

/** Zero or one normalisation layer over `c` channels. */
export function norm(kind: NormKind, c: number): Module[] {
  if (kind === 'batch') return [new BatchNorm(c)];
  if (kind === 'group') return [new GroupNorm(Math.min(32, c), c)];
  return [];
}

/** The --norm option with the family's default. */
export function normOption(def: NormKind): OptionSpec {
  return { type: 'choice', choices: ['batch', 'group', 'none'], default: def, description: 'normalisation layers (group for DP-SGD)' };
}

/** One normalisation module over `c` channels (an identity, an empty Sequential, for 'none'). */
export function normLayer(kind: NormKind, c: number): Module {
  return norm(kind, c)[0] ?? new Sequential();
}
