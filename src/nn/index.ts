// Neural-network modules and models (torch.nn in TypeScript).
export * from './module.ts';
export * from './layers.ts';
export * from './models/index.ts';
export * from './state-file.ts';
