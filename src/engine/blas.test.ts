import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blasDescription, loadedBlas, pinKernels, PINNED_KERNELS } from './blas.ts';
import './native.ts';

const avx2 = new Set(['sse4_2', 'avx', 'avx2', 'fma']);

test('pinKernels sets the AVX2 kernels on x86-64 with AVX2, and nothing elsewhere', () => {
  const env: NodeJS.ProcessEnv = {};
  const set = pinKernels(env, 'x64', avx2);
  assert.deepEqual(env, { ...PINNED_KERNELS, OPENBLAS_NUM_THREADS: '1' });
  assert.deepEqual(set, env, 'it returns what it set');
  for (const [arch, flags] of [
    ['arm64', avx2],
    ['x64', new Set(['sse4_2', 'avx'])],
  ] as const) {
    const e: NodeJS.ProcessEnv = {};
    pinKernels(e, arch, flags);
    assert.deepEqual(e, { OPENBLAS_NUM_THREADS: '1' });
  }
});

test('a kernel variable the user set wins; CWRF_BLAS_KERNELS=native pins nothing', () => {
  const env: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'SkylakeX', OPENBLAS_NUM_THREADS: '2' };
  pinKernels(env, 'x64', avx2);
  assert.equal(env.OPENBLAS_CORETYPE, 'SkylakeX');
  assert.equal(env.OPENBLAS_NUM_THREADS, '2');
  assert.deepEqual(pinKernels({ ...env }, 'x64', avx2), {}, 'nothing left to set');
  assert.equal(env.ATEN_CPU_CAPABILITY, 'avx2');
  const native: NodeJS.ProcessEnv = { CWRF_BLAS_KERNELS: 'native' };
  pinKernels(native, 'x64', avx2);
  assert.deepEqual(native, { CWRF_BLAS_KERNELS: 'native', OPENBLAS_NUM_THREADS: '1' });
});

test('loadedBlas names the library from the process maps', () => {
  const line = (p: string) => `7f00-7f01 r-xp 00000000 08:01 1 ${p}\n`;
  assert.equal(loadedBlas(line('/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3')), 'openblas-openmp');
  assert.equal(loadedBlas(line('/usr/lib/x86_64-linux-gnu/blas/libblas.so.3')), 'reference');
  const mixed = line('/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0') + line('/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so');
  assert.equal(loadedBlas(mixed), 'reference', 'the library behind libblas.so.3 counts, not an OpenBLAS that LAPACK pulled in');
  assert.equal(loadedBlas(line('/opt/libtorch/lib/libmkl_core.so')), 'mkl');
  assert.equal(loadedBlas(line('/usr/lib/libc.so.6')), 'none found');
  assert.notEqual(loadedBlas(), 'none found', 'this process loaded libtorch, which links a BLAS');
  assert.match(blasDescription(), /\(kernels: /);
});
