// numkern/special/block_driver.hpp: the generic elementwise driver of the log-Bessel ufunc loops, numpy-free.
// Host only.
//
// run_blocks evaluates out[i] = f(in0[i], in1[i]) for i < n over arrays given as char pointers and byte strides
// (a NumPy ufunc loop's args/steps, or any other strided storage), element type T (float or double; the
// kernels compute in double and the result is rounded once to T). The work is cut into blocks of kBlock
// elements: each block is converted to double, handed to a block kernel (log_bessel_batch.hpp's BlockFunction,
// which evaluates the elements of its vectorised regions and returns the indices of the others in `rest`), the
// returned elements are evaluated by the scalar kernel, and the block is written back. Without a block kernel
// (block == nullptr) every element goes to the scalar kernel.
//
// Fast paths: unit strides (all three operands contiguous) convert with plain indexed loops that the compiler
// vectorises; for double they skip the copies altogether (the block kernel reads the inputs and writes the
// output in place: it reads every input of a block before it writes any output, and NumPy hands a loop either
// disjoint or exactly aliased operands, so in-place calls are safe). The values are the same bits on every path.
//
// Long loops (n >= kParallelMinElements) split their blocks across OpenMP threads (default_num_threads: OpenMP's
// rules and threadpoolctl); an element's value depends on (in0[i], in1[i]) only, never on the thread count, the
// block or the path. The caller's underflow and overflow flags are restored on return (see _special.cpp).
#pragma once

#include <cfenv>
#include <cstdint>
#include <type_traits>

#include "numkern/parallel.hpp"
#include "numkern/special/log_bessel_batch.hpp"

namespace numkern::special::batch {

using ScalarFunction = double (*)(double, double);

// Below this many elements a loop runs on the calling thread (thread start-up would cost more than it saves).
constexpr std::int64_t kParallelMinElements = 2048;

namespace detail {

// One block of m <= kBlock elements from v, x (double, contiguous) into r; the scalar kernel takes the rest.
inline void eval_block(BlockFunction block, int fn, ScalarFunction scalar, const double* v, const double* x,
                       double* r, int m) {
  int rest[kBlock];
  int n_rest = m;
  if (block != nullptr) {
    n_rest = block(fn, v, x, r, m, rest);
    for (int j = 0; j < n_rest; ++j) r[rest[j]] = scalar(v[rest[j]], x[rest[j]]);
  } else {
    for (int j = 0; j < m; ++j) r[j] = scalar(v[j], x[j]);
  }
}

template <class T>
void strided_block(BlockFunction block, int fn, ScalarFunction scalar, const char* in0, const char* in1, char* out,
                   std::int64_t s0, std::int64_t s1, std::int64_t s2, std::int64_t start, int m) {
  double v[kBlock], x[kBlock], r[kBlock];
  const char* p0 = in0 + start * s0;
  const char* p1 = in1 + start * s1;
  for (int j = 0; j < m; ++j, p0 += s0, p1 += s1) {
    v[j] = static_cast<double>(*reinterpret_cast<const T*>(p0));
    x[j] = static_cast<double>(*reinterpret_cast<const T*>(p1));
  }
  eval_block(block, fn, scalar, v, x, r, m);
  char* p2 = out + start * s2;
  for (int j = 0; j < m; ++j, p2 += s2) *reinterpret_cast<T*>(p2) = static_cast<T>(r[j]);
}

template <class T>
void contiguous_block(BlockFunction block, int fn, ScalarFunction scalar, const T* in0, const T* in1, T* out,
                      std::int64_t start, int m) {
  if constexpr (std::is_same_v<T, double>) {
    eval_block(block, fn, scalar, in0 + start, in1 + start, out + start, m);
  } else {
    double v[kBlock], x[kBlock], r[kBlock];
    const T* a = in0 + start;
    const T* b = in1 + start;
    for (int j = 0; j < m; ++j) v[j] = static_cast<double>(a[j]);
    for (int j = 0; j < m; ++j) x[j] = static_cast<double>(b[j]);
    eval_block(block, fn, scalar, v, x, r, m);
    T* o = out + start;
    for (int j = 0; j < m; ++j) o[j] = static_cast<T>(r[j]);
  }
}

}  // namespace detail

// out[i * s2] = f(in0[i * s0], in1[i * s1]) for i < n (strides in bytes), f = block kernel `block` for function
// `fn` plus the scalar kernel `scalar` for the elements it returns (block may be nullptr: scalar only).
template <class T>
void run_blocks(const char* in0, const char* in1, char* out, std::int64_t n, std::int64_t s0, std::int64_t s1,
                std::int64_t s2, BlockFunction block, int fn, ScalarFunction scalar) {
  const std::int64_t n_blocks = (n + kBlock - 1) / kBlock;
  const std::int64_t size = static_cast<std::int64_t>(sizeof(T));
  const bool contiguous = s0 == size && s1 == size && s2 == size;
  fexcept_t saved_flags;
  std::fegetexceptflag(&saved_flags, FE_UNDERFLOW | FE_OVERFLOW);
#if defined(_OPENMP)
  const int threads = n >= kParallelMinElements ? numkern::default_num_threads() : 1;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
#endif
  for (std::int64_t b = 0; b < n_blocks; ++b) {
    const std::int64_t start = b * kBlock;
    const int m = static_cast<int>(n - start < kBlock ? n - start : kBlock);
    if (contiguous) {
      detail::contiguous_block<T>(block, fn, scalar, reinterpret_cast<const T*>(in0),
                                  reinterpret_cast<const T*>(in1), reinterpret_cast<T*>(out), start, m);
    } else {
      detail::strided_block<T>(block, fn, scalar, in0, in1, out, s0, s1, s2, start, m);
    }
  }
  std::fesetexceptflag(&saved_flags, FE_UNDERFLOW | FE_OVERFLOW);
}

}  // namespace numkern::special::batch
