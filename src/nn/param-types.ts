// The type of each parameter (conv, linear, norm, attention, embedding, bias), for per-type statistics.
// Derived from the owning layer's class and its dotted path, so it works for any model built from src/nn
// layers; when layers declare their own type, read it here instead (the one place that decides).
import type { Module } from './module.ts';

export type ParamType = 'conv' | 'linear' | 'norm' | 'attention' | 'embedding' | 'bias';
export const PARAM_TYPES: readonly ParamType[] = ['conv', 'linear', 'norm', 'attention', 'embedding', 'bias'];

const EMBEDDING = /(^|[._])(patch_?embed\w*|pos_?embed\w*|cls_?token|class_?token|embed(ding)?s?|position\w*)($|[._])/i;
const ATTENTION = /(^|\.)(attn|attention|self_attn|mha|qkv|q_proj|k_proj|v_proj|out_proj|in_proj\w*)($|\.)/i;

/** Type of one parameter from its owning layer's class name, the layer's path and the parameter's own name. */
export function paramType(layerClass: string, layerPath: string, param: string, shape: number[]): ParamType {
  const full = layerPath ? `${layerPath}.${param}` : param;
  if (/norm/i.test(layerClass)) return 'norm';
  if (EMBEDDING.test(full) || /embed/i.test(layerClass)) return 'embedding';
  if (/attention/i.test(layerClass) || ATTENTION.test(full)) return shape.length >= 2 || /attention/i.test(layerClass) ? 'attention' : 'bias';
  if (shape.length < 2) return /norm|^bn|\.bn/i.test(full) ? 'norm' : 'bias';
  if (/conv/i.test(layerClass) || shape.length >= 3) return 'conv';
  return 'linear';
}

/** The type of every parameter of `model`, by dotted name. */
export function paramTypes(model: Module): Map<string, ParamType> {
  const out = new Map<string, ParamType>();
  for (const [path, m] of model.namedModules())
    for (const [n, p] of m.namedParameters()) if (!n.includes('.')) out.set(path ? `${path}.${n}` : n, paramType(m.constructor.name, path, n, p.shape));
  return out;
}
