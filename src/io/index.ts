/** Crash-safe output: atomic file writes (temp + fsync + rename) and atomically committed directories. */
export {
  commitDirAtomic,
  makeTempDirBeside,
  removeStaleTempDirs,
  withTempDir,
  writeDirAtomic,
  writeFileAtomic,
  writeJsonAtomic,
  type AtomicData,
} from './atomic.ts';
/** The safetensors tensor file format: validated, code-free reading and reference-identical writing. */
export {
  decodeSafetensors,
  dtypeSize,
  encodeSafetensors,
  float32ToHalfBits,
  halfBitsToFloat32,
  MAX_HEADER_BYTES,
  readSafetensors,
  writeSafetensors,
  type DType,
  type SafetensorsContents,
  type StoredTensor,
  type TensorData,
} from './safetensors.ts';
