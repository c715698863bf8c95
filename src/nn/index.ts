// Neural-network modules and models (torch.nn in TypeScript).
export * from './module.ts';
export * from './layers.ts';
export * from './models/index.ts';
export * from './state-file.ts';
export * from './layernorm.ts';
export * from './attention.ts';
export * from './dtype.ts';
export * from './param-kinds.ts';
export { CifarResNet, CIFAR_RESNET_DEPTHS } from './models/resnet-cifar.ts';
export { WideResNet } from './models/wrn.ts';
export { VisionTransformer, VIT_TINY, type VitOptions } from './models/vit.ts';
