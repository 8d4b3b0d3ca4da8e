// The block kernels of numkern/special/log_bessel_batch.hpp compiled for one x86-64 level (avx2; the flags are
// set in CMakeLists.txt), chosen at import by cpu_dispatch in _special.cpp.
#define NK_BATCH_NS avx2
#include "numkern/special/log_bessel_batch.hpp"
