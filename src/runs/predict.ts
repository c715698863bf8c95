// Logits of a run's model (or of an ONNX file's own weights) on the user's inputs, in eval mode.
import { readFileSync } from 'node:fs';
import { Generator, noGrad, tensor, tidy, cat, type Tensor } from '../engine/index.ts';
import { parseNpy, writeNpy } from '../data/npy.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { buildModel, type Module } from '../nn/index.ts';
import { OnnxModule } from '../nn/onnx/module.ts';
import { readOnnx } from '../nn/onnx/parse.ts';
import { ONNX_PREFIX } from '../nn/onnx/spec.ts';
import { InputError } from '../util/errors.ts';
import { runOnnxModule, runWeights } from './export.ts';
import { loadRun } from './run.ts';

/** Reads X.npy: float32 (or float64, converted) examples [n, ...]. */
export function readInputs(path: string): { data: Float32Array; shape: number[] } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const a = parseNpy(bytes, path);
  if (a.dtype !== 'f4' && a.dtype !== 'f8') throw new InputError(`${path}: inputs must be float32 or float64, got dtype ${a.dtype}`);
  if (a.shape.length < 2) throw new InputError(`${path}: inputs must be [n, features...], got shape [${a.shape}]`);
  return { data: a.data instanceof Float32Array ? a.data : Float32Array.from(a.data), shape: a.shape };
}

/** `m` taking examples of shape `inShape` (reshaped when they differ only by flattening), in eval mode; disposed if they cannot fit. */
function fitted(m: OnnxModule, inShape: number[], where: string): OnnxModule {
  try {
    m.fitInput(inShape, where);
  } catch (e) {
    m.dispose();
    throw e;
  }
  return m.eval();
}

/** The model named by `source`: `onnx:PATH` (the graph's own weights) or a run directory (its final weights). */
export async function modelForPredict(source: string, inShape: number[]): Promise<Module> {
  if (source.startsWith(ONNX_PREFIX)) {
    return fitted(new OnnxModule(readOnnx(source.slice(ONNX_PREFIX.length)), new Generator(0)), inShape, source);
  }
  const run = await loadRun(source);
  if (run.recipe.model.arch === 'onnx') return fitted(await runOnnxModule(run), inShape, run.dir);
  const state = await runWeights(run);
  // built-in models end in a classifier: its last parameter's first dim is the class count
  const probe = buildModel(run.recipe.model, inShape, 2, new Generator(0));
  const last = probe.namedParameters().at(-1)![0];
  probe.dispose();
  const classes = state[last]?.shape[0];
  if (!classes) throw new InputError(`${run.dir}/model.safetensors has no '${last}'`);
  const m = buildModel(run.recipe.model, inShape, classes, new Generator(0));
  m.loadStateDict(state, `${run.dir}/model.safetensors (for inputs of shape [${inShape}])`);
  return m.eval();
}

/** Eval-mode logits [n, classes] of `model` on `x`, in batches. */
export function predictArray(model: Module, x: { data: Float32Array; shape: number[] }, batch = 512): { logits: Float32Array; shape: [number, number] } {
  const n = x.shape[0];
  const per = x.data.length / Math.max(n, 1);
  model.eval();
  const out = noGrad(() =>
    tidy(() => {
      const parts: Tensor[] = [];
      for (let s = 0; s < n; s += batch) {
        const m = Math.min(batch, n - s);
        parts.push(model.forward(tensor(x.data.subarray(s * per, (s + m) * per), [m, ...x.shape.slice(1)], 'float32')));
      }
      const y = cat(parts, 0);
      if (y.shape.length !== 2) throw new InputError(`the model's output has shape [${y.shape}], expected [n, classes]`);
      return { logits: y.toFloat32(), shape: [y.shape[0], y.shape[1]] as [number, number] };
    }),
  );
  return out;
}

/** Writes the logits of `source` on X.npy to `out` (float32 .npy [n, classes], atomically). */
export async function predictToFile(source: string, input: string, out: string): Promise<{ n: number; classes: number }> {
  const x = readInputs(input);
  if (x.shape[0] === 0) throw new InputError(`${input}: no examples`);
  const model = await modelForPredict(source, x.shape.slice(1));
  try {
    const { logits, shape } = predictArray(model, x);
    await writeFileAtomic(out, writeNpy(logits, shape));
    return { n: shape[0], classes: shape[1] };
  } finally {
    model.dispose();
  }
}
