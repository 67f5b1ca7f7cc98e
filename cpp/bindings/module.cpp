// weightinit._core: the compiled core. Private; the public API is the Python package.
#include "register.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "weightinit's compiled core (private: use the weightinit package).";
  weightinit::bindings::register_philox(m);
  weightinit::bindings::register_streams(m);
  weightinit::bindings::register_fill(m);
  weightinit::bindings::register_runtime(m);
}
