// NumPy's own bit generators, driven by the core: numpy_fill() fills an array as a
// numpy.random.Generator method would and returns the bit generator's state after it, both in
// NumPy's terms (its state dict), so the Python layer does, under the bit generator's lock:
//     bg.state = _core.numpy_fill(name, bg.state, method, out, params)
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "../numpy_streams/numpy_fill.hpp"
#include "gil.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace weightinit::bindings {
namespace ns = numpy_streams;

namespace {

std::uint64_t low_word(const py::handle& v) {
  const unsigned long long w = PyLong_AsUnsignedLongLongMask(v.ptr());
  if (PyErr_Occurred()) throw py::error_already_set();
  return w;
}

ns::U128 to_u128(const py::handle& v) {
  const py::int_ i(py::reinterpret_borrow<py::object>(v));
  return {low_word(i >> py::int_(64)), low_word(i)};
}

py::int_ from_u128(ns::U128 v) {
  const py::object value = (py::int_(v.hi) << py::int_(64)) | py::int_(v.lo);
  return py::int_(value);
}

template <std::size_t N>
std::array<std::uint64_t, N> words_of(const py::handle& v, const char* what) {
  const auto a = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>::ensure(v);
  if (!a || a.ndim() != 1 || a.shape(0) != static_cast<py::ssize_t>(N)) {
    throw std::invalid_argument(std::string("state: ") + what + " must hold " + std::to_string(N) + " uint64 words");
  }
  std::array<std::uint64_t, N> out{};
  for (std::size_t k = 0; k < N; ++k) out[k] = a.at(static_cast<py::ssize_t>(k));
  return out;
}

template <std::size_t N>
py::array_t<std::uint64_t> array_of(const std::array<std::uint64_t, N>& w) {
  py::array_t<std::uint64_t> a(static_cast<py::ssize_t>(N));
  for (std::size_t k = 0; k < N; ++k) a.mutable_at(static_cast<py::ssize_t>(k)) = w[k];
  return a;
}

void check_name(const py::dict& d, const char* name) {
  if (!d.contains("bit_generator") || py::str(d["bit_generator"]).cast<std::string>() != name) {
    throw std::invalid_argument(std::string("state must be a ") + name + " state dict");
  }
}

template <class Engine>
void read_half_word(const py::dict& d, ns::BitGenState<Engine>& st) {
  st.has_uint32 = py::int_(d["has_uint32"]).cast<int>() != 0 ? 1 : 0;
  st.uinteger = static_cast<std::uint32_t>(low_word(py::int_(d["uinteger"])));
}

template <class Engine>
void write_half_word(py::dict& d, const ns::BitGenState<Engine>& st) {
  d["has_uint32"] = st.has_uint32;
  d["uinteger"] = st.uinteger;
}

// The engines by NumPy's name, with their state dicts.
struct Philox {
  using Engine = ns::PhiloxEngine;
  static constexpr const char* kName = "Philox";
  static ns::BitGenState<Engine> from_dict(const py::dict& d) {
    check_name(d, kName);
    const py::dict s = d["state"];
    ns::BitGenState<Engine> st;
    st.engine.counter = words_of<4>(s["counter"], "counter");
    st.engine.key = words_of<2>(s["key"], "key");
    st.engine.buffer = words_of<4>(d["buffer"], "buffer");
    st.engine.buffer_pos = py::int_(d["buffer_pos"]).cast<int>();
    if (st.engine.buffer_pos < 0 || st.engine.buffer_pos > 4) throw std::invalid_argument("state: buffer_pos must be in [0, 4]");
    read_half_word(d, st);
    return st;
  }
  static py::dict to_dict(const ns::BitGenState<Engine>& st) {
    py::dict s, d;
    s["counter"] = array_of(st.engine.counter);
    s["key"] = array_of(st.engine.key);
    d["bit_generator"] = kName;
    d["state"] = s;
    d["buffer"] = array_of(st.engine.buffer);
    d["buffer_pos"] = st.engine.buffer_pos;
    write_half_word(d, st);
    return d;
  }
};

template <class E, const char* Name>
struct Pcg {
  using Engine = E;
  static constexpr const char* kName = Name;
  static ns::BitGenState<Engine> from_dict(const py::dict& d) {
    check_name(d, kName);
    const py::dict s = d["state"];
    ns::BitGenState<Engine> st;
    st.engine.state = to_u128(s["state"]);
    st.engine.inc = to_u128(s["inc"]);
    read_half_word(d, st);
    return st;
  }
  static py::dict to_dict(const ns::BitGenState<Engine>& st) {
    py::dict s, d;
    s["state"] = from_u128(st.engine.state);
    s["inc"] = from_u128(st.engine.inc);
    d["bit_generator"] = kName;
    d["state"] = s;
    write_half_word(d, st);
    return d;
  }
};
constexpr char kPcg64[] = "PCG64";
constexpr char kPcg64Dxsm[] = "PCG64DXSM";
using Pcg64 = Pcg<ns::Pcg64Engine, kPcg64>;
using Pcg64Dxsm = Pcg<ns::Pcg64DxsmEngine, kPcg64Dxsm>;

// Calls f(Traits{}) for the bit generator named `name`.
template <class F>
decltype(auto) visit_bit_generator(const std::string& name, F&& f) {
  if (name == Philox::kName) return f(Philox{});
  if (name == Pcg64::kName) return f(Pcg64{});
  if (name == Pcg64Dxsm::kName) return f(Pcg64Dxsm{});
  throw std::invalid_argument("numpy_fill: no stream for bit generator " + name + " (Philox, PCG64, PCG64DXSM)");
}

ns::Method parse_method(const std::string& m) {
  if (m == "raw") return ns::Method::kRaw;
  if (m == "random") return ns::Method::kRandom;
  if (m == "uniform") return ns::Method::kUniform;
  if (m == "standard_normal") return ns::Method::kStandardNormal;
  if (m == "normal") return ns::Method::kNormal;
  if (m == "standard_exponential") return ns::Method::kStandardExponential;
  if (m == "exponential") return ns::Method::kExponential;
  if (m == "standard_exponential_inv") return ns::Method::kStandardExponentialInv;
  if (m == "integers") return ns::Method::kIntegers;
  throw std::invalid_argument("numpy_fill: unknown method " + m);
}

ns::Element element_of(const py::array& out) {
  const py::dtype dt = out.dtype();
  const char kind = dt.kind();
  const py::ssize_t size = dt.itemsize();
  if (kind == 'f' && size == 8) return ns::Element::kFloat64;
  if (kind == 'f' && size == 4) return ns::Element::kFloat32;
  if (kind == 'b' && size == 1) return ns::Element::kBool;
  if (kind == 'i' || kind == 'u') {
    switch (size) {
      case 8: return ns::Element::kUInt64;
      case 4: return ns::Element::kUInt32;
      case 2: return ns::Element::kUInt16;
      case 1: return ns::Element::kUInt8;
      default: break;
    }
  }
  throw std::invalid_argument("numpy_fill: unsupported dtype " + py::str(dt).cast<std::string>());
}

void check_writable_contiguous(const py::array& out) {
  const int flags = out.flags();
  const bool contiguous = (flags & py::array::c_style) || (flags & py::array::f_style);
  if (!contiguous || !out.writeable() || !(flags & py::detail::npy_api::NPY_ARRAY_ALIGNED_) ||
      !out.dtype().attr("isnative").cast<bool>()) {
    throw std::invalid_argument("numpy_fill: out must be contiguous, writable, aligned and in native byte order");
  }
}

// params by method: uniform (low, high - low), normal (loc, scale), exponential (scale,),
// integers (off, rng) as NumPy's random_bounded_*_fill receives them; none for the others.
void read_params(ns::FillRequest& req, const py::tuple& params) {
  std::size_t want = 0;
  switch (req.method) {
    case ns::Method::kUniform:
    case ns::Method::kNormal:
    case ns::Method::kIntegers: want = 2; break;
    case ns::Method::kExponential: want = 1; break;
    default: want = 0; break;
  }
  if (params.size() != want) throw std::invalid_argument("numpy_fill: this method takes " + std::to_string(want) + " params");
  if (req.method == ns::Method::kIntegers) {
    req.off = params[0].cast<std::uint64_t>();
    req.rng = params[1].cast<std::uint64_t>();
  } else {
    if (want > 0) req.a = params[0].cast<double>();
    if (want > 1) req.b = params[1].cast<double>();
  }
}

py::dict numpy_fill(const std::string& bit_generator, const py::dict& state, const std::string& method, py::array out,
                    const py::tuple& params, std::uint64_t segment_units) {
  ns::FillRequest req{};
  req.method = parse_method(method);
  check_writable_contiguous(out);
  req.element = element_of(out);
  req.out = out.mutable_data();
  req.n = static_cast<std::uint64_t>(out.size());
  req.segment_units = segment_units;
  read_params(req, params);
  return visit_bit_generator(bit_generator, [&](auto traits) {
    using T = decltype(traits);
    auto st = T::from_dict(state);
    without_gil([&] { ns::numpy_fill(st, req, &python_signals_ok); });
    return T::to_dict(st);
  });
}

py::array_t<std::uint64_t> numpy_words(const std::string& bit_generator, const py::dict& state, std::uint64_t offset,
                                       py::ssize_t count) {
  if (count < 0) throw std::invalid_argument("count must be >= 0");
  py::array_t<std::uint64_t> out(count);
  std::uint64_t* data = out.mutable_data();
  visit_bit_generator(bit_generator, [&](auto traits) {
    using T = decltype(traits);
    const auto st = T::from_dict(state);
    without_gil([&] {
      typename T::Engine::Cursor cursor(st.engine, offset);
      cursor.fill(data, static_cast<std::size_t>(count));
    });
  });
  return out;
}

}  // namespace

void register_numpy_streams(py::module_& m) {
  m.def("numpy_fill", &numpy_fill, py::arg("bit_generator"), py::arg("state"), py::arg("method"), py::arg("out"),
        py::arg("params") = py::tuple(), py::arg("segment_units") = 0,
        "Fill out as numpy.random.Generator(bit_generator).<method> would from `state` (NumPy's state\n"
        "dict of Philox, PCG64 or PCG64DXSM) and return the state after it. Methods: raw, random,\n"
        "uniform (low, high - low), standard_normal, normal (loc, scale), standard_exponential,\n"
        "exponential (scale,), standard_exponential_inv, integers (off, rng). segment_units (tests):\n"
        "units per speculatively parsed segment; 0 for the default.");
  m.def("numpy_words", &numpy_words, py::arg("bit_generator"), py::arg("state"), py::arg("offset"), py::arg("count"),
        "Words offset .. offset + count - 1 of the stream next_uint64 would return from `state`.");
}

}  // namespace weightinit::bindings
