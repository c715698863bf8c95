// Elementwise arithmetic and comparisons (numpy broadcasting, as ATen's), Cast, Where.
import { call, type Tensor } from '../../../engine/index.ts';
import { elemDType } from '../parse.ts';
import { register } from '../registry.ts';
import { fail, need } from './util.ts';

const INT = new Set(['int64', 'int32', 'int16', 'int8', 'uint8']);

function binary(op: string, f: (a: Tensor, b: Tensor) => Tensor): void {
  register(op, (node) => (ins) => [f(need(node, ins, 0), need(node, ins, 1))]);
}
binary('Add', (a, b) => a.add(b));
binary('Sub', (a, b) => a.sub(b));
binary('Mul', (a, b) => a.mul(b));
binary('Div', (a, b) => (INT.has(a.dtype) && INT.has(b.dtype) ? call('aten::div.Tensor_mode', [a, b], { rounding_mode: 'trunc' }) : a.div(b)));
binary('Pow', (a, b) => call('aten::pow.Tensor_Tensor', [a, b]));
binary('Equal', (a, b) => a.eq(b));
binary('Less', (a, b) => a.lt(b));
binary('Greater', (a, b) => a.gt(b));
binary('Max', (a, b) => call('aten::maximum', [a, b]));
binary('Min', (a, b) => call('aten::minimum', [a, b]));

function unary(op: string, f: (a: Tensor) => Tensor): void {
  register(op, (node) => (ins) => [f(need(node, ins, 0))]);
}
unary('Neg', (a) => a.neg());
unary('Abs', (a) => a.abs());
unary('Sqrt', (a) => a.sqrt());
unary('Exp', (a) => a.exp());
unary('Log', (a) => a.log());
unary('Reciprocal', (a) => call('aten::reciprocal', [a]));
unary('Not', (a) => a.logicalNot());

register('Where', (node) => (ins) => [call('aten::where.self', [need(node, ins, 0), need(node, ins, 1), need(node, ins, 2)])]);

register('Cast', (node) => {
  const to = node.attributes.get('to')?.i;
  if (to === undefined) fail(node, "attribute 'to' is missing");
  const dtype = elemDType(to, `ONNX node '${node.name}' (Cast)`);
  return (ins) => [need(node, ins, 0).to(dtype)];
});
