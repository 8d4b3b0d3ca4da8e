// cpp/bindings/interrupt.hpp: connect numkern::interrupt_hook() (numkern/interrupt.hpp) to Python's signals.
//
// Every extension module calls install_interrupt_hook() once in PYBIND11_MODULE. While a kernel runs without
// the GIL, Python's C-level SIGINT handler still records the signal; the hook, called at most every 100 ms from
// the thread that entered the kernel, takes the GIL for a moment and runs PyErr_CheckSignals(), which raises
// KeyboardInterrupt (or whatever a Python signal handler raises) into that thread's error indicator. The kernel
// then throws numkern::Interrupted, and the translator below hands the pending Python error to the caller.
// Only Python's main thread receives signals, so other threads (Dask workers, thread pools) never take the GIL
// here.
#pragma once

#include <pybind11/pybind11.h>

#include <exception>

#include "numkern/interrupt.hpp"

namespace numkern::bindings {

inline unsigned long& python_main_thread() {
  static unsigned long ident = 0;
  return ident;
}

inline bool python_signal_pending() {
  if (PyThread_get_thread_ident() != python_main_thread()) return false;
  pybind11::gil_scoped_acquire gil;
  return PyErr_CheckSignals() != 0;
}

inline void install_interrupt_hook() {
  python_main_thread() = pybind11::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
  numkern::interrupt_hook() = &python_signal_pending;
  pybind11::register_local_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const numkern::Interrupted&) {
      if (PyErr_Occurred() == nullptr) PyErr_SetNone(PyExc_KeyboardInterrupt);
    }
  });
}

}  // namespace numkern::bindings
