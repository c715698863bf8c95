// Your own architecture as an ONNX graph: --model onnx:PATH.onnx (src/nn/onnx/).
import { buildOnnxModel, ONNX_INITS, onnxModelSpec, readOnnxSpec, validateOnnxSpec } from '../onnx/spec.ts';
import { checkChoice } from '../../util/check.ts';
import type { ModelEntry } from './types.ts';

export const onnxModel: ModelEntry = {
  name: 'onnx',
  description: 'an ONNX graph: --model onnx:PATH.onnx (initializers become parameters, nodes run as libtorch ops)',
  argument: 'PATH.onnx',
  options: {
    init: {
      type: 'choice',
      choices: ['reset', 'graph'],
      default: 'reset',
      description: "ONNX model's initial weights: PyTorch's default init by role (seeded) or the graph's own values",
    },
    'init-from': {
      type: 'string',
      value: 'FILE',
      defaultText: 'none',
      key: 'initFrom',
      description: "ONNX model's initial weights from a safetensors file named as the graph's initializers",
    },
  },
  fromArgument(path, options) {
    const init = options.init === undefined ? undefined : checkChoice(options.init, 'model init', ONNX_INITS);
    const initFrom = typeof options.initFrom === 'string' ? options.initFrom : undefined;
    return onnxModelSpec(path, { init, initFrom });
  },
  validate: validateOnnxSpec,
  build: (spec, inShape, classes, gen) => buildOnnxModel(readOnnxSpec(spec), inShape, classes, gen),
};
