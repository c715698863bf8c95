// The content-addressed cache of trained models: one key for every entry (reference results, base
// models, checkpoints) and one read path where a damaged entry is a miss (it is retrained).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../io/safetensors.ts';
import { probeWritable } from '../io/output.ts';
import { canonicalJson, type Recipe } from '../train/index.ts';

/** Default cache root: $CWRF_CACHE_DIR or ~/.cache/cwrf. */
export function cacheDir(): string {
  return process.env.CWRF_CACHE_DIR ?? join(homedir(), '.cache', 'cwrf');
}

/** Throws an InputError (one line) unless the model cache under `root` can be written; call it before training. */
export function checkCacheWritable(root = cacheDir()): void {
  probeWritable(join(root, 'models', 'probe'), 'dir', `the model cache ${root}${process.env.CWRF_CACHE_DIR ? ' ($CWRF_CACHE_DIR)' : ''}`);
}

/** The key of a recipe (seeds included) trained on a member half, up to its first `stages` defenses (default all). */
export function recipeKey(recipe: Recipe, members: Uint8Array, stages = recipe.defenses.length): string {
  return createHash('sha256')
    .update(canonicalJson({ ...recipe, defenses: recipe.defenses.slice(0, stages) }))
    .update(members)
    .digest('hex')
    .slice(0, 32);
}

/** Reads a cache entry with `read`; null when it is absent or damaged (the caller retrains it). */
export async function readEntry<T>(file: string, read: (file: string) => Promise<T>): Promise<T | null> {
  if (!existsSync(file)) return null;
  try {
    return await read(file);
  } catch {
    return null;
  }
}

/** What an audit keeps of a trained model: its logits on the population (per query) and its accuracies. */
export interface RefOutput {
  /** [n, queries, classes] row-major. */
  logits: Float32Array;
  classes: number;
  /** LiRA queries per example. */
  queries: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
  /** Intra-op threads it trained with. */
  threads: number;
}

/** The cache file of a reference model's result under `queries` LiRA queries (the logits differ with the query set). */
export function refFile(recipe: Recipe, members: Uint8Array, root = cacheDir(), queries = 1): string {
  return join(root, 'models', `${recipeKey(recipe, members)}${queries === 1 ? '' : `-q${queries}`}.safetensors`);
}

/** Reads a cached reference result, or null when absent, damaged or trained with another thread count than `threads`. */
export async function readRefEntry(file: string, threads: number): Promise<RefOutput | null> {
  const r = await readEntry(file, async (f) => {
    const { tensors, metadata } = await readSafetensors(f);
    if (Number(metadata.threads) !== threads) return null;
    const l = tensors.logits;
    return {
      logits: l.data as Float32Array,
      classes: l.shape[l.shape.length - 1],
      queries: l.shape.length === 3 ? l.shape[1] : 1,
      trainAccuracy: Number(metadata.trainAccuracy),
      testAccuracy: Number(metadata.testAccuracy),
      seconds: Number(metadata.seconds),
      threads,
    };
  });
  return r ?? null;
}

/** Writes a reference result (atomically). */
export async function writeRefEntry(file: string, r: RefOutput): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const n = r.logits.length / (r.classes * r.queries);
  await writeSafetensors(
    file,
    { logits: { dtype: 'F32', shape: r.queries === 1 ? [n, r.classes] : [n, r.queries, r.classes], data: r.logits } },
    { trainAccuracy: String(r.trainAccuracy), testAccuracy: String(r.testAccuracy), seconds: String(r.seconds), threads: String(r.threads) },
  );
}
