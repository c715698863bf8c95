// One reference model to train, as plain JSON: what the local process pool sends its children and
// what a queue job carries. Member halves travel bit-packed in base64, logits as base64 float32.
import type { Recipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import type { RefOutput } from '../runs/cache.ts';

/** A reference model: the recipe (its seeds and data options included), the member half and where the data is. */
export interface ReferenceTask {
  recipe: Recipe;
  /** The member half over the population, bit-packed (bit i of byte i>>3, LSB first), base64. */
  members: string;
  population: number;
  /** Where this machine reads datasets and keeps decoded images (machine-local; never sent over a queue). */
  dataDir?: string;
  cacheDir?: string;
  /** Cache root of trained models on this machine (machine-local). */
  cacheRoot: string;
  /** Refuse the task unless the dataset read here has this SHA-256 (queue workers). */
  datasetSha256?: string;
  /** libtorch intra-op threads for the training (part of the result: workers train with the coordinator's). */
  threads: number;
  /** LiRA queries per example the result holds (default 1). */
  queries?: number;
}

/** The part of a task that describes the model, the same on every machine. */
export type ReferenceSpec = Pick<ReferenceTask, 'recipe' | 'members' | 'population' | 'threads' | 'queries'>;

/** The machine-local part of a task. */
export type ReferenceLocal = Omit<ReferenceTask, keyof ReferenceSpec>;

/** Per-epoch progress of a reference's training or defense stage. */
export interface ReferenceProgress {
  stage: string;
  epoch: number;
}

/** A trained reference's result as JSON: its population logits (base64 float32, little-endian) and accuracies. */
export type ReferenceOutcome = Omit<RefOutput, 'logits'> & { logits: string };

/** Parent -> child: the one task a child process runs. */
export type ParentMessage = { type: 'task'; task: ReferenceTask };

/** Child -> parent: progress, then the outcome or an error. */
export type ChildMessage =
  | { type: 'progress'; progress: ReferenceProgress }
  | { type: 'notice'; line: string }
  | { type: 'done'; outcome: ReferenceOutcome }
  | { type: 'error'; message: string; input: boolean };

/** Bit-packs a 0/1 mask into base64. */
export function packMembers(mask: Uint8Array): string {
  const bits = new Uint8Array(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i]) bits[i >> 3] |= 1 << (i & 7);
  return Buffer.from(bits).toString('base64');
}

/** The 0/1 mask of `packMembers`, checking its length. */
export function unpackMembers(b64: string, population: number): Uint8Array {
  const bits = Buffer.from(b64, 'base64');
  if (!Number.isInteger(population) || population < 0 || bits.length !== Math.ceil(population / 8))
    throw new InputError(`member half: ${bits.length} bytes do not encode ${population} examples`);
  const mask = new Uint8Array(population);
  for (let i = 0; i < population; i++) mask[i] = (bits[i >> 3] >> (i & 7)) & 1;
  return mask;
}

/** A result as JSON. */
export function encodeOutcome(r: RefOutput): ReferenceOutcome {
  const l = r.logits;
  return {
    logits: Buffer.from(l.buffer, l.byteOffset, l.byteLength).toString('base64'),
    classes: r.classes,
    queries: r.queries,
    trainAccuracy: r.trainAccuracy,
    testAccuracy: r.testAccuracy,
    seconds: r.seconds,
    threads: r.threads,
  };
}

/** The result of `encodeOutcome`, checking it holds `population` x queries x classes logits. */
export function decodeOutcome(o: ReferenceOutcome, population: number): RefOutput {
  const buf = Buffer.from(o.logits, 'base64');
  const q = o.queries ?? 1;
  if (!Number.isInteger(o.classes) || o.classes < 1 || !Number.isInteger(q) || q < 1 || buf.length !== population * q * o.classes * 4)
    throw new Error(`reference result has ${buf.length} bytes of logits, expected ${population} x ${q} x ${o.classes} float32`);
  const logits = new Float32Array(population * q * o.classes);
  new Uint8Array(logits.buffer).set(buf);
  return { logits, classes: o.classes, queries: q, trainAccuracy: o.trainAccuracy, testAccuracy: o.testAccuracy, seconds: o.seconds, threads: o.threads };
}
