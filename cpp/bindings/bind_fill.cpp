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
#include "register.hpp"

namespace py = pybind11;

namespace weightinit::bindings {

enum class OutType { kFloat32, kFloat64, kFloat16, kBFloat16 };

OutType parse_out_type(const std::string& name) {
  if (name == "float32") return OutType::kFloat32;
  if (name == "float64") return OutType::kFloat64;
  if (name == "float16") return OutType::kFloat16;
  if (name == "bfloat16") return OutType::kBFloat16;
  throw std::invalid_argument("unsupported dtype: " + name);
}

template <template <class> class Dist, class... Args>
void dispatch(OutType t, const BlockStream& s, const StridedLayout& layout, Args... args) {
  switch (t) {
    case OutType::kFloat32: fill_strided<float>(Dist<float>(args...), s, layout); break;
    case OutType::kFloat64: fill_strided<double>(Dist<double>(args...), s, layout); break;
    case OutType::kFloat16: fill_strided<float16_bits>(Dist<float>(args...), s, layout); break;
    case OutType::kBFloat16: fill_strided<bfloat16_bits>(Dist<float>(args...), s, layout); break;
  }
}

// Uniform and Normal take their parameters in the working precision.
template <class Real> struct UniformArgs : Uniform<Real> {
  UniformArgs(double low, double range) : Uniform<Real>{static_cast<Real>(low), static_cast<Real>(range)} {}
};
template <class Real> struct NormalArgs : Normal<Real> {
  NormalArgs(double mean, double std) : Normal<Real>{static_cast<Real>(mean), static_cast<Real>(std)} {}
};

void fill(const std::string& distribution, py::array out, const std::string& dtype, const std::vector<double>& params,
          const std::array<std::uint32_t, 2>& key, const std::array<std::uint32_t, 4>& counter_base,
          std::int64_t pos_offset, const std::vector<std::int64_t>& pos_strides) {
  const OutType t = parse_out_type(dtype);
  const py::ssize_t want_itemsize = (t == OutType::kFloat32) ? 4 : (t == OutType::kFloat64 ? 8 : 2);
  if (out.itemsize() != want_itemsize) throw std::invalid_argument("out's itemsize does not match dtype " + dtype);
  if (!out.writeable()) throw std::invalid_argument("out must be writable");
  if (static_cast<std::size_t>(out.ndim()) != pos_strides.size()) {
    throw std::invalid_argument("pos_strides must have one entry per dimension of out");
  }
  if (pos_offset < 0) throw std::invalid_argument("pos_offset must be >= 0");
  const std::size_t nparams = distribution == "truncated_normal" ? 4 : (distribution == "constant" ? 1 : 2);
  if (params.size() != nparams) {
    throw std::invalid_argument(distribution + " takes " + std::to_string(nparams) + " parameters");
  }
  if (distribution != "uniform" && distribution != "normal" && distribution != "truncated_normal" &&
      distribution != "constant") {
    throw std::invalid_argument("unknown distribution: " + distribution);
  }
  StridedLayout layout;
  layout.data = out.size() == 0 ? nullptr : static_cast<char*>(out.mutable_data());
  layout.pos_offset = pos_offset;
  for (py::ssize_t k = 0; k < out.ndim(); ++k) {
    layout.dims.push_back({static_cast<std::int64_t>(out.shape(k)), static_cast<std::int64_t>(out.strides(k)),
                           pos_strides[static_cast<std::size_t>(k)]});
  }
  if (out.size() == 0) return;
  const BlockStream s{key, counter_base};

  py::gil_scoped_release release;
  if (distribution == "uniform") {
    dispatch<UniformArgs>(t, s, layout, params[0], params[1] - params[0]);
  } else if (distribution == "normal") {
    dispatch<NormalArgs>(t, s, layout, params[0], params[1]);
  } else if (distribution == "truncated_normal") {
    dispatch<TruncatedNormal>(t, s, layout, params[0], params[1], params[2], params[3]);
  } else {  // constant
    const float f = static_cast<float>(params[0]);
    switch (t) {
      case OutType::kFloat32: fill_constant<float>(f, layout); break;
      case OutType::kFloat64: fill_constant<double>(params[0], layout); break;
      case OutType::kFloat16: fill_constant<float16_bits>({float_to_float16(f)}, layout); break;
      case OutType::kBFloat16: fill_constant<bfloat16_bits>({float_to_bfloat16(f)}, layout); break;
    }
  }
}

void register_fill(py::module_& m) {
  m.def("fill", &fill, py::arg("distribution"), py::arg("out"), py::arg("dtype"), py::arg("params"), py::arg("key"),
        py::arg("counter_base"), py::arg("pos_offset"), py::arg("pos_strides"),
        "Fill out with distribution(params): element i gets the sample at stream position\n"
        "pos_offset + sum(i_k * pos_strides[k]) of Philox4x32-10 under key.");
}

}  // namespace weightinit::bindings
