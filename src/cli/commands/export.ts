// `cwrf export`: a run's (defended) weights as an ONNX model (its own graph) or as safetensors.
import { exportRunOnnx, exportRunSafetensors, loadRun, runInputs } from '../../runs/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, FORCE, type Command } from '../command.ts';
import { prepareOut } from '../output.ts';

export const exportCommand: Command = {
  summary: "write a run's weights into its ONNX graph (ready for ONNX Runtime) or as safetensors",
  usage: 'cwrf export RUN_DIR --onnx OUT.onnx | --safetensors OUT.safetensors',
  examples: ['cwrf export runs/mine-rewind --onnx defended.onnx', 'cwrf export runs/loc --safetensors loc.safetensors'],
  flags: {
    ...COMMON,
    onnx: { type: 'string', value: 'OUT.onnx', description: "the run's ONNX graph (a run of --model onnx:PATH) with the run's weights, inference mode" },
    safetensors: { type: 'string', value: 'OUT.safetensors', description: "the run's weights with torch-style names" },
    ...FORCE,
  },
  async run(f, pos, io) {
    const dir = pos[0];
    if (!dir) throw new InputError('give a run directory: cwrf export RUN_DIR --onnx OUT.onnx');
    if (pos.length > 1) throw new InputError(`unexpected argument '${pos[1]}'`);
    const onnx = f.opt<string>('onnx');
    const st = f.opt<string>('safetensors');
    if (!onnx && !st) throw new InputError('give --onnx OUT.onnx or --safetensors OUT.safetensors');
    const run = await loadRun(dir);
    const graph = (run.recipe.model as { path?: unknown }).path;
    const inputs = [...runInputs(dir), ...(typeof graph === 'string' ? [graph] : [])];
    if (onnx && onnx === st) throw new InputError('--onnx and --safetensors name the same file');
    if (onnx) prepareOut(f, { path: onnx, kind: 'file', inputs, flag: '--onnx' });
    if (st) prepareOut(f, { path: st, kind: 'file', inputs, flag: '--safetensors' });
    if (onnx) {
      await exportRunOnnx(run, onnx);
      io.log(`wrote ${onnx} (${run.dir}'s weights in its ONNX graph, inference mode)`);
      if (run.inputReshape) io.log(`note: it takes the graph's own input [${run.inputReshape.model}]; the run reshaped the data's examples [${run.inputReshape.data}] to it`);
    }
    if (st) {
      await exportRunSafetensors(run, st);
      io.log(`wrote ${st}`);
    }
    return { run: dir, ...(onnx ? { onnx } : {}), ...(st ? { safetensors: st } : {}) };
  },
};
