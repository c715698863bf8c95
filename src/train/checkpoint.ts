// Training checkpoints: the model, its initial weights, the optimizer state, every random stream and the
// history, written atomically after an epoch (with the SHA-256 of its bytes beside it), so an interrupted
// fit() continues bit-identically; a checkpoint whose bytes do not match is reported and training starts over.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { tensor, type Generator, type Tensor } from '../engine/index.ts';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.ts';
import { readVerifiedSync, removeVerified, writeVerifiedSync } from '../io/verified.ts';
import { notice } from '../util/notice.ts';
import { fromStored, toStored, underPrefix, type Module, type StateEntry } from '../nn/index.ts';
import type { Optimizer } from '../optim/index.ts';
import type { Rng } from '../util/rng.ts';
import type { EpochStats, FitOptions } from './loop.ts';

/** Named random streams a training loop draws from (torch generators and JS Rngs). */
export interface RandomStreams {
  generators?: Record<string, Generator>;
  rngs?: Record<string, Rng>;
}

/** Where to checkpoint, what the checkpoint must belong to, and how often. */
export interface CheckpointSpec {
  file: string;
  /** Identifies the training (recipe and members); a checkpoint with another key is ignored. */
  key: string;
  /** Minimum seconds between two checkpoints (0: after every epoch). */
  everySeconds: number;
}

/** What a training checkpoints: live objects, read on save and overwritten on restore. */
export interface CheckpointState {
  model: Module;
  init: Record<string, StateEntry>;
  optimizer: Optimizer;
  streams: RandomStreams;
}

const FORMAT = 'cwrf-checkpoint/1';

function entry(t: Tensor): StateEntry {
  return { shape: t.shape, data: t.data() as StateEntry['data'] };
}

/** Writes a checkpoint (atomically: a crash mid-write leaves the previous one). */
export function writeCheckpoint(spec: CheckpointSpec, s: CheckpointState, history: EpochStats[], seconds: number): void {
  const tensors: Record<string, StateEntry> = {};
  for (const [k, v] of Object.entries(s.model.stateDict())) tensors[`model/${k}`] = v;
  for (const [k, v] of Object.entries(s.init)) tensors[`init/${k}`] = v;
  const opt = s.optimizer.stateEntries();
  for (const [k, t] of Object.entries(opt.tensors)) tensors[`optim/${k}`] = entry(t);
  for (const [k, g] of Object.entries(s.streams.generators ?? {})) {
    const st = g.getState();
    tensors[`gen/${k}`] = entry(st);
    st.dispose();
  }
  const rngs = Object.fromEntries(Object.entries(s.streams.rngs ?? {}).map(([k, r]) => [k, r.getState()]));
  mkdirSync(dirname(spec.file), { recursive: true });
  const meta = { format: FORMAT, key: spec.key, history: JSON.stringify(history), seconds: String(seconds), steps: String(opt.steps), rngs: JSON.stringify(rngs) };
  writeVerifiedSync(spec.file, [encodeSafetensors(toStored(tensors), meta)]);
}

/**
 * Restores a checkpoint into `s` and returns where to continue, or null when there is none, it belongs to
 * another training, or it cannot be read (training then starts over).
 */
export function restoreCheckpoint(spec: CheckpointSpec, s: CheckpointState): { history: EpochStats[]; seconds: number } | null {
  let parsed: ReturnType<typeof decodeSafetensors>;
  try {
    const r = readVerifiedSync(spec.file);
    if (r.state === 'missing') return null;
    if (r.state === 'mismatch') {
      notice(`cwrf: checkpoint ${spec.file} is damaged (its bytes do not match their SHA-256): discarded, training from the start`, spec.file);
      removeVerified(spec.file);
      return null;
    }
    parsed = decodeSafetensors(r.bytes, { source: spec.file });
  } catch {
    return null;
  }
  const { tensors, metadata } = parsed;
  if (metadata?.format !== FORMAT || metadata.key !== spec.key) return null;
  const state = fromStored(tensors, spec.file);
  const pick = (prefix: string) => underPrefix(state, prefix);
  const toTensor = (e: StateEntry) =>
    tensor(e.data as Float32Array, e.shape, e.data instanceof Float64Array ? 'float64' : e.data instanceof Uint8Array ? 'uint8' : 'float32');
  s.model.loadStateDict(pick('model/'), spec.file);
  for (const k of Object.keys(s.init)) delete s.init[k];
  Object.assign(s.init, pick('init/'));
  const opt = Object.fromEntries(Object.entries(pick('optim/')).map(([k, e]) => [k, toTensor(e)]));
  s.optimizer.loadStateEntries(Number(metadata.steps), opt);
  for (const t of Object.values(opt)) t.dispose();
  const gens = pick('gen/');
  for (const [k, g] of Object.entries(s.streams.generators ?? {})) {
    if (!gens[k]) throw new Error(`${spec.file}: no state for random stream '${k}'`);
    const st = toTensor(gens[k]);
    g.setState(st);
    st.dispose();
  }
  const rngs = JSON.parse(metadata.rngs) as Record<string, (number | null)[]>;
  for (const [k, r] of Object.entries(s.streams.rngs ?? {})) r.setState(rngs[k]);
  return { history: JSON.parse(metadata.history) as EpochStats[], seconds: Number(metadata.seconds) };
}

/**
 * fit() options that continue from `spec` and write it after epochs (at most every spec.everySeconds), and a
 * clock of the training time including earlier, interrupted attempts. Without spec: a plain fit.
 */
export function checkpointedFit(
  spec: CheckpointSpec | undefined,
  state: CheckpointState,
  epochs: number,
): { options: Pick<FitOptions, 'done' | 'afterEpoch'>; seconds: () => number } {
  const t0 = performance.now();
  if (!spec) return { options: {}, seconds: () => (performance.now() - t0) / 1000 };
  const resumed = restoreCheckpoint(spec, state);
  const before = resumed?.seconds ?? 0;
  const seconds = () => before + (performance.now() - t0) / 1000;
  let saved = performance.now();
  return {
    seconds,
    options: {
      ...(resumed ? { done: resumed.history } : {}),
      afterEpoch: (h) => {
        if (h.length >= epochs || (performance.now() - saved) / 1000 < spec.everySeconds) return;
        writeCheckpoint(spec, state, h, seconds());
        saved = performance.now();
      },
    },
  };
}

/** Removes a checkpoint (a file and its digest, or a directory of them) once its training's output is safely written. */
export function removeCheckpoint(path: string): void {
  rmSync(path, { force: true, recursive: true });
  rmSync(`${path}.sha256`, { force: true });
}
