// numkern/interrupt.hpp: stop long host-side work when the user asks (Ctrl-C in Python). Host only.
//
// The kernels know nothing of Python. Each extension module installs one hook at import (a plain function
// pointer, see cpp/bindings/interrupt.hpp) that answers "has the user asked to stop?". A kernel entry point
// opens a CancellationScope; the loops below it ask current_cancellation().requested() where stopping is
// harmless, leave their loops early when it says so, and the entry point throws numkern::Interrupted once it
// is back outside every parallel region (an exception must never cross an OpenMP region's boundary):
//
//     numkern::CancellationScope scope;                        // entry point
//     ...
//     numkern::Cancellation& cancel = numkern::current_cancellation();   // any function below it
//     #pragma omp parallel for
//     for (i ...) { if (cancel.requested()) continue; ...O(n) work on row i... }
//     ...
//     scope.throw_if_requested();                              // entry point, outside parallel regions
//
// requested() is cheap enough to ask per row of O(n) work: a relaxed atomic load on every thread; the thread
// that opened the scope (the caller's thread) also reads the clock, and calls the hook at most once per
// poll_interval (100 ms). An interrupted kernel's outputs are unspecified: the bindings turn Interrupted into
// Python's KeyboardInterrupt, so no partial result reaches the user.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <thread>

namespace numkern {

struct Interrupted : std::exception {
  const char* what() const noexcept override { return "numkern: interrupted by the host"; }
};

using InterruptHook = bool (*)();

// One hook per shared object: a header-only kernel compiled into several extension modules has one slot in each.
inline InterruptHook& interrupt_hook() {
  static InterruptHook hook = nullptr;
  return hook;
}

class Cancellation {
 public:
  static constexpr std::chrono::milliseconds poll_interval{100};

  explicit Cancellation(bool enabled = true)
      : enabled_(enabled), owner_(std::this_thread::get_id()), next_poll_(clock::now() + poll_interval) {}
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  // True once a stop was requested. Any thread may ask; only the owner thread consults the hook.
  bool requested() {
    if (flag_.load(std::memory_order_relaxed)) return true;
    if (!enabled_ || std::this_thread::get_id() != owner_) return false;
    const InterruptHook hook = interrupt_hook();
    if (hook == nullptr) return false;
    const auto now = clock::now();
    if (now < next_poll_) return false;
    next_poll_ = now + poll_interval;
    if (!hook()) return false;
    flag_.store(true, std::memory_order_relaxed);
    return true;
  }

  bool was_requested() const { return flag_.load(std::memory_order_relaxed); }

 private:
  using clock = std::chrono::steady_clock;
  std::atomic<bool> flag_{false};
  bool enabled_;
  std::thread::id owner_;
  clock::time_point next_poll_;  // owner thread only
};

inline Cancellation*& cancellation_slot() {
  thread_local Cancellation* slot = nullptr;
  return slot;
}

// The innermost open scope's Cancellation on this thread, or one that never fires. Fetch it BEFORE a parallel
// region and capture the reference: the slot is thread-local, the object is shared.
inline Cancellation& current_cancellation() {
  Cancellation* p = cancellation_slot();
  if (p != nullptr) return *p;
  static Cancellation never(false);
  return never;
}

// Opened by a kernel's entry point on the caller's thread. A scope inside another scope shares the outer one.
class CancellationScope {
 public:
  CancellationScope() : previous_(cancellation_slot()) {
    if (previous_ == nullptr) cancellation_slot() = &own_;
  }
  ~CancellationScope() { cancellation_slot() = previous_; }
  CancellationScope(const CancellationScope&) = delete;
  CancellationScope& operator=(const CancellationScope&) = delete;

  Cancellation& cancellation() { return current_cancellation(); }
  // Call outside every parallel region.
  void throw_if_requested() {
    if (current_cancellation().was_requested()) throw Interrupted();
  }

 private:
  Cancellation own_;
  Cancellation* previous_;
};

}  // namespace numkern
