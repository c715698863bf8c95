// Training: recipes, objectives, the training loop and its data.
export * from './recipe.ts';
export * from './objectives/index.ts';
export * from './loop.ts';
export * from './data.ts';
export * from './train.ts';
export * from './presets.ts';
export * from './checkpoint.ts';
export * from './augment-hook.ts';
