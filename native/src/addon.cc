// cwrf native binding: libtorch tensors as JS objects, ATen operators called by name through the
// dispatcher (so a new op needs no new C++), autograd entry points, generators and threads.
// Every libtorch error is turned into a JS Error carrying libtorch's message.
#include <napi.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/version.h>

#include <dlfcn.h>
#include <malloc.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <sstream>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

std::atomic<int64_t> g_live{0};

#define CWRF_TRY try {
#define CWRF_CATCH(env)                                                   \
  }                                                                       \
  catch (const Napi::Error&) {                                            \
    throw;                                                                \
  }                                                                       \
  catch (const c10::Error& e) {                                           \
    throw Napi::Error::New(env, e.what_without_backtrace());              \
  }                                                                       \
  catch (const std::exception& e) {                                       \
    throw Napi::Error::New(env, e.what());                                \
  }                                                                       \
  catch (...) {                                                           \
    throw Napi::Error::New(env, "unknown native error");                  \
  }

c10::ScalarType parseDtype(Napi::Env env, const std::string& s) {
  static const std::unordered_map<std::string, c10::ScalarType> m = {
      {"float32", at::kFloat}, {"float", at::kFloat},     {"float64", at::kDouble},
      {"double", at::kDouble}, {"float16", at::kHalf},    {"bfloat16", at::kBFloat16},
      {"int64", at::kLong},    {"long", at::kLong},       {"int32", at::kInt},
      {"int", at::kInt},       {"int16", at::kShort},     {"int8", at::kChar},
      {"uint8", at::kByte},    {"bool", at::kBool}};
  auto it = m.find(s);
  if (it == m.end()) throw Napi::TypeError::New(env, "unknown dtype '" + s + "'");
  return it->second;
}

const char* dtypeName(c10::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return "other";
  }
}

int64_t tensorBytes(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage()) return 0;
  return static_cast<int64_t>(t.numel()) * static_cast<int64_t>(t.element_size());
}

// ---------------------------------------------------------------------------------------------
class JsGenerator : public Napi::ObjectWrap<JsGenerator> {
 public:
  static Napi::FunctionReference ctor;
  at::Generator gen;

  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "Generator",
                                   {InstanceMethod("seed", &JsGenerator::Seed),
                                    InstanceMethod("getState", &JsGenerator::GetState),
                                    InstanceMethod("setState", &JsGenerator::SetState)});
    ctor = Napi::Persistent(f);
    exports.Set("Generator", f);
  }

  explicit JsGenerator(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsGenerator>(info) {
    uint64_t seed = 0;
    if (info.Length() > 0 && info[0].IsNumber()) seed = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
    if (info.Length() > 0 && info[0].IsBigInt()) {
      bool lossless;
      seed = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
    }
    gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  }

  Napi::Value Seed(const Napi::CallbackInfo& info);
  Napi::Value GetState(const Napi::CallbackInfo& info);
  Napi::Value SetState(const Napi::CallbackInfo& info);
};
Napi::FunctionReference JsGenerator::ctor;

// ---------------------------------------------------------------------------------------------
// Tensors live in a handle table: JS holds a number (slot + generation), never a native object, so
// freeing a tensor leaves nothing behind for the garbage collector (no heap fragmentation from
// wrappers awaiting finalization). The TypeScript Tensor class carries the handle in its `h` field.
constexpr double kSlots = 16777216.0;  // 2^24 slots; handle = generation * 2^24 + slot
struct Slot {
  at::Tensor t;
  int64_t bytes = 0;  // what V8 was told this tensor holds (0 until account())
  uint32_t gen = 0;
};
std::vector<Slot> g_slots;
std::vector<uint32_t> g_free;
Napi::FunctionReference g_factory;  // (handle) => Tensor, registered by the TypeScript side

double putTensor(Napi::Env env, at::Tensor t) {
  uint32_t i;
  if (!g_free.empty()) {
    i = g_free.back();
    g_free.pop_back();
  } else {
    if (g_slots.size() >= static_cast<size_t>(kSlots)) throw Napi::Error::New(env, "too many live tensors (2^24)");
    g_slots.emplace_back();
    i = static_cast<uint32_t>(g_slots.size() - 1);
  }
  Slot& s = g_slots[i];
  s.t = std::move(t);
  s.bytes = 0;
  g_live++;
  return static_cast<double>(s.gen) * kSlots + i;
}

Slot* slotOf(double h) {
  if (!(h >= 0)) return nullptr;
  double gen = std::floor(h / kSlots);
  auto i = static_cast<size_t>(h - gen * kSlots);
  if (i >= g_slots.size() || g_slots[i].gen != static_cast<uint32_t>(gen) || !g_slots[i].t.defined()) return nullptr;
  return &g_slots[i];
}

const at::Tensor& tensorOf(Napi::Env env, double h) {
  Slot* s = slotOf(h);
  if (!s) throw Napi::Error::New(env, "tensor was disposed");
  return s->t;
}

// Tells V8 the tensor's size, so that a forgotten handle's JS object gets collected (and its finalizer frees it)
// as native memory grows. Only for tensors that outlive every tidy scope: a scope frees its own tensors, and
// counting them (hundreds of MB per training step) made V8 run a full GC every 64 MB of that churn.
void accountTensor(Napi::Env env, double h) {
  Slot* s = slotOf(h);
  if (!s || s->bytes) return;
  s->bytes = tensorBytes(s->t);
  if (s->bytes) Napi::MemoryManagement::AdjustExternalMemory(env, s->bytes);
}

bool releaseTensor(Napi::Env env, double h) {
  Slot* s = slotOf(h);
  if (!s) return false;
  if (s->bytes) Napi::MemoryManagement::AdjustExternalMemory(env, -s->bytes);
  s->t.reset();
  s->bytes = 0;
  s->gen++;
  g_free.push_back(static_cast<uint32_t>(s - g_slots.data()));
  g_live--;
  return true;
}

// A JS Tensor (an object with a numeric `h`) -> its handle, or -1.
double handleOf(const Napi::Value& v) {
  if (!v.IsObject()) return -1;
  Napi::Value h = v.As<Napi::Object>().Get("h");
  return h.IsNumber() ? h.As<Napi::Number>().DoubleValue() : -1;
}

bool isTensor(const Napi::Value& v) { return handleOf(v) >= 0; }

const at::Tensor& toTensor(Napi::Env env, const Napi::Value& v, const std::string& what) {
  double h = handleOf(v);
  if (h < 0) throw Napi::TypeError::New(env, what + ": expected a Tensor");
  return tensorOf(env, h);
}

// A new JS Tensor for `t` (through the registered factory).
Napi::Value wrapTensor(Napi::Env env, at::Tensor t) {
  double h = putTensor(env, std::move(t));
  if (g_factory.IsEmpty()) return Napi::Number::New(env, h);
  return g_factory.Call({Napi::Number::New(env, h)});
}

double argHandle(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected a tensor handle");
  return info[i].As<Napi::Number>().DoubleValue();
}
const at::Tensor& argTensor(const Napi::CallbackInfo& info, size_t i) { return tensorOf(info.Env(), argHandle(info, i)); }

Napi::Value SetFactory(const Napi::CallbackInfo& info) {
  g_factory = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}
Napi::Value Release(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), releaseTensor(info.Env(), argHandle(info, 0)));
}
Napi::Value Account(const Napi::CallbackInfo& info) {
  accountTensor(info.Env(), argHandle(info, 0));
  return info.Env().Undefined();
}
Napi::Value Alive(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), slotOf(argHandle(info, 0)) != nullptr);
}
Napi::Value Shape(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto sizes = argTensor(info, 0).sizes();
  Napi::Array a = Napi::Array::New(env, sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) a.Set(i, Napi::Number::New(env, static_cast<double>(sizes[i])));
  return a;
}
Napi::Value Dtype(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtypeName(argTensor(info, 0).scalar_type()));
}
Napi::Value Device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), argTensor(info, 0).device().str());
}
Napi::Value Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(argTensor(info, 0).numel()));
}
Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), argTensor(info, 0).requires_grad());
}
Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  const_cast<at::Tensor&>(argTensor(info, 0)).set_requires_grad(info[1].ToBoolean().Value());
  return env.Undefined();
  CWRF_CATCH(env)
}
Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), argTensor(info, 0).is_leaf());
}
Napi::Value GradFn(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto fn = argTensor(info, 0).grad_fn();
  if (!fn) return env.Null();
  return Napi::String::New(env, fn->name());
}
Napi::Value GetGrad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  const auto& g = argTensor(info, 0).grad();
  if (!g.defined()) return env.Null();
  return wrapTensor(env, g);
}
Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  auto& x = const_cast<at::Tensor&>(argTensor(info, 0));
  if (info.Length() < 2 || info[1].IsNull() || info[1].IsUndefined()) x.mutable_grad().reset();
  else x.mutable_grad() = toTensor(env, info[1], "setGrad");
  return env.Undefined();
  CWRF_CATCH(env)
}
Napi::Value Backward(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  const auto& x = argTensor(info, 0);
  at::Tensor g;
  if (info.Length() > 1 && isTensor(info[1])) g = toTensor(env, info[1], "backward");
  bool retain = info.Length() > 2 && info[2].ToBoolean().Value();
  torch::autograd::backward({x}, g.defined() ? torch::autograd::variable_list{g} : torch::autograd::variable_list{}, retain, false);
  return env.Undefined();
  CWRF_CATCH(env)
}
Napi::Value Item(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  const auto& x = argTensor(info, 0);
  if (x.numel() != 1) throw Napi::Error::New(env, "item() needs a tensor with one element, got " + std::to_string(x.numel()));
  auto s = x.item();
  if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
  return Napi::Number::New(env, s.toDouble());
  CWRF_CATCH(env)
}

template <typename Arr, typename T>
Napi::Value copyOut(Napi::Env env, const at::Tensor& c) {
  auto n = static_cast<size_t>(c.numel());
  Arr a = Arr::New(env, n);
  if (n) std::memcpy(a.Data(), c.data_ptr(), n * sizeof(T));
  return a;
}

Napi::Value Data(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  at::Tensor c = argTensor(info, 0).detach().to(at::kCPU).contiguous();
  switch (c.scalar_type()) {
    case at::kFloat: return copyOut<Napi::Float32Array, float>(env, c);
    case at::kDouble: return copyOut<Napi::Float64Array, double>(env, c);
    case at::kLong: return copyOut<Napi::BigInt64Array, int64_t>(env, c);
    case at::kInt: return copyOut<Napi::Int32Array, int32_t>(env, c);
    case at::kShort: return copyOut<Napi::Int16Array, int16_t>(env, c);
    case at::kChar: return copyOut<Napi::Int8Array, int8_t>(env, c);
    case at::kByte:
    case at::kBool: return copyOut<Napi::Uint8Array, uint8_t>(env, c);
    case at::kHalf:
    case at::kBFloat16: return copyOut<Napi::Uint16Array, uint16_t>(env, c);
    default: throw Napi::TypeError::New(env, std::string("data(): unsupported dtype ") + c10::toString(c.scalar_type()));
  }
  CWRF_CATCH(env)
}

// fromArray(typedArray, shape: number[], dtype?: string): copies the data into a new tensor.
Napi::Value FromArray(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsArray())
    throw Napi::TypeError::New(env, "fromArray(data: TypedArray, shape: number[], dtype?)");
  auto ta = info[0].As<Napi::TypedArray>();
  auto sh = info[1].As<Napi::Array>();
  std::vector<int64_t> shape(sh.Length());
  int64_t n = 1;
  for (uint32_t i = 0; i < sh.Length(); i++) {
    double d = sh.Get(i).ToNumber().DoubleValue();
    if (!(d >= 0) || d != static_cast<double>(static_cast<int64_t>(d)))
      throw Napi::RangeError::New(env, "fromArray: shape entries must be non-negative integers");
    shape[i] = static_cast<int64_t>(d);
    n *= shape[i];
  }
  if (static_cast<size_t>(n) != ta.ElementLength())
    throw Napi::RangeError::New(env, "fromArray: shape has " + std::to_string(n) + " elements but data has " +
                                         std::to_string(ta.ElementLength()));
  c10::ScalarType src;
  switch (ta.TypedArrayType()) {
    case napi_float32_array: src = at::kFloat; break;
    case napi_float64_array: src = at::kDouble; break;
    case napi_int32_array: src = at::kInt; break;
    case napi_int16_array: src = at::kShort; break;
    case napi_int8_array: src = at::kChar; break;
    case napi_uint8_array:
    case napi_uint8_clamped_array: src = at::kByte; break;
    case napi_bigint64_array: src = at::kLong; break;
    default: throw Napi::TypeError::New(env, "fromArray: unsupported typed array type");
  }
  c10::ScalarType dst = src;
  if (info.Length() > 2 && info[2].IsString()) dst = parseDtype(env, info[2].As<Napi::String>().Utf8Value());
  void* ptr = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  at::Tensor t = at::from_blob(ptr, shape, at::TensorOptions().dtype(src)).clone();
  if (dst != src) t = t.to(dst);
  return wrapTensor(env, t);
  CWRF_CATCH(env)
}

Napi::Value JsGenerator::Seed(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (info.Length() > 0 && info[0].IsNumber()) {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value()));
  }
  return Napi::Number::New(env, static_cast<double>(gen.current_seed()));
}
Napi::Value JsGenerator::GetState(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  std::lock_guard<std::mutex> lock(gen.mutex());
  return wrapTensor(env, gen.get_state());
  CWRF_CATCH(env)
}
Napi::Value JsGenerator::SetState(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(toTensor(env, info[0], "setState"));
  return env.Undefined();
  CWRF_CATCH(env)
}

// ---------------------------------------------------------------------------------------------
// Operators by name.
struct OpEntry {
  c10::OperatorHandle handle;
  const c10::FunctionSchema* schema;
};
std::vector<OpEntry> g_ops;
std::unordered_map<std::string, size_t> g_opIndex;

// op(qualifiedName, overload) -> id
Napi::Value OpId(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  std::string key = name + "." + overload;
  auto it = g_opIndex.find(key);
  if (it != g_opIndex.end()) return Napi::Number::New(env, static_cast<double>(it->second));
  auto h = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!h) throw Napi::Error::New(env, "no ATen operator " + key);
  g_ops.push_back({*h, &h->schema()});
  g_opIndex[key] = g_ops.size() - 1;
  return Napi::Number::New(env, static_cast<double>(g_ops.size() - 1));
  CWRF_CATCH(env)
}

Napi::Value OpSchema(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  size_t id = info[0].As<Napi::Number>().Uint32Value();
  if (id >= g_ops.size()) throw Napi::RangeError::New(env, "bad op id");
  std::ostringstream s;
  s << *g_ops[id].schema;
  return Napi::String::New(env, s.str());
}

int64_t toInt(Napi::Env env, const Napi::Value& v, const std::string& what) {
  if (v.IsBigInt()) {
    bool lossless;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d))) throw Napi::TypeError::New(env, what + ": expected an integer, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

int64_t enumFromString(Napi::Env env, const std::string& s, c10::TypeKind kind) {
  if (s == "contiguous_format") return static_cast<int64_t>(at::MemoryFormat::Contiguous);
  if (s == "channels_last") return static_cast<int64_t>(at::MemoryFormat::ChannelsLast);
  if (s == "preserve_format") return static_cast<int64_t>(at::MemoryFormat::Preserve);
  if (s == "strided") return static_cast<int64_t>(at::kStrided);
  (void)kind;
  return static_cast<int64_t>(parseDtype(env, s));
}

c10::IValue toIValue(Napi::Env env, const Napi::Value& v, const c10::TypePtr& type, const c10::Argument& arg) {
  const std::string what = "argument '" + arg.name() + "'";
  switch (type->kind()) {
    case c10::TypeKind::TensorType:
      return toTensor(env, v, what);
    case c10::TypeKind::OptionalType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      return toIValue(env, v, type->castRaw<c10::OptionalType>()->getElementType(), arg);
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
    case c10::TypeKind::ScalarTypeType:
    case c10::TypeKind::LayoutType:
    case c10::TypeKind::MemoryFormatType:
      if (v.IsString()) return enumFromString(env, v.As<Napi::String>().Utf8Value(), type->kind());
      return toInt(env, v, what);
    case c10::TypeKind::FloatType:
      if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected a number");
      return v.As<Napi::Number>().DoubleValue();
    case c10::TypeKind::BoolType:
      if (!v.IsBoolean()) throw Napi::TypeError::New(env, what + ": expected a boolean");
      return v.As<Napi::Boolean>().Value();
    case c10::TypeKind::NumberType: {
      if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
      if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected a number");
      double d = v.As<Napi::Number>().DoubleValue();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0)
        return c10::Scalar(static_cast<int64_t>(d));
      return c10::Scalar(d);
    }
    case c10::TypeKind::StringType:
      if (!v.IsString()) throw Napi::TypeError::New(env, what + ": expected a string");
      return v.As<Napi::String>().Utf8Value();
    case c10::TypeKind::DeviceObjType:
      if (!v.IsString()) throw Napi::TypeError::New(env, what + ": expected a device string");
      return c10::Device(v.As<Napi::String>().Utf8Value());
    case c10::TypeKind::GeneratorType:
      if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(JsGenerator::ctor.Value()))
        throw Napi::TypeError::New(env, what + ": expected a Generator");
      return JsGenerator::Unwrap(v.As<Napi::Object>())->gen;
    case c10::TypeKind::ListType: {
      auto elem = type->castRaw<c10::ListType>()->getElementType();
      size_t fixedN = arg.N() ? static_cast<size_t>(*arg.N()) : 1;
      auto ek = elem->kind();
      if (ek == c10::TypeKind::IntType || ek == c10::TypeKind::SymIntType) {
        std::vector<int64_t> out;
        if (v.IsArray()) {
          auto a = v.As<Napi::Array>();
          for (uint32_t i = 0; i < a.Length(); i++) out.push_back(toInt(env, a.Get(i), what));
        } else {
          out.assign(fixedN, toInt(env, v, what));
        }
        return out;
      }
      if (ek == c10::TypeKind::FloatType) {
        std::vector<double> out;
        if (!v.IsArray()) throw Napi::TypeError::New(env, what + ": expected number[]");
        auto a = v.As<Napi::Array>();
        for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).ToNumber().DoubleValue());
        return out;
      }
      if (ek == c10::TypeKind::BoolType) {
        c10::List<bool> out;
        if (!v.IsArray()) throw Napi::TypeError::New(env, what + ": expected boolean[]");
        auto a = v.As<Napi::Array>();
        for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).ToBoolean().Value());
        return out;
      }
      if (!v.IsArray()) throw Napi::TypeError::New(env, what + ": expected an array");
      auto a = v.As<Napi::Array>();
      if (ek == c10::TypeKind::TensorType) {
        c10::List<at::Tensor> out;
        for (uint32_t i = 0; i < a.Length(); i++) out.push_back(toTensor(env, a.Get(i), what));
        return out;
      }
      if (ek == c10::TypeKind::OptionalType &&
          elem->castRaw<c10::OptionalType>()->getElementType()->kind() == c10::TypeKind::TensorType) {
        c10::List<c10::optional<at::Tensor>> out;
        for (uint32_t i = 0; i < a.Length(); i++) {
          auto e = a.Get(i);
          if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
          else out.push_back(toTensor(env, e, what));
        }
        return out;
      }
      throw Napi::TypeError::New(env, what + ": unsupported list type " + type->str());
    }
    default:
      throw Napi::TypeError::New(env, what + ": unsupported argument type " + type->str());
  }
}

Napi::Value fromIValue(Napi::Env env, const c10::IValue& v, const std::vector<Napi::Value>& inputs,
                       const std::vector<const at::Tensor*>& inputTensors) {
  if (v.isTensor()) {
    const at::Tensor& t = v.toTensor();
    if (!t.defined()) return env.Null();
    for (size_t i = 0; i < inputTensors.size(); i++)
      if (inputTensors[i] && inputTensors[i]->is_same(t)) return inputs[i];
    return wrapTensor(env, t);
  }
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isScalar()) return Napi::Number::New(env, v.toScalar().toDouble());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isTuple()) {
    const auto& el = v.toTupleRef().elements();
    Napi::Array a = Napi::Array::New(env, el.size());
    for (size_t i = 0; i < el.size(); i++) a.Set(i, fromIValue(env, el[i], inputs, inputTensors));
    return a;
  }
  if (v.isList()) {
    auto l = v.toListRef();
    Napi::Array a = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); i++) a.Set(i, fromIValue(env, l[i], inputs, inputTensors));
    return a;
  }
  throw Napi::TypeError::New(env, "unsupported return type " + v.tagKind());
}

// call(id, args: any[], kwargs?: object) -> result
Napi::Value Call(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  size_t id = info[0].As<Napi::Number>().Uint32Value();
  if (id >= g_ops.size()) throw Napi::RangeError::New(env, "bad op id");
  const auto& op = g_ops[id];
  const auto& args = op.schema->arguments();
  Napi::Array jsArgs = info.Length() > 1 && info[1].IsArray() ? info[1].As<Napi::Array>() : Napi::Array::New(env);
  Napi::Object kw = info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object();
  uint32_t npos = jsArgs.Length();
  if (npos > args.size())
    throw Napi::TypeError::New(env, op.schema->name() + ": " + std::to_string(npos) + " arguments given, at most " +
                                        std::to_string(args.size()) + " accepted");
  torch::jit::Stack stack;
  stack.reserve(args.size());
  std::vector<Napi::Value> inputs;
  std::vector<const at::Tensor*> inputTensors;
  for (size_t i = 0; i < args.size(); i++) {
    const auto& a = args[i];
    Napi::Value v;
    bool have = false;
    if (i < npos) {
      v = jsArgs.Get(static_cast<uint32_t>(i));
      have = !v.IsUndefined();
    } else if (!kw.IsEmpty() && kw.Has(a.name())) {
      v = kw.Get(a.name());
      have = !v.IsUndefined();
    }
    if (have) {
      stack.push_back(toIValue(env, v, a.type(), a));
      if (isTensor(v)) {
        inputs.push_back(v);
        inputTensors.push_back(&tensorOf(env, handleOf(v)));
      }
    } else if (a.default_value()) {
      stack.push_back(*a.default_value());
    } else if (a.type()->kind() == c10::TypeKind::OptionalType) {
      stack.push_back(c10::IValue());
    } else {
      throw Napi::TypeError::New(env, op.schema->name() + ": missing argument '" + a.name() + "'");
    }
  }
  op.handle.callBoxed(&stack);
  if (stack.empty()) return env.Undefined();
  if (stack.size() == 1) return fromIValue(env, stack[0], inputs, inputTensors);
  Napi::Array out = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); i++) out.Set(i, fromIValue(env, stack[i], inputs, inputTensors));
  return out;
  CWRF_CATCH(env)
}

// grad(outputs[], inputs[], gradOutputs[] | null, retainGraph, createGraph) -> (Tensor|null)[]
Napi::Value Grad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  auto list = [&](const Napi::Value& v) {
    std::vector<at::Tensor> r;
    if (!v.IsArray()) return r;
    auto a = v.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) r.push_back(toTensor(env, a.Get(i), "grad"));
    return r;
  };
  auto outs = list(info[0]);
  auto ins = list(info[1]);
  auto gouts = info.Length() > 2 ? list(info[2]) : std::vector<at::Tensor>{};
  bool retain = info.Length() > 3 && info[3].ToBoolean().Value();
  bool create = info.Length() > 4 && info[4].ToBoolean().Value();
  auto gs = torch::autograd::grad(outs, ins, gouts, retain, create, /*allow_unused=*/true);
  Napi::Array a = Napi::Array::New(env, gs.size());
  for (size_t i = 0; i < gs.size(); i++) a.Set(i, gs[i].defined() ? wrapTensor(env, gs[i]) : env.Null());
  return a;
  CWRF_CATCH(env)
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(info[0].ToBoolean().Value());
  return Napi::Boolean::New(info.Env(), prev);
}
Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  CWRF_TRY
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1) throw Napi::RangeError::New(env, "threads must be >= 1");
  at::set_num_threads(n);
  // A pthread OpenBLAS (Debian's default) keeps its own pool; size it too, or parallel workers oversubscribe.
  using SetThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(n);
  return env.Undefined();
  CWRF_CATCH(env)
}
// Denormal floats (e.g. gradients through saturated tanh) cost ~100x on x86; flushing them to zero is
// what torch.set_flush_denormal(True) does. Applies to the calling thread and libtorch's OpenMP pool.
Napi::Value SetFlushDenormal(const Napi::CallbackInfo& info) {
  bool on = info[0].ToBoolean().Value();
  bool ok = at::globalContext().setFlushDenormal(on);
  at::parallel_for(0, at::get_num_threads(), 1, [on](int64_t, int64_t) { at::globalContext().setFlushDenormal(on); });
  return Napi::Boolean::New(info.Env(), ok);
}
Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}
Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  int n = at::globalContext().hasCUDA() ? static_cast<int>(at::detail::getCUDAHooks().getNumGPUs()) : 0;
  return Napi::Number::New(info.Env(), n);
}
Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_live.load()));
}
Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  at::manual_seed(static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value()));
  return info.Env().Undefined();
}

// glibc mallopt thresholds: allocations of at least `mmapBytes` get their own mmap (and fresh, page-faulting
// pages each time); freed heap memory above `trimBytes` goes back to the kernel. Returns whether both were taken.
Napi::Value SetAllocatorThresholds(const Napi::CallbackInfo& info) {
  const auto mmapBytes = static_cast<int>(info[0].As<Napi::Number>().Int64Value());
  const auto trimBytes = static_cast<int>(info[1].As<Napi::Number>().Int64Value());
  const bool ok = mallopt(M_MMAP_THRESHOLD, mmapBytes) == 1 && mallopt(M_TRIM_THRESHOLD, trimBytes) == 1;
  return Napi::Boolean::New(info.Env(), ok);
}

Napi::Object InitAll(Napi::Env env, Napi::Object exports) {
  JsGenerator::Init(env, exports);
  for (auto& [name, fn] : std::vector<std::pair<const char*, Napi::Function::Callback>>{
           {"setFactory", SetFactory}, {"release", Release}, {"account", Account}, {"alive", Alive}, {"shape", Shape},
           {"dtype", Dtype}, {"device", Device}, {"numel", Numel}, {"requiresGrad", RequiresGrad},
           {"setRequiresGrad", SetRequiresGrad}, {"isLeaf", IsLeaf}, {"gradFn", GradFn},
           {"grad", GetGrad}, {"setGrad", SetGrad}, {"backward", Backward}, {"data", Data}, {"item", Item}})
    exports.Set(name, Napi::Function::New(env, fn, name));
  exports.Set("fromArray", Napi::Function::New(env, FromArray));
  exports.Set("opId", Napi::Function::New(env, OpId));
  exports.Set("opSchema", Napi::Function::New(env, OpSchema));
  exports.Set("call", Napi::Function::New(env, Call));
  exports.Set("autogradGrad", Napi::Function::New(env, Grad));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("setFlushDenormal", Napi::Function::New(env, SetFlushDenormal));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, CudaDeviceCount));
  exports.Set("liveTensors", Napi::Function::New(env, LiveTensors));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed));
  exports.Set("setAllocatorThresholds", Napi::Function::New(env, SetAllocatorThresholds));
  exports.Set("torchVersion", Napi::String::New(env, TORCH_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(cwrf_native, InitAll)
