// The block kernels of numkern/special/log_bessel_batch.hpp compiled for the baseline target (no -m flags; the only
// variant on non-x86 machines), chosen at import by cpu_dispatch in _special.cpp.
#define NK_BATCH_NS baseline
#include "numkern/special/log_bessel_batch.hpp"
