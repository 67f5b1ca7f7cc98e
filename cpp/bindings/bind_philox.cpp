// Raw Philox block functions over arrays of counters: philox4x32_10, philox4x64_10.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "../dispatch.hpp"
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

// The Philox4x32-10 words of groups first_group, first_group + 1, ... into out (uint32, 1-D,
// contiguous, a multiple of 64 long), on the calling thread with the active kernels: the compute
// ceiling of every fill, for the benchmark.
void philox4x32_words(py::array out, const std::array<std::uint32_t, 2>& key, std::uint64_t first_group) {
  if (!out.dtype().is(py::dtype::of<std::uint32_t>())) throw std::invalid_argument("out must be a uint32 array");
  if (out.ndim() != 1 || (out.strides(0) != 4 && out.size() > 1)) throw std::invalid_argument("out must be 1-D and contiguous");
  if (!out.writeable()) throw std::invalid_argument("out must be writable");
  if (out.size() % 64 != 0) throw std::invalid_argument("out's length must be a multiple of 64 (one group of 16 blocks)");
  const std::uint64_t groups = static_cast<std::uint64_t>(out.size()) / 64;
  if (first_group > UINT64_MAX / 16 - groups) throw std::invalid_argument("first_group is beyond the stream");
  auto* o = static_cast<std::uint32_t*>(out.mutable_data());
  const WordKernel words = active_kernels().words;
  without_gil([&] { words(key[0], key[1], first_group, groups, o); });
}

void register_philox(py::module_& m) {
  m.def("philox4x32_words", &philox4x32_words, py::arg("out"), py::arg("key"), py::arg("first_group") = 0,
        "Philox4x32-10 words of groups first_group, ... (64 words each: word r of a group is word r // 16\n"
        "of block 16 g + r % 16) into out (1-D contiguous uint32, a multiple of 64 long), on one thread.");
  m.def("philox4x32_10", &philox_blocks<std::uint32_t>, py::arg("counter"), py::arg("key"),
        "Philox4x32-10 of each row of counter (n, 4) uint32 under key (2,) uint32.");
  m.def("philox4x64_10", &philox_blocks<std::uint64_t>, py::arg("counter"), py::arg("key"),
        "Philox4x64-10 of each row of counter (n, 4) uint64 under key (2,) uint64.");
}

}  // namespace weightinit::bindings
