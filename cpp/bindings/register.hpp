// One registration function per concept; module.cpp calls them all.
#pragma once

#include <pybind11/pybind11.h>

namespace weightinit::bindings {
void register_philox(pybind11::module_& m);
void register_numpy_streams(pybind11::module_& m);
void register_fill(pybind11::module_& m);
void register_runtime(pybind11::module_& m);
}  // namespace weightinit::bindings
