// The floating dtype new parameters are created in (as torch.set_default_dtype): float32, or float64 for gradient checks.
import type { DType } from '../engine/index.ts';

let current: DType = 'float32';

/** The dtype layers create their parameters in. */
export function defaultDtype(): DType {
  return current;
}

/** Runs `fn` with parameters created in `dtype` (e.g. float64 models for finite-difference checks). */
export function withDefaultDtype<T>(dtype: DType, fn: () => T): T {
  const prev = current;
  current = dtype;
  try {
    return fn();
  } finally {
    current = prev;
  }
}
