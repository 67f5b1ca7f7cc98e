// Raw Philox block functions over arrays of counters: philox4x32_10, philox4x64_10.
#include <pybind11/numpy.h>

#include <stdexcept>
#include <string>

#include "../parallel.hpp"
#include "../per_isa/philox.hpp"
#include "gil.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace weightinit::bindings {

template <class Word>
py::array_t<Word> philox_blocks(const py::array_t<Word, py::array::c_style>& counter,
                                const py::array_t<Word, py::array::c_style>& key) {
  if (counter.ndim() != 2 || counter.shape(1) != 4) {
    throw std::invalid_argument("counter must have shape (n, 4), got ndim=" + std::to_string(counter.ndim()));
  }
  if (key.ndim() != 1 || key.shape(0) != 2) {
    throw std::invalid_argument("key must have shape (2,)");
  }
  const py::ssize_t n = counter.shape(0);
  py::array_t<Word> out({n, py::ssize_t{4}});
  const Word* c = counter.data();
  Word* o = out.mutable_data();
  const std::array<Word, 2> k = {key.data()[0], key.data()[1]};
  without_gil([&] {
    parallel_for(n, 16, 4, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) {
        const std::array<Word, 4> v = philox_block<Word>({c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3]}, k);
        for (int j = 0; j < 4; ++j) o[4 * i + j] = v[j];
      }
    });
  });
  return out;
}

void register_philox(py::module_& m) {
  m.def("philox4x32_10", &philox_blocks<std::uint32_t>, py::arg("counter"), py::arg("key"),
        "Philox4x32-10 of each row of counter (n, 4) uint32 under key (2,) uint32.");
  m.def("philox4x64_10", &philox_blocks<std::uint64_t>, py::arg("counter"), py::arg("key"),
        "Philox4x64-10 of each row of counter (n, 4) uint64 under key (2,) uint64.");
}

}  // namespace weightinit::bindings
