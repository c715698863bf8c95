// The tensor engine: libtorch through the native addon.
export { Tensor, Generator, call, opId, setExternalAccounting, type Shape, type DType, type TypedArray } from './tensor.ts';
export * from './ops.ts';
export { tidy, keep, dispose, track } from './scope.ts';
export { blasDescription, loadedBlas, pinKernels, PINNED_KERNELS } from './blas.ts';
export { engineEnv } from './native.ts';
