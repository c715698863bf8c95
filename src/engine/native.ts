// Loads the libtorch addon built from native/ and declares its (untyped) surface.
import { createRequire } from 'node:module';
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

/** A libtorch at::Tensor held by the addon. */
export interface NativeTensor {
  readonly shape: number[];
  readonly dtype: DType;
  readonly device: string;
  readonly numel: number;
  readonly disposed: boolean;
  requiresGrad: boolean;
  readonly isLeaf: boolean;
  readonly gradFn: string | null;
  grad(): NativeTensor | null;
  setGrad(g: NativeTensor | null): void;
  backward(grad?: NativeTensor, retainGraph?: boolean): void;
  dispose(): void;
  data(): TypedArray;
  item(): number | boolean;
  sameAs(other: unknown): boolean;
}

/** A libtorch CPU random generator (at::Generator). */
export interface NativeGenerator {
  seed(set?: number): number;
  getState(): NativeTensor;
  setState(state: NativeTensor): void;
}

export interface NativeAddon {
  Tensor: { prototype: NativeTensor };
  Generator: new (seed: number | bigint) => NativeGenerator;
  fromArray(data: TypedArray, shape: number[], dtype?: DType): NativeTensor;
  opId(name: string, overload: string): number;
  opSchema(id: number): string;
  call(id: number, args: unknown[], kwargs?: Record<string, unknown>): unknown;
  grad(
    outputs: NativeTensor[],
    inputs: NativeTensor[],
    gradOutputs: NativeTensor[] | null,
    retainGraph: boolean,
    createGraph: boolean,
  ): (NativeTensor | null)[];
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setFlushDenormal(on: boolean): boolean;
  cudaDeviceCount(): number;
  liveTensors(): number;
  trimMemory(): boolean;
  manualSeed(seed: number): void;
  torchVersion: string;
}

const addonPath = fileURLToPath(new URL('../../native/build/Release/cwrf_native.node', import.meta.url));

function load(): NativeAddon {
  // libgomp reads this when libtorch loads. Spinning OpenMP threads (the default) make a loaded machine
  // 5-10x slower (measured: Location MLP fwd+bwd 79 ms vs 11 ms on 2 busy cores); passive waiting costs little.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  if (!existsSync(addonPath)) {
    throw new Error(`cwrf native addon is not built (${addonPath}): run \`npm run setup\``);
  }
  return createRequire(import.meta.url)(addonPath) as NativeAddon;
}

/** The loaded addon (built by `npm run setup`). */
export const native: NativeAddon = load();
