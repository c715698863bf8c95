// The 'onnx' model family: `--model onnx:PATH.onnx` in a recipe, built into an OnnxModule with fresh weights
// (PyTorch's defaults by role, seeded like the built-in models), the graph's own weights, or a safetensors file.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Generator } from '../../engine/index.ts';
import { decodeSafetensors } from '../../io/safetensors.ts';
import { isRecord } from '../../util/check.ts';
import { InputError } from '../../util/errors.ts';
import type { ModelSpec } from '../models/types.ts';
import { fromStored } from '../state-file.ts';
import { OnnxModule } from './module.ts';
import { readOnnx, type OnnxModel } from './parse.ts';

/** Where a model's initial weights come from. */
export const ONNX_INITS = ['reset', 'graph'] as const;
export type OnnxInit = (typeof ONNX_INITS)[number];

/** An ONNX model in a recipe: the file (absolute path, content hash) and the source of its initial weights. */
interface OnnxModelFields {
  arch: 'onnx';
  path: string;
  sha256: string;
  /** 'reset' (default): PyTorch's default initialisation by role; 'graph': the initializers as stored. */
  init?: OnnxInit;
  /** Initial weights from a safetensors file named as the graph's initializers (overrides `init`). */
  initFrom?: { path: string; sha256: string };
}

/** An ONNX model in a recipe (a mapped type, so that it is a recipe's ModelSpec as it is). */
export type OnnxModelSpec = { [K in keyof OnnxModelFields]: OnnxModelFields[K] };

/** The prefix of `--model onnx:PATH`. */
export const ONNX_PREFIX = 'onnx:';

function sha256File(path: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return createHash('sha256').update(bytes).digest('hex');
}

/** The spec of `onnx:PATH` (the file is read, checked and hashed now). */
export function onnxModelSpec(value: string, opts: { init?: OnnxInit; initFrom?: string } = {}): OnnxModelSpec {
  const path = resolve(value.startsWith(ONNX_PREFIX) ? value.slice(ONNX_PREFIX.length) : value);
  if (path === resolve('')) throw new InputError('--model onnx:PATH needs a file path');
  const model = readOnnx(path);
  new OnnxModule(model, new Generator(0)).dispose(); // converts every node now: unsupported ops fail here
  const spec: OnnxModelSpec = { arch: 'onnx', path, sha256: model.sha256 };
  if (opts.init && opts.init !== 'reset') spec.init = opts.init;
  if (opts.initFrom) {
    const p = resolve(opts.initFrom);
    spec.initFrom = { path: p, sha256: sha256File(p, 'initial weights') };
  }
  return spec;
}

const cache = new Map<string, { model: OnnxModel; stamp: string }>();
function modelOf(spec: OnnxModelSpec): OnnxModel {
  let stamp = '';
  try {
    const st = statSync(spec.path);
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch {
    // readOnnx reports it
  }
  const hit = cache.get(spec.path);
  if (hit && hit.stamp === stamp && hit.model.sha256 === spec.sha256) return hit.model;
  const model = readOnnx(spec.path);
  if (model.sha256 !== spec.sha256)
    throw new InputError(`${spec.path} changed since the run was recorded (sha256 ${model.sha256.slice(0, 12)}, recorded ${spec.sha256.slice(0, 12)})`);
  cache.set(spec.path, { model, stamp });
  return model;
}

/** Builds the module of `spec` for examples of `inShape` and `classes` outputs; `gen` draws fresh weights, then Dropout. */
export function buildOnnxModel(spec: OnnxModelSpec, inShape: number[], classes: number, gen: Generator): OnnxModule {
  const m = new OnnxModule(modelOf(spec), gen);
  try {
    m.checkData(inShape, classes);
    if (spec.initFrom) {
      const { path, sha256 } = spec.initFrom;
      const bytes = readFileSync(path);
      const got = createHash('sha256').update(bytes).digest('hex');
      if (got !== sha256) throw new InputError(`${path} changed since the run was recorded`);
      m.loadStateDict(fromStored(decodeSafetensors(bytes, { source: path }).tensors, path), path);
    } else if ((spec.init ?? 'reset') === 'reset') m.resetParameters(gen);
    return m;
  } catch (e) {
    m.dispose();
    throw e;
  }
}

/** Checks the fields of a recorded spec. */
export function validateOnnxSpec(s: ModelSpec): void {
  readOnnxSpec(s);
}

/** A recorded model spec of the 'onnx' family, checked (path and hash, init choice, init file) and typed. */
export function readOnnxSpec(s: ModelSpec): OnnxModelSpec {
  if (s.arch !== 'onnx') throw new InputError(`model '${s.arch}' is not an ONNX graph`);
  if (typeof s.path !== 'string' || typeof s.sha256 !== 'string') throw new InputError("model 'onnx' needs a path and its sha256");
  const init = s.init === undefined ? undefined : ONNX_INITS.find((i) => i === s.init);
  if (s.init !== undefined && init === undefined) throw new InputError(`model init '${String(s.init)}' is not one of reset, graph`);
  const from = s.initFrom;
  let initFrom: { path: string; sha256: string } | undefined;
  if (from !== undefined) {
    if (!(isRecord(from) && typeof from.path === 'string' && typeof from.sha256 === 'string')) throw new InputError("model 'onnx': initFrom needs a path and its sha256");
    initFrom = { path: from.path, sha256: from.sha256 };
  }
  return {
    arch: 'onnx',
    path: s.path,
    sha256: s.sha256,
    ...(init !== undefined ? { init } : {}),
    ...(initFrom !== undefined ? { initFrom } : {}),
  };
}
