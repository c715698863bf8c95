// Your own architecture as an ONNX graph: --model onnx:PATH.onnx (src/nn/onnx/).
import { buildOnnxModel, onnxModelSpec, validateOnnxSpec, type OnnxModelSpec } from '../onnx/spec.ts';
import type { ModelEntry, ModelSpec } from './types.ts';

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
    const init = options.init as OnnxModelSpec['init'];
    const initFrom = options.initFrom as string | undefined;
    return onnxModelSpec(path, { init, initFrom }) as unknown as ModelSpec;
  },
  validate: (spec) => validateOnnxSpec(spec as unknown as OnnxModelSpec),
  build: (spec, inShape, classes, gen) => buildOnnxModel(spec as unknown as OnnxModelSpec, inShape, classes, gen),
};
