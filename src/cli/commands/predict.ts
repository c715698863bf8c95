// `cwrf predict`: eval-mode logits of a run's model or an ONNX file on the user's inputs.
import { predictToFile } from '../../experiments/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, type Command } from '../command.ts';

export const predictCommand: Command = {
  summary: 'logits (float32 [n, classes] .npy, eval mode) of a run or an ONNX model on X.npy',
  usage: 'cwrf predict RUN_DIR|onnx:MODEL.onnx --input X.npy --out LOGITS.npy',
  examples: ['cwrf predict runs/loc-rewind --input x.npy --out logits.npy', 'cwrf predict onnx:defended.onnx --input x.npy --out logits.npy'],
  options: { ...COMMON, input: { type: 'string', short: 'i' }, out: { type: 'string', short: 'o' } },
  async run(v, pos, io) {
    const source = pos[0];
    if (!source) throw new InputError('give a run directory or onnx:MODEL.onnx');
    if (typeof v.input !== 'string') throw new InputError('--input X.npy is required');
    if (typeof v.out !== 'string') throw new InputError('--out LOGITS.npy is required');
    const r = await predictToFile(source, v.input, v.out);
    io.log(`wrote ${v.out}: logits [${r.n}, ${r.classes}]`);
    return { source, input: v.input, out: v.out, ...r };
  },
};
