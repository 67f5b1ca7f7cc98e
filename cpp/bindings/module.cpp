// weightinit._core: the compiled core. Private; the public API is the Python package.
#include "../dispatch.hpp"
#include "../thread_pool.hpp"
#include "register.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "weightinit's compiled core (private: use the weightinit package).";
  // Process-wide state is set up here, under the import lock, before any Python thread can
  // use the module: nothing is initialized lazily by a fill, so a fork() in the middle of one
  // cannot leave a half-made static (and its guard lock) to the child.
  weightinit::pool_install_fork_handler();
  weightinit::initialize_kernel_tables();
  weightinit::bindings::register_philox(m);
  weightinit::bindings::register_numpy_streams(m);
  weightinit::bindings::register_fill(m);
  weightinit::bindings::register_runtime(m);
}
