// `cwrf predict`: eval-mode logits of a run's model or an ONNX file on the user's inputs.
import { predictToFile } from '../../runs/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, FORCE, type Command } from '../command.ts';
import { runInputs } from '../../runs/index.ts';
import { ONNX_PREFIX } from '../../nn/onnx/spec.ts';
import { prepareOut } from '../output.ts';

export const predictCommand: Command = {
  summary: 'logits (float32 [n, classes] .npy, eval mode) of a run or an ONNX model on X.npy',
  usage: 'cwrf predict RUN_DIR|onnx:MODEL.onnx --input X.npy --out LOGITS.npy',
  examples: ['cwrf predict runs/loc-rewind --input x.npy --out logits.npy', 'cwrf predict onnx:defended.onnx --input x.npy --out logits.npy'],
  flags: {
    ...COMMON,
    input: { type: 'string', short: 'i', value: 'X.npy', defaultText: 'required', description: 'inputs [n, ...] (float32 or float64), as the model sees them' },
    out: { type: 'string', short: 'o', value: 'LOGITS.npy', defaultText: 'required', description: 'where the float32 [n, classes] logits go' },
    ...FORCE,
  },
  async run(f, pos, io) {
    const source = pos[0];
    if (!source) throw new InputError('give a run directory or onnx:MODEL.onnx');
    if (pos.length > 1) throw new InputError(`unexpected argument '${pos[1]}'`);
    const input = f.opt<string>('input');
    const out = f.opt<string>('out');
    if (input === undefined) throw new InputError('--input X.npy is required');
    if (out === undefined) throw new InputError('--out LOGITS.npy is required');
    const model = source.startsWith(ONNX_PREFIX) ? [source.slice(ONNX_PREFIX.length)] : runInputs(source);
    prepareOut(f, { path: out, kind: 'file', inputs: [input, ...model] });
    const r = await predictToFile(source, input, out);
    io.log(`wrote ${out}: logits [${r.n}, ${r.classes}]`);
    return { source, input, out, ...r };
  },
};
