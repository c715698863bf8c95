// The content-addressed cache of trained models: one key for every entry (reference results, base
// models, checkpoints) and one read path where a damaged entry is a miss (it is retrained). Every entry is
// written with the SHA-256 of its bytes beside it (src/io/verified.ts) and checked on read: a mismatch is
// reported once, the entry discarded and recomputed. Entries written before digests existed are trusted
// once and their digest written then (from then on they are checked like the others).
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.ts';
import { probeWritable } from '../io/output.ts';
import { readVerified, removeVerified, writeDigest, writeVerified } from '../io/verified.ts';
import { notice } from '../util/notice.ts';
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

/** Reports a damaged entry once and removes it (with its digest) so that it is recomputed. */
export function discardEntry(file: string, why: string): void {
  notice(`cwrf: cache entry ${file} is damaged (${why}): discarded, recomputing it`, file);
  removeVerified(file);
}

/**
 * Reads a cache entry: its bytes checked against their digest, then decoded with `decode`; null when it is
 * absent, damaged (its digest differs: reported and discarded) or undecodable (the caller retrains it).
 */
export async function readEntry<T>(file: string, decode: (bytes: Buffer) => T | Promise<T>): Promise<T | null> {
  let r;
  try {
    r = await readVerified(file);
  } catch {
    return null;
  }
  if (r.state === 'missing') return null;
  if (r.state === 'mismatch') {
    discardEntry(file, `its bytes hash to ${r.actual.slice(0, 12)}..., recorded ${r.expected.slice(0, 12)}...`);
    return null;
  }
  let value: T;
  try {
    value = await decode(r.bytes);
  } catch {
    return null;
  }
  if (r.state === 'unverified' && value !== null) await writeDigest(file, r.bytes).catch(() => undefined); // trusted once, then checked
  return value;
}

/** Writes a cache entry's bytes (atomically) with their digest. */
export async function writeEntry(file: string, bytes: Uint8Array): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await writeVerified(file, bytes);
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
  const r = await readEntry(file, (bytes) => {
    const { tensors, metadata } = decodeSafetensors(bytes, { source: file });
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

/** Writes a reference result (atomically, with its digest). */
export async function writeRefEntry(file: string, r: RefOutput): Promise<void> {
  const n = r.logits.length / (r.classes * r.queries);
  const bytes = encodeSafetensors(
    { logits: { dtype: 'F32', shape: r.queries === 1 ? [n, r.classes] : [n, r.queries, r.classes], data: r.logits } },
    { trainAccuracy: String(r.trainAccuracy), testAccuracy: String(r.testAccuracy), seconds: String(r.seconds), threads: String(r.threads) },
  );
  await writeEntry(file, bytes);
}
