// `cwrf export`: a run's (defended) weights as an ONNX model (its own graph) or as safetensors.
import { exportRunOnnx, exportRunSafetensors, loadRun } from '../../experiments/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, type Command } from '../command.ts';

export const exportCommand: Command = {
  summary: "write a run's weights into its ONNX graph (ready for ONNX Runtime) or as safetensors",
  usage: 'cwrf export RUN_DIR --onnx OUT.onnx | --safetensors OUT.safetensors',
  examples: ['cwrf export runs/mine-rewind --onnx defended.onnx', 'cwrf export runs/loc --safetensors loc.safetensors'],
  options: { ...COMMON, onnx: { type: 'string' }, safetensors: { type: 'string' } },
  async run(v, pos, io) {
    const dir = pos[0];
    if (!dir) throw new InputError('give a run directory: cwrf export RUN_DIR --onnx OUT.onnx');
    const onnx = typeof v.onnx === 'string' ? v.onnx : undefined;
    const st = typeof v.safetensors === 'string' ? v.safetensors : undefined;
    if (!onnx && !st) throw new InputError('give --onnx OUT.onnx or --safetensors OUT.safetensors');
    const run = await loadRun(dir);
    if (onnx) {
      await exportRunOnnx(run, onnx);
      io.log(`wrote ${onnx} (${run.dir}'s weights in its ONNX graph, inference mode)`);
    }
    if (st) {
      await exportRunSafetensors(run, st);
      io.log(`wrote ${st}`);
    }
    return { run: dir, ...(onnx ? { onnx } : {}), ...(st ? { safetensors: st } : {}) };
  },
};
