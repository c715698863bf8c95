// BatchNormalization (batch statistics and running-stat updates while training), LayerNormalization.
import { call } from '../../../engine/index.ts';
import { register } from '../registry.ts';
import { attrFloat, attrInt, axis, fail, need } from './util.ts';

register(
  'BatchNormalization',
  (node) => {
    const eps = attrFloat(node, 'epsilon', 1e-5);
    // ONNX: running = momentum * running + (1 - momentum) * batch; torch's momentum is the other weight.
    const momentum = 1 - attrFloat(node, 'momentum', 0.9);
    return (ins, rt) => {
      const x = need(node, ins, 0);
      const mean = need(node, ins, 3);
      const variance = need(node, ins, 4);
      const y = call('aten::batch_norm', [x, need(node, ins, 1), need(node, ins, 2), mean, variance, rt.training, momentum, eps, false]);
      return [y, mean, variance];
    };
  },
  { since: 7 },
);

register(
  'LayerNormalization',
  (node) => {
    const a = attrInt(node, 'axis', -1);
    const eps = attrFloat(node, 'epsilon', 1e-5);
    if (node.outputs.slice(1).some(Boolean)) fail(node, 'the Mean and InvStdDev outputs are not supported');
    return (ins) => {
      const x = need(node, ins, 0);
      const ax = axis(node, a, x.shape.length);
      return [call('aten::layer_norm', [x, x.shape.slice(ax), need(node, ins, 1), ins[2] ?? null, eps, false])];
    };
  },
  { since: 17 },
);
