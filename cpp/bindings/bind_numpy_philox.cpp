// Draws from buffered Philox streams with NumPy's semantics. The Python layer owns the state
// (and the lock); each call takes the state as a tuple and returns the advanced state.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <stdexcept>
#include <string>
#include <tuple>

#include "../numpy_philox_stream.hpp"
#include "gil.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace weightinit::bindings {

template <class Word>
using StateTuple = std::tuple<std::array<Word, 4>, std::array<Word, 2>, std::array<Word, 4>, int, int, std::uint32_t>;

template <class Word>
NumpyPhiloxState<Word> from_tuple(const StateTuple<Word>& t) {
  NumpyPhiloxState<Word> s;
  s.counter = std::get<0>(t);
  s.key = std::get<1>(t);
  s.buffer = std::get<2>(t);
  s.buffer_pos = std::get<3>(t);
  s.has_uint32 = std::get<4>(t);
  s.uinteger = std::get<5>(t);
  if (s.buffer_pos < 0 || s.buffer_pos > 4) throw std::invalid_argument("buffer_pos must be in [0, 4]");
  return s;
}

template <class Word>
StateTuple<Word> to_tuple(const NumpyPhiloxState<Word>& s) {
  return {s.counter, s.key, s.buffer, s.buffer_pos, s.has_uint32, s.uinteger};
}

Draw parse_draw(const std::string& kind) {
  if (kind == "random") return Draw::kRandom;
  if (kind == "uniform") return Draw::kUniform;
  if (kind == "raw") return Draw::kRaw;
  throw std::invalid_argument("unknown draw kind: " + kind);
}

// Fills the C-contiguous, writable array `out` from the stream.
template <class Word>
StateTuple<Word> draw(const StateTuple<Word>& state, py::array out, const std::string& kind, double low,
                      double range) {
  NumpyPhiloxState<Word> st = from_tuple<Word>(state);
  const Draw d = parse_draw(kind);
  if (!(out.flags() & py::array::c_style)) throw std::invalid_argument("out must be C-contiguous");
  if (!out.writeable()) throw std::invalid_argument("out must be writable");
  const std::uint64_t n = static_cast<std::uint64_t>(out.size());
  void* data = out.mutable_data();
  const char kind_char = out.dtype().kind();
  const py::ssize_t itemsize = out.itemsize();
  without_gil([&] {
    if (d == Draw::kRaw) {
      if (kind_char != 'u' || itemsize != static_cast<py::ssize_t>(sizeof(Word))) {
        throw std::invalid_argument("raw draws need an unsigned array of the stream's word size");
      }
      draw_raw(st, static_cast<Word*>(data), n);
    } else if (kind_char == 'f' && itemsize == 8) {
      draw_f64(st, static_cast<double*>(data), n, d, low, range);
    } else if (kind_char == 'f' && itemsize == 4) {
      draw_f32(st, static_cast<float*>(data), n, d, static_cast<float>(low), static_cast<float>(range));
    } else {
      throw std::invalid_argument("out must be float32 or float64");
    }
  });
  return to_tuple(st);
}

void register_numpy_philox(py::module_& m) {
  m.def("draw_4x64", &draw<std::uint64_t>, py::arg("state"), py::arg("out"), py::arg("kind"),
        py::arg("low") = 0.0, py::arg("range") = 1.0,
        "Fill out from a NumPy-compatible Philox4x64 stream; returns the new state.");
  m.def("draw_4x32", &draw<std::uint32_t>, py::arg("state"), py::arg("out"), py::arg("kind"),
        py::arg("low") = 0.0, py::arg("range") = 1.0,
        "Fill out from a buffered Philox4x32 stream; returns the new state.");
}

}  // namespace weightinit::bindings
