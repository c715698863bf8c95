// Writes a module's current weights back into its own graph, ready for ONNX Runtime (inference mode).
import { encodeOnnx } from './parse.ts';
import type { OnnxModule } from './module.ts';

/** The module's graph with every initializer holding the module's current value. */
export function exportOnnx(module: OnnxModule): Uint8Array {
  return encodeOnnx(module.model, module.initializerValues(), { inference: true });
}
