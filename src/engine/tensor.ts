// Tensor: a TypeScript handle on a libtorch tensor, with the ATen operators cwrf uses as methods.
import { native, type DType, type NativeGenerator, type NativeTensor, type TypedArray } from './native.ts';
import { track } from './scope.ts';

export type { DType, TypedArray } from './native.ts';
export type Shape = number[];
type Arg = unknown;

const NativeTensorCtor = native.Tensor as unknown as abstract new () => NativeTensor;

/** A seeded libtorch CPU random generator; every random op in cwrf takes one explicitly. */
export class Generator {
  readonly h: NativeGenerator;
  constructor(seed: number) {
    this.h = new native.Generator(seed);
  }
  /** The generator's full state (uint8 tensor), to resume a run bit-identically. */
  getState(): Tensor {
    return Tensor.wrap(this.h.getState());
  }
  setState(state: Tensor): void {
    this.h.setState(state.h);
  }
}

function unwrap(a: Arg): Arg {
  if (a instanceof Tensor) return a.h;
  if (a instanceof Generator) return a.h;
  if (Array.isArray(a)) return a.map((x) => (x instanceof Tensor ? x.h : x));
  return a;
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

function wrapOut(r: unknown, args: Arg[]): unknown {
  if (r instanceof NativeTensorCtor) {
    for (const a of args) if (a instanceof Tensor && a.h === r) return a;
    return Tensor.wrap(r);
  }
  if (Array.isArray(r)) return r.map((x) => wrapOut(x, args));
  return r;
}

/** Calls any ATen operator by qualified name, e.g. call('aten::conv2d', [x, w, b, 1, 0]). */
export function call<T = Tensor>(qualified: string, args: Arg[], kwargs?: Record<string, Arg>): T {
  const id = opId(qualified);
  const nargs = args.map(unwrap);
  let nkw: Record<string, Arg> | undefined;
  if (kwargs) {
    nkw = {};
    for (const k of Object.keys(kwargs)) nkw[k] = unwrap(kwargs[k]);
  }
  return wrapOut(native.call(id, nargs, nkw), args) as T;
}

/** A libtorch tensor. Free it with dispose() or create it inside tidy(). */
export class Tensor {
  private constructor(readonly h: NativeTensor) {}

  /** Wraps a native tensor and registers it with the current scope. */
  static wrap(h: NativeTensor): Tensor {
    return track(new Tensor(h));
  }

  get shape(): Shape {
    return this.h.shape;
  }
  get dtype(): DType {
    return this.h.dtype;
  }
  get device(): string {
    return this.h.device;
  }
  get numel(): number {
    return this.h.numel;
  }
  get disposed(): boolean {
    return this.h.disposed;
  }
  get requiresGrad(): boolean {
    return this.h.requiresGrad;
  }
  set requiresGrad(v: boolean) {
    this.h.requiresGrad = v;
  }
  get isLeaf(): boolean {
    return this.h.isLeaf;
  }
  /** The accumulated gradient (a new handle on it), or null. */
  get grad(): Tensor | null {
    const g = this.h.grad();
    return g ? Tensor.wrap(g) : null;
  }
  set grad(g: Tensor | null) {
    this.h.setGrad(g ? g.h : null);
  }
  get gradFn(): string | null {
    return this.h.gradFn;
  }
  dispose(): void {
    this.h.dispose();
  }
  backward(grad?: Tensor, retainGraph = false): void {
    this.h.backward(grad?.h, retainGraph);
  }
  /** A copy of the data as a typed array (Float32Array, Float64Array, BigInt64Array, ...). */
  data(): TypedArray {
    return this.h.data();
  }
  toFloat32(): Float32Array {
    return (this.dtype === 'float32' ? this.h : this.to('float32').h).data() as Float32Array;
  }
  toFloat64(): Float64Array {
    return (this.dtype === 'float64' ? this.h : this.to('float64').h).data() as Float64Array;
  }
  toInt32(): Int32Array {
    return (this.dtype === 'int32' ? this.h : this.to('int32').h).data() as Int32Array;
  }
  item(): number {
    return Number(this.h.item());
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
