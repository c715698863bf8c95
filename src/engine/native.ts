// Loads the libtorch addon built from native/ and declares its (untyped) surface.
import { createRequire } from 'node:module';
import { pinKernels, setUnset } from './blas.ts';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | BigInt64Array;

/** A tensor handle: an index into the addon's table of live at::Tensors (with a generation count). */
export type Handle = number;

/** A libtorch CPU random generator (at::Generator). */
export interface NativeGenerator {
  seed(set?: number): number;
  getState(): unknown;
  setState(state: unknown): void;
}

/** The addon's functions. Tensor arguments are objects with a handle field `h` (the Tensor class). */
export interface NativeAddon {
  Generator: new (seed: number | bigint) => NativeGenerator;
  /** Registers the function that turns a new handle into a JS Tensor. */
  setFactory(f: (h: Handle) => unknown): void;
  release(h: Handle): boolean;
  /** Reports the tensor's bytes to V8 as external memory (once; undone by release). */
  account(h: Handle): void;
  alive(h: Handle): boolean;
  shape(h: Handle): number[];
  dtype(h: Handle): DType;
  device(h: Handle): string;
  numel(h: Handle): number;
  requiresGrad(h: Handle): boolean;
  setRequiresGrad(h: Handle, on: boolean): void;
  isLeaf(h: Handle): boolean;
  gradFn(h: Handle): string | null;
  grad(h: Handle): unknown;
  setGrad(h: Handle, g: unknown): void;
  backward(h: Handle, grad: unknown, retainGraph: boolean): void;
  data(h: Handle): TypedArray;
  item(h: Handle): number | boolean;
  fromArray(data: TypedArray, shape: number[], dtype?: DType): unknown;
  opId(name: string, overload: string): number;
  opSchema(id: number): string;
  call(id: number, args: unknown[], kwargs?: Record<string, unknown>): unknown;
  autogradGrad(outputs: unknown[], inputs: unknown[], gradOutputs: unknown[] | null, retainGraph: boolean, createGraph: boolean): unknown[];
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setFlushDenormal(on: boolean): boolean;
  cudaDeviceCount(): number;
  liveTensors(): number;
  manualSeed(seed: number): void;
  /** glibc mallopt: M_MMAP_THRESHOLD and M_TRIM_THRESHOLD in bytes; true when both were taken. */
  setAllocatorThresholds(mmapBytes: number, trimBytes: number): boolean;
  torchVersion: string;
}

/** The environment variables this process's engine set when it loaded (a benchmark's peer starts without them). */
export const engineEnv: Record<string, string> = {};

const addonPath = fileURLToPath(new URL('../../native/build/Release/cwrf_native.node', import.meta.url));

function load(): NativeAddon {
  // libgomp reads this when libtorch loads. Spinning OpenMP threads (the default) make a loaded machine
  // 5-10x slower (measured: Location MLP fwd+bwd 79 ms vs 11 ms on 2 busy cores); passive waiting costs little.
  Object.assign(engineEnv, setUnset(process.env, { OMP_WAIT_POLICY: 'PASSIVE' }), pinKernels());
  if (!existsSync(addonPath)) {
    const checkout = existsSync(fileURLToPath(new URL('../../scripts/ensure.sh', import.meta.url)));
    const fix = checkout ? 'run `npm run setup`' : 'run `npm rebuild cwrf` (npm 11 may need `npm install-scripts approve cwrf` first)';
    throw new Error(`cwrf native addon is not built (${addonPath}): ${fix}`);
  }
  const addon = createRequire(import.meta.url)(addonPath) as NativeAddon;
  keepLargeBuffers(addon);
  return addon;
}

/** The loaded addon (built by `npm run setup`). */
/** Bytes below which glibc serves (and keeps, once freed) an allocation from its heap instead of a fresh mmap. */
export const ALLOCATOR_THRESHOLD = 1 << 30;

/**
 * glibc maps every allocation over its mmap threshold (at most 32 MiB, however it adapts) afresh and unmaps it on
 * free, so each batch's activations page-fault anew: a batch-1024 forward of the small CNN spent half its time in
 * the kernel (3.0 s vs 1.6 s for 4,096 images, same bytes). cwrf keeps such buffers in the heap for reuse;
 * CWRF_ALLOCATOR=glibc leaves glibc's defaults.
 */
function keepLargeBuffers(addon: NativeAddon): void {
  if (process.env.CWRF_ALLOCATOR === 'glibc' || process.platform !== 'linux') return;
  addon.setAllocatorThresholds(ALLOCATOR_THRESHOLD, ALLOCATOR_THRESHOLD);
}

export const native: NativeAddon = load();
