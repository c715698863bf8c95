// Per-sample gradient rules by layer class (one file per layer type); add one with one line here.
import { BatchNorm, type Module } from '../../../nn/index.ts';
import { InputError } from '../../../util/errors.ts';
import { Registry } from '../../../util/options.ts';
import { WEIGHT_BIAS, type PerSampleRule } from './common.ts';
import { conv2dRule } from './conv2d.ts';
import { groupNormRule } from './groupnorm.ts';
import { linearRule } from './linear.ts';
import { layerNormRule } from './layernorm.ts';
import { vitTokensRule } from './vit-tokens.ts';

export * from './common.ts';

/** Every per-sample rule, by layer class name. */
export const PER_SAMPLE_RULES = new Registry<PerSampleRule>('per-sample rule').add(
  linearRule,
  conv2dRule,
  groupNormRule,
  layerNormRule,
  vitTokensRule,
);

/** The error for models with BatchNorm. */
export const BATCHNORM_MESSAGE = 'DP-SGD cannot train BatchNorm layers (batch statistics mix examples): use --norm group';

/** The rule for a module (its class or the nearest base class with one), or undefined. */
export function ruleFor(m: Module): PerSampleRule | undefined {
  return PER_SAMPLE_RULES.entries().find((r) => m instanceof r.layer);
}

/** Trainable parameters a module owns directly (not through children). */
export function ownTrainable(m: Module): [string, import('../../../engine/index.ts').Tensor][] {
  // by identity, not by name: a module's own parameter names may contain dots (ONNX initializers)
  const inChildren = new Set(m.namedModules().slice(1).flatMap(([, c]) => c.parameters()));
  return m.namedParameters().filter(([, p]) => !inChildren.has(p) && p.requiresGrad);
}

/** Every layer of `model` DP-SGD cannot train, as one line each (empty: the model is supported). */
export function unsupportedLayers(model: Module): string[] {
  const out: string[] = [];
  let batchNorm = false;
  for (const [path, m] of model.namedModules()) {
    if (m instanceof BatchNorm) {
      batchNorm = true;
      continue;
    }
    const own = ownTrainable(m);
    if (own.length === 0) continue;
    const rule = ruleFor(m);
    const covered = rule?.params ?? WEIGHT_BIAS;
    const missing = own.map(([n]) => n).filter((n) => !covered.includes(n));
    if (!rule) out.push(`'${path || '(root)'}' (${m.constructor.name})`);
    else if (missing.length) out.push(`'${path || '(root)'}' (${m.constructor.name}: parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')})`);
  }
  return [...(batchNorm ? [BATCHNORM_MESSAGE] : []), ...out];
}

/** Throws one InputError listing every layer of `model` DP-SGD cannot train. */
export function validate(model: Module): void {
  const bad = unsupportedLayers(model);
  if (bad.length === 0) return;
  const layers = bad.filter((b) => b !== BATCHNORM_MESSAGE);
  const parts = bad.includes(BATCHNORM_MESSAGE) ? [BATCHNORM_MESSAGE] : [];
  if (layers.length)
    parts.push(
      `per-sample gradients (DP-SGD) do not support layer${layers.length > 1 ? 's' : ''} ${layers.join(', ')}: ` +
        `supported layers with parameters are ${PER_SAMPLE_RULES.names().join(', ')}`,
    );
  throw new InputError(parts.join('; '));
}
