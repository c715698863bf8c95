// The kind of every parameter (conv, linear, norm, attention, embedding), from the layer that owns it.
import { BatchNorm, Conv2d, GroupNorm, Linear } from './layers.ts';
import { LayerNorm } from './layernorm.ts';
import type { Module, ParamKind } from './module.ts';

/** Kind of each parameter by dotted name: a module's `kindScope` wins over its descendants' layer types. */
export function parameterKinds(model: Module): Map<string, ParamKind> {
  const out = new Map<string, ParamKind>();
  const walk = (m: Module, prefix: string, scope: ParamKind | undefined) => {
    const s = scope ?? m.kindScope;
    const layer: ParamKind =
      s ?? (m instanceof Conv2d ? 'conv' : m instanceof Linear ? 'linear' : m instanceof BatchNorm || m instanceof GroupNorm || m instanceof LayerNorm ? 'norm' : 'other');
    for (const [name] of m.namedParameters()) if (!name.includes('.')) out.set(prefix + name, s ?? m.ownKinds?.[name] ?? layer);
    for (const [path, c] of m.namedModules()) if (path && !path.includes('.')) walk(c, `${prefix}${path}.`, s);
  };
  walk(model, '', undefined);
  return out;
}

/** The kinds `--params` accepts. */
export const PARAM_KINDS: readonly ParamKind[] = ['conv', 'linear', 'norm', 'attention', 'embedding', 'other'];
