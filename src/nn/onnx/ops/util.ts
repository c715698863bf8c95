// Attribute and input helpers shared by the op converters.
import type { Tensor } from '../../../engine/index.ts';
import { InputError } from '../../../util/errors.ts';
import type { OnnxNode } from '../parse.ts';

export function attrInt(node: OnnxNode, name: string, dflt: number): number {
  return node.attributes.get(name)?.i ?? dflt;
}
export function attrFloat(node: OnnxNode, name: string, dflt: number): number {
  return node.attributes.get(name)?.f ?? dflt;
}
export function attrInts(node: OnnxNode, name: string): number[] | undefined {
  return node.attributes.get(name)?.ints;
}
export function attrString(node: OnnxNode, name: string, dflt: string): string {
  return node.attributes.get(name)?.s ?? dflt;
}

/** A one-line error about this node. */
export function fail(node: OnnxNode, why: string): never {
  throw new InputError(`ONNX node '${node.name}' (${node.opType}): ${why}`);
}

/** An input that must be present. */
export function need(node: OnnxNode, inputs: (Tensor | null)[], i: number): Tensor {
  const t = inputs[i];
  if (!t) fail(node, `input ${i} is missing`);
  return t;
}

/** A small integer tensor (shape, axes, pads...) as JS numbers. */
export function intsOf(t: Tensor): number[] {
  return Array.from(t.data() as ArrayLike<number | bigint>, (v) => Number(v));
}

/** Normalises a possibly negative axis against `rank`. */
export function axis(node: OnnxNode, a: number, rank: number): number {
  const r = a < 0 ? a + rank : a;
  if (r < 0 || r >= rank) fail(node, `axis ${a} is out of range for rank ${rank}`);
  return r;
}

export function prod(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}
