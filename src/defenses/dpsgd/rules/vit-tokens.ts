// ViT token embedding: t = [cls_token; patches] + pos_embed, so with b = dL/dt per example,
// pos_embed's per-sample gradient is b_i and cls_token's is b_i's first token.
import { VisionTransformer } from '../../../nn/index.ts';
import type { PerSampleRule } from './common.ts';

export const vitTokensRule: PerSampleRule = {
  name: 'VisionTransformer',
  description: 'class token and position embedding: the token sequence gradient (first token for the class token)',
  layer: VisionTransformer,
  params: ['cls_token', 'pos_embed'],
  materialize({ b }) {
    return { cls_token: { t: b.narrow(1, 0, 1).unsqueeze(1), layout: 'batch-first' }, pos_embed: { t: b.unsqueeze(1), layout: 'batch-first' } };
  },
};
