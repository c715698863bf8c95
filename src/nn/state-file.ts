// State dicts <-> safetensors files.
import { readSafetensors, writeSafetensors, type StoredTensor } from '../io/safetensors.ts';
import type { StateEntry } from './module.ts';
import { InputError } from '../util/errors.ts';

/** A state dict in the safetensors layout. */
export function toStored(state: Record<string, StateEntry>): Record<string, StoredTensor> {
  const out: Record<string, StoredTensor> = {};
  for (const [k, e] of Object.entries(state)) {
    const d = e.data;
    const dtype =
      d instanceof Float32Array ? 'F32' : d instanceof Float64Array ? 'F64' : d instanceof BigInt64Array ? 'I64' : d instanceof Int32Array ? 'I32' : 'U8';
    out[k] = { dtype, shape: e.shape, data: d } as StoredTensor;
  }
  return out;
}

export function fromStored(t: Record<string, StoredTensor>, source: string): Record<string, StateEntry> {
  const out: Record<string, StateEntry> = {};
  for (const [k, s] of Object.entries(t)) {
    if (!['F32', 'F64', 'I64', 'I32', 'U8', 'BOOL'].includes(s.dtype))
      throw new InputError(`${source}: tensor '${k}' has unsupported dtype ${s.dtype}`);
    out[k] = { shape: s.shape, data: s.data as StateEntry['data'] };
  }
  return out;
}

/** The entries of `state` whose names start with `prefix` (e.g. 'model/'), with the prefix removed. */
export function underPrefix(state: Record<string, StateEntry>, prefix: string): Record<string, StateEntry> {
  const out: Record<string, StateEntry> = {};
  for (const [k, v] of Object.entries(state)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** Writes a state dict atomically as safetensors (with optional string metadata). */
export function saveState(path: string, state: Record<string, StateEntry>, metadata?: Record<string, string>): Promise<void> {
  return writeSafetensors(path, toStored(state), metadata);
}

/** Reads a state dict written by saveState (or by torch/safetensors with the same names). */
export async function loadState(path: string): Promise<Record<string, StateEntry>> {
  const { tensors } = await readSafetensors(path);
  return fromStored(tensors, path);
}
