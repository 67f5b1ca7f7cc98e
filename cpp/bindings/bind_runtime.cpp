// Threads and build/runtime facts for `python -m weightinit info`.
#include <pybind11/stl.h>

#include <stdexcept>
#include <string>

#include "../cpu_features.hpp"
#include "../dispatch.hpp"
#include "../parallel.hpp"
#include "../thread_pool.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace weightinit::bindings {

std::string compiler_description() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return "gcc " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#elif defined(_MSC_VER)
  return "msvc " + std::to_string(_MSC_VER);
#else
  return "unknown";
#endif
}

void register_runtime(py::module_& m) {
  m.def("get_num_threads", &get_num_threads, "Threads a large fill uses (OpenMP's max threads).");
  m.def(
      "set_num_threads",
      [](int n) {
        if (n < 1) throw std::invalid_argument("number of threads must be >= 1, got " + std::to_string(n));
        set_num_threads(n);
      },
      py::arg("n"), "Set the threads large fills use, through omp_set_num_threads.");
  m.def("compiled_isas", &compiled_isas, "Instruction sets this build has kernels for.");
  m.def("isa_supported", &isa_supported, py::arg("isa"), "Whether this build and CPU can run isa.");
  m.def("get_isa", &active_isa, "The instruction set of the kernels in use.");
  m.def("set_isa", &set_active_isa, py::arg("isa"), "Use the kernels for isa (scalar, avx2, avx512).");
  m.def("isa_note", &isa_note, "Why the ISA in use differs from WEIGHTINIT_ISA, if it does.");
  m.def("streaming_threshold", &nontemporal_threshold,
        "Outputs this large (bytes) use non-temporal (streaming) stores.");
  m.def("set_streaming_threshold", &set_nontemporal_threshold, py::arg("bytes"),
        "Set the size (bytes) from which outputs use non-temporal (streaming) stores (benchmarking).");
  m.def("serial_threshold", [] { return serial_threshold().load(); }, "Work below which a fill runs on one thread.");
  m.def("set_serial_threshold", [](std::int64_t v) { serial_threshold().store(v); }, py::arg("work"),
        "Set the work (elements x cost) below which a fill runs on one thread (measurement).");
  m.def("pool_stats", [] {
    const PoolStats s = pool_stats();
    py::dict d;
    d["workers"] = s.workers;
    d["forks"] = s.forks;
    d["jobs"] = s.jobs;
    d["solo"] = s.solo;
    return d;
  }, "The worker pool: threads started, forks seen, jobs run on it and alone.");
  m.def("build_info", [] {
    py::dict d;
    d["compiler"] = compiler_description();
    d["openmp"] = openmp_enabled();
#if defined(_OPENMP)
    d["openmp_version"] = _OPENMP;
#else
    d["openmp_version"] = py::none();
#endif
    d["architecture"] = cpu_architecture();
    d["cpu_features"] = cpu_features();
    d["cxx_standard"] = static_cast<long>(__cplusplus);
    return d;
  });
}

}  // namespace weightinit::bindings
