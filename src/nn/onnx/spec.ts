// The 'onnx' model family: `--model onnx:PATH.onnx` in a recipe, built into an OnnxModule with fresh weights
// (PyTorch's defaults by role, seeded like the built-in models), the graph's own weights, or a safetensors file.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Generator } from '../../engine/index.ts';
import { decodeSafetensors } from '../../io/safetensors.ts';
import { InputError } from '../../util/errors.ts';
import { fromStored } from '../state-file.ts';
import { OnnxModule } from './module.ts';
import { readOnnx, type OnnxModel } from './parse.ts';

/** Where a model's initial weights come from. */
export type OnnxInit = 'reset' | 'graph';

/** An ONNX model in a recipe: the file (absolute path, content hash) and the source of its initial weights. */
export interface OnnxModelSpec {
  arch: 'onnx';
  path: string;
  sha256: string;
  /** 'reset' (default): PyTorch's default initialisation by role; 'graph': the initializers as stored. */
  init?: OnnxInit;
  /** Initial weights from a safetensors file named as the graph's initializers (overrides `init`). */
  initFrom?: { path: string; sha256: string };
}

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
export function validateOnnxSpec(s: OnnxModelSpec): void {
  if (typeof s.path !== 'string' || typeof s.sha256 !== 'string') throw new InputError("model 'onnx' needs a path and its sha256");
  if (s.init !== undefined && s.init !== 'reset' && s.init !== 'graph') throw new InputError(`model init '${String(s.init)}' is not one of reset, graph`);
}
