// Activations: Relu, LeakyRelu, Sigmoid, Tanh, Erf (GELU as exported), Gelu, Softmax, LogSoftmax, Elu.
import { call, type Tensor } from '../../../engine/index.ts';
import { register } from '../registry.ts';
import { attrFloat, attrInt, attrString, axis, fail, need, prod } from './util.ts';

register('Relu', (node) => (ins) => [need(node, ins, 0).relu()]);
register('Sigmoid', (node) => (ins) => [need(node, ins, 0).sigmoid()]);
register('Tanh', (node) => (ins) => [need(node, ins, 0).tanh()]);
register('Erf', (node) => (ins) => [call('aten::erf', [need(node, ins, 0)])]);
register('LeakyRelu', (node) => {
  const alpha = attrFloat(node, 'alpha', 0.01);
  return (ins) => [call('aten::leaky_relu', [need(node, ins, 0), alpha])];
});
register('Elu', (node) => {
  const alpha = attrFloat(node, 'alpha', 1);
  return (ins) => [call('aten::elu', [need(node, ins, 0), alpha, 1, 1])];
});
register(
  'Gelu',
  (node) => {
    const approximate = attrString(node, 'approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh') fail(node, `approximate '${approximate}' is not supported`);
    return (ins) => [call('aten::gelu', [need(node, ins, 0)], { approximate })];
  },
  { since: 20 },
);

/** Softmax-like ops: opset < 13 coerces the input to 2-D at `axis` (default 1); 13+ works along `axis` (default -1). */
function softmaxLike(op: string, f: (x: Tensor, dim: number) => Tensor): void {
  register(
    op,
    (node) => {
      const a = attrInt(node, 'axis', 1);
      return (ins) => {
        const x = need(node, ins, 0);
        const ax = axis(node, a, x.shape.length);
        const flat = x.reshape([prod(x.shape.slice(0, ax)), prod(x.shape.slice(ax))]);
        return [f(flat, 1).reshape(x.shape)];
      };
    },
    { until: 12 },
  );
  register(
    op,
    (node) => {
      const a = attrInt(node, 'axis', -1);
      return (ins) => {
        const x = need(node, ins, 0);
        return [f(x, axis(node, a, x.shape.length))];
      };
    },
    { since: 13 },
  );
}
softmaxLike('Softmax', (x, d) => x.softmax(d));
softmaxLike('LogSoftmax', (x, d) => x.logSoftmax(d));

/** Clip (ReLU6 and friends): bounds as attributes before opset 11, as optional inputs from 11. */
register('Clip', (node) => (ins) => [need(node, ins, 0).clamp(node.attributes.get('min')?.f ?? null, node.attributes.get('max')?.f ?? null)], { until: 10 });
register('Clip', (node) => (ins) => [call('aten::clamp.Tensor', [need(node, ins, 0), ins[1] ?? null, ins[2] ?? null])], { since: 11 });
