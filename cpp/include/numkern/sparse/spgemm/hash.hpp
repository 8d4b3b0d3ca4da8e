// numkern/sparse/spgemm/hash.hpp: the hash slot of the accumulators.
// Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <cstdint>

#include "numkern/config.hpp"

namespace numkern::sparse {

NK_INLINE int64_t next_pow2(int64_t x) {
  int64_t p = 1;
  while (p < x) p <<= 1;
  return p;
}

NK_INLINE uint64_t hash_slot(int64_t col, uint64_t mask) { return (static_cast<uint64_t>(col) * 107u) & mask; }

}  // namespace numkern::sparse
