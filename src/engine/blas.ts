// Which BLAS libtorch runs its matrix products on, and how. OpenBLAS picks kernels by CPU (Haswell, SkylakeX,
// Zen...), and different kernels round differently, so the same run gives other bytes on another CPU; ATen's
// own vectorised kernels do the same (AVX2 vs AVX-512), and a multi-threaded GEMM splits its sums by thread
// count. Before libtorch loads, cwrf pins OpenBLAS to one thread (parallelism comes from processes; ATen's
// own threads follow --threads) and, on x86-64 with AVX2, both libraries to their AVX2 kernels, so every AVX2
// machine computes the same bytes. A variable the user set wins; CWRF_BLAS_KERNELS=native leaves the kernel
// choice to the libraries (faster on some CPUs, other bytes).
import { readFileSync } from 'node:fs';

/** Environment variables (process.env, or a copy). */
export type Environment = Record<string, string | undefined>;

/** The kernel variables cwrf sets when unset on AVX2 CPUs: OpenBLAS core type and ATen CPU capability. */
export const PINNED_KERNELS = { OPENBLAS_CORETYPE: 'Haswell', ATEN_CPU_CAPABILITY: 'avx2' } as const;

function cpuFlags(): Set<string> {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => l.startsWith('flags'));
    return new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/**
 * Sets OPENBLAS_NUM_THREADS=1, and PINNED_KERNELS on an x86-64 CPU with AVX2 and FMA, where unset (kernels: unless
 * CWRF_BLAS_KERNELS=native). Returns what it set.
 */
export function pinKernels(env: Environment = process.env, arch: string = process.arch, flags: Set<string> = cpuFlags()): Record<string, string> {
  const wanted: Record<string, string> = { OPENBLAS_NUM_THREADS: '1' };
  if (arch === 'x64' && env.CWRF_BLAS_KERNELS !== 'native' && flags.has('avx2') && flags.has('fma')) Object.assign(wanted, PINNED_KERNELS);
  return setUnset(env, wanted);
}

/** Sets each of `vars` in `env` that is unset there; returns the ones it set. */
export function setUnset(env: Environment, vars: Record<string, string>): Record<string, string> {
  const set = Object.fromEntries(Object.entries(vars).filter(([k]) => env[k] === undefined));
  Object.assign(env, set);
  return set;
}

/** The BLAS library this process loaded (from /proc/self/maps), e.g. "openblas-openmp", "reference", "mkl". */
export function loadedBlas(maps?: string): string {
  let text = maps;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/maps', 'utf8');
    } catch {
      return 'unknown';
    }
  }
  if (/libmkl/.test(text)) return 'mkl';
  // libtorch links libblas.so.3: the library behind that name is the one its matrix products call
  const lib = text.match(/\S*\/libblas\.so[.\d]*/)?.[0];
  const variant = lib?.match(/openblas-(openmp|pthread|serial)/);
  if (variant) return `openblas-${variant[1]}`;
  if (lib && /\/blas\/libblas/.test(lib)) return 'reference';
  if (/libopenblas/.test(text)) return 'openblas';
  if (/libblis/.test(text)) return 'blis';
  return lib ? 'libblas' : 'none found';
}

/** The loaded BLAS and its pins, as recorded in run.json: "openblas-pthread (kernels: Haswell, avx2, 1 BLAS thread(s))". */
export function blasDescription(env: Environment = process.env): string {
  const pins = [env.OPENBLAS_CORETYPE, env.ATEN_CPU_CAPABILITY].filter((x) => x !== undefined);
  const blas = loadedBlas();
  const threads = blas.startsWith('openblas') ? `, ${env.OPENBLAS_NUM_THREADS ?? 'default'} BLAS thread(s)` : '';
  return `${blas} (kernels: ${pins.length ? pins.join(', ') : 'chosen per CPU'}${threads})`;
}
