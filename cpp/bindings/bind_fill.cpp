// fill(): write distribution D(params) at given stream positions into an existing array.
// The array's own shape and strides decide where each element goes (so memory is only ever
// touched inside the array); the caller gives the stream position of each element.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "../fill.hpp"
#include "gil.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace weightinit::bindings {

// Fills of at most this many elements run without releasing the GIL.
constexpr py::ssize_t kKeepGilUpTo = 4096;

// The NumPy type character of each output kind (ml_dtypes' bfloat16 is 'E').
char dtype_char(OutKind o) {
  switch (o) {
    case OutKind::kFloat32: return 'f';
    case OutKind::kFloat64: return 'd';
    case OutKind::kFloat16: return 'e';
    case OutKind::kBFloat16: return 'E';
  }
  return '?';
}

// The core writes raw floats of `o`: an array of another type (objects, integers, float16 for
// bfloat16) or byte order would be corrupted, or crash the process; refused instead.
void check_dtype(const py::dtype& dt, OutKind o, const std::string& dtype) {
  const char order = dt.byteorder();
  if (dt.char_() != dtype_char(o) || (order != '=' && order != '|')) {
    throw std::invalid_argument("the array's dtype " + py::str(dt).cast<std::string>() + " is not native " + dtype);
  }
}

void fill(const std::string& distribution, py::array out, const std::string& dtype, const std::vector<double>& params,
          const std::array<std::uint32_t, 2>& key, std::int64_t pos_offset, const std::vector<std::int64_t>& pos_strides) {
  const OutKind o = out_kind_from_name(dtype);
  const bool is_constant = distribution == "constant";
  const DistKind d = is_constant ? DistKind::kUniform : dist_kind_from_name(distribution);
  check_dtype(out.dtype(), o, dtype);
  if (!out.writeable()) throw std::invalid_argument("out must be writable");
  if (static_cast<std::size_t>(out.ndim()) != pos_strides.size()) {
    throw std::invalid_argument("pos_strides must have one entry per dimension of out");
  }
  if (pos_offset < 0) throw std::invalid_argument("pos_offset must be >= 0");
  const std::size_t nparams = is_constant ? 1 : (d == DistKind::kTruncatedNormal ? 4 : 2);
  if (params.size() != nparams) {
    throw std::invalid_argument(distribution + " takes " + std::to_string(nparams) + " parameters");
  }
  if (out.size() == 0) return;
  StridedLayout layout;
  layout.data = static_cast<char*>(out.mutable_data());
  layout.pos_offset = pos_offset;
  layout.dims.reserve(static_cast<std::size_t>(out.ndim()));
  for (py::ssize_t k = 0; k < out.ndim(); ++k) {
    layout.dims.push_back({static_cast<std::int64_t>(out.shape(k)), static_cast<std::int64_t>(out.strides(k)),
                           pos_strides[static_cast<std::size_t>(k)]});
  }
  DistParams dp{};
  for (std::size_t k = 0; k < nparams; ++k) dp.p[k] = params[k];
  const Key2x32 k{key[0], key[1]};

  const auto run = [&] {
    if (is_constant) {
      fill_constant_value(o, params[0], layout, python_signals_ok);
    } else {
      fill_distribution(d, o, dp, k, layout, python_signals_ok);
    }
  };
  // A small fill (a few microseconds) keeps the GIL: releasing and taking it back would cost
  // a good part of the call.
  if (out.size() <= kKeepGilUpTo) {
    run();
  } else {
    without_gil(run);
  }
}

// fill() of a whole tensor of out's shape: the stream positions in C order (whatever out's
// memory order). The fast path of small calls (the Python side checks everything first; this
// saves building the position strides in Python, and a call with fewer arguments to convert).
void fill_whole(const std::string& distribution, py::array out, const std::string& dtype,
                const std::vector<double>& params, const std::array<std::uint32_t, 2>& key) {
  std::vector<std::int64_t> pos_strides(static_cast<std::size_t>(out.ndim()));
  std::int64_t step = 1;
  for (std::size_t k = pos_strides.size(); k-- > 0;) {
    pos_strides[k] = step;
    const auto extent = static_cast<std::int64_t>(out.shape(static_cast<py::ssize_t>(k)));
    step *= extent > 1 ? extent : 1;
  }
  fill(distribution, out, dtype, params, key, 0, pos_strides);
}

// A new C-ordered array of `shape` and `dt` (whose core name is `dtype`), filled as fill_whole()
// fills it: the fast path of small new-tensor calls (this also saves building the array in Python).
py::array fill_new(const std::string& distribution, const py::dtype& dt, const std::string& dtype,
                   const std::vector<py::ssize_t>& shape, const std::vector<double>& params,
                   const std::array<std::uint32_t, 2>& key) {
  for (py::ssize_t d : shape) {
    if (d < 0) throw std::invalid_argument("shape must not have negative dimensions");
  }
  check_dtype(dt, out_kind_from_name(dtype), dtype);  // before allocating
  py::array out(dt, shape);
  fill_whole(distribution, out, dtype, params, key);
  return out;
}

void register_fill(py::module_& m) {
  m.def("fill", &fill, py::arg("distribution"), py::arg("out"), py::arg("dtype"), py::arg("params"), py::arg("key"),
        py::arg("pos_offset"), py::arg("pos_strides"),
        "Fill out with distribution(params): element i gets the sample at stream position\n"
        "pos_offset + sum(i_k * pos_strides[k]) of the Philox4x32-10 stream under key.");
  m.def("fill_whole", &fill_whole, py::arg("distribution"), py::arg("out"), py::arg("dtype"), py::arg("params"),
        py::arg("key"),
        "fill() of a whole tensor of out's shape: pos_offset 0 and the position strides of C order.");
  m.def("fill_new", &fill_new, py::arg("distribution"), py::arg("dt"), py::arg("dtype"), py::arg("shape"),
        py::arg("params"), py::arg("key"),
        "A new C-ordered array of shape and dt, filled with distribution(params) at the stream positions of\n"
        "a whole tensor of that shape (as fill_whole() fills it).");
}

}  // namespace weightinit::bindings
