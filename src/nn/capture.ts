// Forward capture for per-sample gradients (DP-SGD): while a capture function is installed, Linear,
// Conv2d, GroupNorm, LayerNorm and the ViT's token embedding hand it (layer, input, output) and return what
// it returns. Off by default.
import type { Tensor } from '../engine/index.ts';
import type { Module } from './module.ts';

/** Sees a layer's input and output; returns the tensor the layer should return (e.g. an alias of `output`). */
export type CaptureFn = (layer: Module, input: Tensor, output: Tensor) => Tensor;

let captureFn: CaptureFn | null = null;

/** Installs (or with null removes) the capture function; returns the previous one. */
export function setCapture(fn: CaptureFn | null): CaptureFn | null {
  const prev = captureFn;
  captureFn = fn;
  return prev;
}

/** Called by the capturing layers at the end of forward: `output` itself when nothing is installed. */
export function captured(layer: Module, input: Tensor, output: Tensor): Tensor {
  return captureFn === null ? output : captureFn(layer, input, output);
}
