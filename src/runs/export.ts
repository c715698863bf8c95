// Exporting a run's (defended) weights: into its own ONNX graph (ready for ONNX Runtime), or as safetensors.
import { join } from 'node:path';
import { Generator } from '../engine/index.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { loadState, saveState, type StateEntry } from '../nn/index.ts';
import { exportOnnx } from '../nn/onnx/export.ts';
import { OnnxModule } from '../nn/onnx/module.ts';
import { readOnnx } from '../nn/onnx/parse.ts';
import { readOnnxSpec } from '../nn/onnx/spec.ts';
import { InputError } from '../util/errors.ts';
import type { Run } from './run.ts';

/** The run's final weights (torch-style names, as in model.safetensors). */
export function runWeights(run: Run): Promise<Record<string, StateEntry>> {
  return loadState(join(run.dir, 'model.safetensors'));
}

/** The run's ONNX model (its recipe's graph) holding the run's final weights. */
export async function runOnnxModule(run: Run): Promise<OnnxModule> {
  if (run.recipe.model.arch !== 'onnx') throw new InputError(`${run.dir}: its model is cwrf's built-in '${run.recipe.model.arch}', not an ONNX graph (export it with --safetensors)`);
  const spec = readOnnxSpec(run.recipe.model);
  const model = readOnnx(spec.path);
  if (model.sha256 !== spec.sha256) throw new InputError(`${spec.path} changed since ${run.dir} was trained (sha256 differs)`);
  const m = new OnnxModule(model, new Generator(run.recipe.seed));
  try {
    m.loadStateDict(await runWeights(run), `${run.dir}/model.safetensors`);
  } catch (e) {
    m.dispose();
    throw e;
  }
  return m.eval();
}

/** Writes the run's weights into its ONNX graph at `out` (atomically). */
export async function exportRunOnnx(run: Run, out: string): Promise<void> {
  const m = await runOnnxModule(run);
  try {
    await writeFileAtomic(out, exportOnnx(m));
  } finally {
    m.dispose();
  }
}

/** Writes the run's weights as safetensors at `out` (atomically). */
export async function exportRunSafetensors(run: Run, out: string): Promise<void> {
  await saveState(out, await runWeights(run));
}
