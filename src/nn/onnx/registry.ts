// Op converters keyed by (domain, op type, opset version range), as onnx2torch's registry; duplicates are rejected.
import type { Generator, Tensor } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import type { OnnxNode, OnnxTensor } from './parse.ts';

/** What a running node sees besides its inputs. */
export interface RunContext {
  /** The module's mode: BatchNormalization uses batch statistics and Dropout is active when true. */
  training: boolean;
  /** The module's dropout generator. */
  gen: Generator;
}

/** A converted node: inputs (null for an omitted optional input) -> outputs, in the node's order. */
export type OpRun = (inputs: (Tensor | null)[], rt: RunContext) => (Tensor | null)[];

/** What a converter may ask about the graph while converting one node. */
export interface ConvertContext {
  /** The model's opset version for the node's domain. */
  opset: number;
  /** A value known before running (an initializer or a Constant's output), or undefined. */
  constant(name: string): OnnxTensor | undefined;
}

export type Converter = (node: OnnxNode, ctx: ConvertContext) => OpRun;

interface Entry {
  domain: string;
  opType: string;
  since: number;
  until: number;
  convert: Converter;
}

const entries = new Map<string, Entry[]>();
const key = (domain: string, opType: string) => `${domain}::${opType}`;

/** Registers `convert` for `opType` in opsets [since, until] (default: from 1 on). Overlapping ranges throw. */
export function register(opType: string, convert: Converter, opts: { domain?: string; since?: number; until?: number } = {}): void {
  const e: Entry = { domain: opts.domain ?? '', opType, since: opts.since ?? 1, until: opts.until ?? Infinity, convert };
  const list = entries.get(key(e.domain, opType)) ?? [];
  for (const o of list)
    if (e.since <= o.until && o.since <= e.until)
      throw new Error(`ONNX converter for ${opType} (opsets ${e.since}-${e.until}) overlaps one for opsets ${o.since}-${o.until}`);
  list.push(e);
  entries.set(key(e.domain, opType), list);
}

/** The converter for an op at the model's opset version, or an InputError naming the op and the node. */
export function converterFor(node: OnnxNode, opset: number | undefined): Converter {
  const domain = node.domain || 'ai.onnx';
  if (opset === undefined) throw new InputError(`ONNX node '${node.name}': op ${node.opType} is in domain '${domain}', which the model does not import`);
  const list = entries.get(key(node.domain, node.opType));
  const hit = list?.find((e) => e.since <= opset && opset <= e.until);
  if (hit) return hit.convert;
  if (node.domain !== '') throw new InputError(`ONNX node '${node.name}': op ${domain}.${node.opType} is not supported (custom-op domains are never loaded)`);
  if (list) throw new InputError(`ONNX node '${node.name}': op ${node.opType} is not supported at opset ${opset}`);
  throw new InputError(`ONNX node '${node.name}': op ${node.opType} is not supported`);
}

/** Every registered (op type, opset range), for docs and tests. */
export function registeredOps(): { domain: string; opType: string; since: number; until: number }[] {
  return [...entries.values()].flat().map(({ domain, opType, since, until }) => ({ domain, opType, since, until }));
}
