// Releasing the GIL around a fill, safely for a daemon thread whose interpreter is exiting.
//
// When Python finalizes while a daemon thread is inside a fill, CPython (before 3.14) ends that
// thread with pthread_exit() as soon as it asks for the GIL back: a forced unwind through the
// C++ frames. If that happens inside a destructor (pybind11's gil_scoped_release), the C++
// runtime calls std::terminate and the whole process aborts at exit. So the GIL is taken back
// here in ordinary code, never in a destructor, and a thread that would have to take it while
// the interpreter finalizes parks instead (the process is ending; CPython 3.14 does the same).
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <thread>

namespace weightinit::bindings {

inline bool python_is_finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing() != 0;
#else
  return _Py_IsFinalizing() != 0;
#endif
}

[[noreturn]] inline void park_forever() {
  for (;;) std::this_thread::sleep_for(std::chrono::hours(24));
}

inline void take_gil_back(PyThreadState* state) {
  if (python_is_finalizing()) park_forever();
  PyEval_RestoreThread(state);
}

// Runs f() without the GIL; exceptions from f pass through once the GIL is held again.
template <class F>
void without_gil(F&& f) {
  PyThreadState* state = PyEval_SaveThread();
  try {
    f();
  } catch (...) {  // a C++ exception, or the forced unwind of a thread being ended
    take_gil_back(state);
    throw;
  }
  take_gil_back(state);
}

// Between chunks of a large fill (called without the GIL): take the GIL for a moment and run
// Python's signal handlers; a KeyboardInterrupt (or any exception from a handler) ends the fill.
inline bool python_signals_ok() {
  if (python_is_finalizing()) park_forever();
  pybind11::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw pybind11::error_already_set();
  return true;
}

}  // namespace weightinit::bindings
