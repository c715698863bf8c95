// Tensor: a TypeScript handle on a libtorch tensor, with the ATen operators cwrf uses as methods.
import { native, type DType, type Handle, type NativeGenerator, type TypedArray } from './native.ts';
import { track } from './scope.ts';

export type { DType, TypedArray } from './native.ts';
export type Shape = number[];
type Arg = unknown;


/** A seeded libtorch CPU random generator; every random op in cwrf takes one explicitly. */
export class Generator {
  readonly h: NativeGenerator;
  constructor(seed: number) {
    this.h = new native.Generator(seed);
  }
  /** The generator's full state (uint8 tensor), to resume a run bit-identically. */
  getState(): Tensor {
    const state = this.h.getState();
    if (!(state instanceof Tensor)) throw new Error('the native generator returned no tensor state');
    return state;
  }
  setState(state: Tensor): void {
    this.h.setState(state as never);
  }
}

function unwrap(a: Arg): Arg {
  return a instanceof Generator ? a.h : a;
}

const opIds = new Map<string, number>();

/** The dispatcher id of an ATen operator named like 'aten::add.Tensor' (overload after the last dot). */
export function opId(qualified: string): number {
  let id = opIds.get(qualified);
  if (id === undefined) {
    const colon = qualified.indexOf('::');
    const dot = qualified.indexOf('.', colon);
    const name = dot < 0 ? qualified : qualified.slice(0, dot);
    const overload = dot < 0 ? '' : qualified.slice(dot + 1);
    id = native.opId(name, overload);
    opIds.set(qualified, id);
  }
  return id;
}

/** Calls any ATen operator by qualified name, e.g. call('aten::conv2d', [x, w, b, 1, 0]). */
export function call<T = Tensor>(qualified: string, args: Arg[], kwargs?: Record<string, Arg>): T {
  const id = opId(qualified);
  let nkw: Record<string, Arg> | undefined;
  if (kwargs) {
    nkw = {};
    for (const k of Object.keys(kwargs)) nkw[k] = unwrap(kwargs[k]);
  }
  return native.call(id, args.map(unwrap), nkw) as T;
}

/** Frees tensors whose JS object was collected without dispose() (the backstop, not the norm). */
const finalizer = new FinalizationRegistry<Handle>((h) => native.release(h));

let accountAll = false;

/**
 * Which tensors' bytes V8 hears of: 'unscoped' (the default) those that outlive every tidy scope, the ones only
 * the GC can free when forgotten; 'all' every tensor, the accounting before (kept for bench/profile-step.ts's A/B).
 */
export function setExternalAccounting(mode: 'unscoped' | 'all'): void {
  accountAll = mode === 'all';
}

/** A libtorch tensor. Free it with dispose() or create it inside tidy(). */
export class Tensor {
  private constructor(readonly h: Handle) {}

  /** Wraps a new native handle and registers it with the current scope. */
  static wrap(h: Handle): Tensor {
    const t = new Tensor(h);
    finalizer.register(t, h, t);
    if (accountAll) native.account(h);
    return track(t);
  }
  /** The scopes let go of it: from now on only dispose() or the GC frees it, so V8 should count its bytes. */
  unscoped(): void {
    native.account(this.h);
  }

  get shape(): Shape {
    return native.shape(this.h);
  }
  get dtype(): DType {
    return native.dtype(this.h);
  }
  get device(): string {
    return native.device(this.h);
  }
  get numel(): number {
    return native.numel(this.h);
  }
  get disposed(): boolean {
    return !native.alive(this.h);
  }
  get requiresGrad(): boolean {
    return native.requiresGrad(this.h);
  }
  set requiresGrad(v: boolean) {
    native.setRequiresGrad(this.h, v);
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.h);
  }
  /** The accumulated gradient (a new handle on it), or null. */
  get grad(): Tensor | null {
    return native.grad(this.h) as Tensor | null;
  }
  set grad(g: Tensor | null) {
    native.setGrad(this.h, g);
  }
  get gradFn(): string | null {
    return native.gradFn(this.h);
  }
  dispose(): void {
    if (native.release(this.h)) finalizer.unregister(this);
  }
  backward(grad?: Tensor, retainGraph = false): void {
    native.backward(this.h, grad ?? null, retainGraph);
  }
  /** A copy of the data as a typed array (Float32Array, Float64Array, BigInt64Array, ...). */
  data(): TypedArray {
    return native.data(this.h);
  }
  toFloat32(): Float32Array {
    return this.typed('float32') as Float32Array;
  }
  toFloat64(): Float64Array {
    return this.typed('float64') as Float64Array;
  }
  toInt32(): Int32Array {
    return this.typed('int32') as Int32Array;
  }
  private typed(dtype: DType): TypedArray {
    if (this.dtype === dtype) return this.data();
    const c = this.to(dtype);
    const d = c.data();
    c.dispose();
    return d;
  }
  item(): number {
    return Number(native.item(this.h));
  }
  toString(): string {
    return `Tensor(${this.shape.join('x')}, ${this.dtype}, ${this.device})`;
  }

  // ---- conversions and copies
  to(dtypeOrDevice: DType | string): Tensor {
    return dtypeOrDevice.startsWith('cuda') || dtypeOrDevice === 'cpu'
      ? call('aten::to.device', [this, dtypeOrDevice, this.dtype])
      : call('aten::to.dtype', [this, dtypeOrDevice]);
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  long(): Tensor {
    return this.to('int64');
  }
  clone(): Tensor {
    return call('aten::clone', [this]);
  }
  detach(): Tensor {
    return call('aten::detach', [this]);
  }
  contiguous(): Tensor {
    return call('aten::contiguous', [this]);
  }
  copy_(src: Tensor): Tensor {
    call('aten::copy_', [this, src]);
    return this;
  }
  zero_(): Tensor {
    call('aten::zero_', [this]);
    return this;
  }
  fill_(v: number): Tensor {
    call('aten::fill_.Scalar', [this, v]);
    return this;
  }

  // ---- shape
  reshape(shape: Shape): Tensor {
    return call('aten::reshape', [this, shape]);
  }
  view(shape: Shape): Tensor {
    return call('aten::view', [this, shape]);
  }
  flatten(start = 0, end = -1): Tensor {
    return call('aten::flatten.using_ints', [this, start, end]);
  }
  t(): Tensor {
    return call('aten::t', [this]);
  }
  transpose(d0: number, d1: number): Tensor {
    return call('aten::transpose.int', [this, d0, d1]);
  }
  permute(dims: number[]): Tensor {
    return call('aten::permute', [this, dims]);
  }
  unsqueeze(d: number): Tensor {
    return call('aten::unsqueeze', [this, d]);
  }
  squeeze(d?: number): Tensor {
    return d === undefined ? call('aten::squeeze', [this]) : call('aten::squeeze.dim', [this, d]);
  }
  expand(shape: Shape): Tensor {
    return call('aten::expand', [this, shape]);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return call('aten::narrow', [this, dim, start, length]);
  }
  select(dim: number, index: number): Tensor {
    return call('aten::select.int', [this, dim, index]);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return call('aten::index_select', [this, dim, index]);
  }
  gather(dim: number, index: Tensor): Tensor {
    return call('aten::gather', [this, dim, index]);
  }
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    return src instanceof Tensor
      ? call('aten::scatter.src', [this, dim, index, src])
      : call('aten::scatter.value', [this, dim, index, src]);
  }
  scatter_(dim: number, index: Tensor, value: number): Tensor {
    call('aten::scatter_.value', [this, dim, index, value]);
    return this;
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return call('aten::scatter_add', [this, dim, index, src]);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return call('aten::masked_fill.Scalar', [this, mask, value]);
  }
  maskedSelect(mask: Tensor): Tensor {
    return call('aten::masked_select', [this, mask]);
  }

  // ---- elementwise
  add(o: Tensor | number, alpha = 1): Tensor {
    return o instanceof Tensor ? call('aten::add.Tensor', [this, o, alpha]) : call('aten::add.Scalar', [this, o, alpha]);
  }
  sub(o: Tensor | number, alpha = 1): Tensor {
    return o instanceof Tensor ? call('aten::sub.Tensor', [this, o, alpha]) : call('aten::sub.Scalar', [this, o, alpha]);
  }
  mul(o: Tensor | number): Tensor {
    return o instanceof Tensor ? call('aten::mul.Tensor', [this, o]) : call('aten::mul.Scalar', [this, o]);
  }
  div(o: Tensor | number): Tensor {
    return o instanceof Tensor ? call('aten::div.Tensor', [this, o]) : call('aten::div.Scalar', [this, o]);
  }
  pow(e: number): Tensor {
    return call('aten::pow.Tensor_Scalar', [this, e]);
  }
  neg(): Tensor {
    return call('aten::neg', [this]);
  }
  abs(): Tensor {
    return call('aten::abs', [this]);
  }
  exp(): Tensor {
    return call('aten::exp', [this]);
  }
  log(): Tensor {
    return call('aten::log', [this]);
  }
  sqrt(): Tensor {
    return call('aten::sqrt', [this]);
  }
  square(): Tensor {
    return call('aten::square', [this]);
  }
  sign(): Tensor {
    return call('aten::sign', [this]);
  }
  clamp(min: number | null, max: number | null = null): Tensor {
    return call('aten::clamp', [this, min, max]);
  }
  relu(): Tensor {
    return call('aten::relu', [this]);
  }
  tanh(): Tensor {
    return call('aten::tanh', [this]);
  }
  sigmoid(): Tensor {
    return call('aten::sigmoid', [this]);
  }
  gelu(): Tensor {
    return call('aten::gelu', [this]);
  }
  softmax(dim: number): Tensor {
    return call('aten::softmax.int', [this, dim]);
  }
  logSoftmax(dim: number): Tensor {
    return call('aten::log_softmax.int', [this, dim]);
  }
  /** Batched matrix product [b, n, m] x [b, m, p]. */
  bmm(o: Tensor): Tensor {
    return call('aten::bmm', [this, o]);
  }
  matmul(o: Tensor): Tensor {
    return call('aten::matmul', [this, o]);
  }
  eq(o: Tensor | number): Tensor {
    return o instanceof Tensor ? call('aten::eq.Tensor', [this, o]) : call('aten::eq.Scalar', [this, o]);
  }
  ne(o: Tensor | number): Tensor {
    return o instanceof Tensor ? call('aten::ne.Tensor', [this, o]) : call('aten::ne.Scalar', [this, o]);
  }
  gt(o: Tensor | number): Tensor {
    return o instanceof Tensor ? call('aten::gt.Tensor', [this, o]) : call('aten::gt.Scalar', [this, o]);
  }
  lt(o: Tensor | number): Tensor {
    return o instanceof Tensor ? call('aten::lt.Tensor', [this, o]) : call('aten::lt.Scalar', [this, o]);
  }
  ge(o: Tensor | number): Tensor {
    return o instanceof Tensor ? call('aten::ge.Tensor', [this, o]) : call('aten::ge.Scalar', [this, o]);
  }
  le(o: Tensor | number): Tensor {
    return o instanceof Tensor ? call('aten::le.Tensor', [this, o]) : call('aten::le.Scalar', [this, o]);
  }
  logicalNot(): Tensor {
    return call('aten::logical_not', [this]);
  }

  // ---- in place (return this)
  add_(o: Tensor | number, alpha = 1): Tensor {
    if (o instanceof Tensor) call('aten::add_.Tensor', [this, o, alpha]);
    else call('aten::add_.Scalar', [this, o, alpha]);
    return this;
  }
  mul_(o: Tensor | number): Tensor {
    if (o instanceof Tensor) call('aten::mul_.Tensor', [this, o]);
    else call('aten::mul_.Scalar', [this, o]);
    return this;
  }
  div_(o: Tensor | number): Tensor {
    if (o instanceof Tensor) call('aten::div_.Tensor', [this, o]);
    else call('aten::div_.Scalar', [this, o]);
    return this;
  }
  sqrt_(): Tensor {
    call('aten::sqrt_', [this]);
    return this;
  }
  addcmul_(a: Tensor, b: Tensor, value = 1): Tensor {
    call('aten::addcmul_', [this, a, b, value]);
    return this;
  }
  addcdiv_(a: Tensor, b: Tensor, value = 1): Tensor {
    call('aten::addcdiv_', [this, a, b, value]);
    return this;
  }
  maskedFill_(mask: Tensor, value: number): Tensor {
    call('aten::masked_fill_.Scalar', [this, mask, value]);
    return this;
  }

  // ---- reductions
  sum(dims?: number | number[], keepdim = false): Tensor {
    return dims === undefined ? call('aten::sum', [this]) : call('aten::sum.dim_IntList', [this, dims, keepdim]);
  }
  mean(dims?: number | number[], keepdim = false): Tensor {
    return dims === undefined ? call('aten::mean', [this]) : call('aten::mean.dim', [this, dims, keepdim]);
  }
  /** Variance; `unbiased` = Bessel's correction. */
  var(dims: number | number[], unbiased = false, keepdim = false): Tensor {
    return call('aten::var.dim', [this, dims, unbiased, keepdim]);
  }
  max(): Tensor {
    return call('aten::max', [this]);
  }
  min(): Tensor {
    return call('aten::min', [this]);
  }
  /** Values and indices of the maximum along `dim`. */
  maxDim(dim: number, keepdim = false): [Tensor, Tensor] {
    return call('aten::max.dim', [this, dim, keepdim]);
  }
  argmax(dim: number, keepdim = false): Tensor {
    return call('aten::argmax', [this, dim, keepdim]);
  }
  logsumexp(dims: number | number[], keepdim = false): Tensor {
    return call('aten::logsumexp', [this, dims, keepdim]);
  }
  norm(): Tensor {
    return call('aten::linalg_vector_norm', [this, 2]);
  }
  topk(k: number, dim = -1, largest = true, sorted = true): [Tensor, Tensor] {
    return call('aten::topk', [this, k, dim, largest, sorted]);
  }
  sort(dim = -1, descending = false): [Tensor, Tensor] {
    return call('aten::sort', [this, dim, descending]);
  }
  cumsum(dim: number): Tensor {
    return call('aten::cumsum', [this, dim]);
  }
}

native.setFactory((h) => Tensor.wrap(h));
