// numkern/sparse/spgemm/hash.hpp: the open-addressing hash of the SpGEMM accumulators, one source for the CPU
// kernels (symbolic.hpp, numeric.hpp, masked.hpp) and the CUDA kernels (cuda/sparse.cu): the slot of a column key
// (col * 107) & (size - 1) as in Nagasaka et al., linear probing, the table size for a row, and the row bins of the
// GPU (rows grouped by flop, each bin with its own table size in shared memory). NK_HOST_DEVICE: the CPU tests
// exercise the same functions the GPU runs.
#pragma once

#include <cstdint>

#include "numkern/config.hpp"

namespace numkern::sparse {

// Smallest power of two >= x (1 for x <= 1).
NK_HOST_DEVICE NK_INLINE int64_t next_pow2(int64_t x) {
  int64_t p = 1;
  while (p < x) p <<= 1;
  return p;
}

// Home slot of column `col` in a table of mask + 1 slots (a power of two). U is the slot type: uint64_t on the
// CPU, uint32_t on the GPU; the low bits of the product, hence the slot, are the same for both.
template <class U>
NK_HOST_DEVICE NK_INLINE U hash_slot(int64_t col, U mask) {
  return (static_cast<U>(col) * U(107)) & mask;
}

// Next slot of the linear probe sequence.
template <class U>
NK_HOST_DEVICE NK_INLINE U next_slot(U h, U mask) {
  return (h + 1) & mask;
}

// Slots of the table for a row with at most `bound` distinct keys: load factor <= 1/2.
NK_HOST_DEVICE NK_INLINE int64_t hash_table_size(int64_t bound) { return next_pow2(2 * bound); }

// The slot holding `key`, or the empty slot where it would be inserted, in keys[0..mask] (serial probing; the GPU
// kernels probe with the same slots but insert with atomicCAS).
template <class K, class U>
NK_HOST_DEVICE NK_INLINE U find_slot(const K* keys, K key, U mask, K empty) {
  U h = hash_slot(key, mask);
  while (keys[h] != key && keys[h] != empty) h = next_slot(h, mask);
  return h;
}

// GPU row bins: rows with flop <= kGpuBinMaxFlop[b] go to bin b (shared-memory tables of kGpuBinTable[b] slots);
// the rest to bin kGpuBinMaxFlop's size, a global-memory table per row of hash_table_size(min(flop, ncols)).
inline constexpr int kGpuSharedBins = 3;
inline constexpr int kGpuNumBins = kGpuSharedBins + 1;
inline constexpr int64_t kGpuBinMaxFlop[kGpuSharedBins] = {32, 256, 1024};
inline constexpr int kGpuBinTable[kGpuSharedBins] = {64, 512, 2048};
static_assert(kGpuBinTable[0] >= 2 * kGpuBinMaxFlop[0] && kGpuBinTable[1] >= 2 * kGpuBinMaxFlop[1] &&
                  kGpuBinTable[2] >= 2 * kGpuBinMaxFlop[2],
              "shared tables keep the load factor <= 1/2");

// Bin of a row with `flop` partial products (host side: the rows are binned before the launches).
inline int gpu_bin_of(int64_t flop) {
  int b = 0;
  while (b < kGpuSharedBins && flop > kGpuBinMaxFlop[b]) ++b;
  return b;
}

}  // namespace numkern::sparse
