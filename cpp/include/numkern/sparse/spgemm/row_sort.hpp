// numkern/sparse/spgemm/row_sort.hpp: sorting an output row (insertion, buckets, bitmap) and dropping exact zeros.
// Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "numkern/config.hpp"
#include "numkern/sparse/spgemm/hash.hpp"

namespace numkern::sparse {

// Nearly sorted rows (dense-accumulator rows of stencils) up to this length, and buckets of the bucket sort up
// to this length, are sorted by insertion sort; longer buckets with std::sort.
inline constexpr int64_t kInsertionSortMax = 32;
// Hash rows up to this length are sorted by insertion sort in place, longer ones through buckets (sort_row):
// measured on random columns, insertion wins below ~12 entries, buckets above.
inline constexpr int64_t kBucketSortMin = 12;

// Insert (src_cols, src_vals)[0..n) one by one, in order, into the sorted prefix of (cols, vals) (cols only when
// !WITH_VALUES); with DROP_ZEROS, entries whose value is exactly zero are skipped (scipy drops them). Returns the
// number of entries kept. src may be cols/vals themselves when nothing is dropped (an in-place insertion sort:
// entry a is read before the prefix grows over it). Cheap for short rows and for nearly sorted sources.
template <bool WITH_VALUES, bool DROP_ZEROS = false, class I, class V>
NK_INLINE int64_t insertion_sort_into(const I* src_cols, const V* src_vals, I* cols, V* vals, int64_t n) {
  static_assert(WITH_VALUES || !DROP_ZEROS, "zeros are found through the values");
  int64_t kept = 0;
  for (int64_t a = 0; a < n; ++a) {
    V v{};
    if constexpr (WITH_VALUES) v = src_vals[a];
    if constexpr (DROP_ZEROS) {
      if (v == V(0)) continue;  // rare: a predictable branch
    }
    const I c = src_cols[a];
    int64_t b = kept - 1;
    while (b >= 0 && cols[b] > c) {
      cols[b + 1] = cols[b];
      if constexpr (WITH_VALUES) vals[b + 1] = vals[b];
      --b;
    }
    cols[b + 1] = c;
    if constexpr (WITH_VALUES) vals[b + 1] = v;
    ++kept;
  }
  return kept;
}

// Insertion sort of (cols, vals)[0..n) by column in place.
template <bool WITH_VALUES, class I, class V>
NK_INLINE void insertion_sort_row(I* cols, V* vals, int64_t n) {
  insertion_sort_into<WITH_VALUES>(cols, vals, cols, vals, n);
}

// Whether some of vals[0..n) is exactly zero. Four compares per step, combined without branches (the compiler does
// not vectorise a compare-and-or over doubles).
template <class V>
NK_INLINE bool any_exact_zero(const V* vals, int64_t n) {
  bool any_zero = false;
  int64_t c = 0;
  for (; c + 4 <= n; c += 4)
    any_zero |= (vals[c] == V(0)) | (vals[c + 1] == V(0)) | (vals[c + 2] == V(0)) | (vals[c + 3] == V(0));
  for (; c < n; ++c) any_zero |= vals[c] == V(0);
  return any_zero;
}

// Remove exact zeros from a row in place (order kept); returns the new length.
template <class I, class V>
int64_t drop_zeros(I* cols, V* vals, int64_t n) {
  int64_t w = 0;
  for (int64_t a = 0; a < n; ++a) {
    if (vals[a] != V(0)) {
      cols[w] = cols[a];
      vals[w] = vals[a];
      ++w;
    }
  }
  return w;
}

// Sort the row (cols, vals)[0..n) by column and, with drop, remove the entries whose value is exactly zero;
// returns the row's new length. The columns lie in [lo, lo + width) when width > 0 (the span of the row's B rows),
// else their range is measured first. Short rows (<= kBucketSortMin): insertion sort in place. Longer rows: one
// counting-sort pass into next_pow2(n) buckets by the high bits of (col - lo) into the sort buffers, then, when
// no bucket holds more than kInsertionSortMax entries, a single insertion pass back into cols/vals that also
// skips the zeros (the buffer is sorted but for a few entries per bucket, so its inner loop is short); otherwise
// each bucket is sorted on its own, std::sort for a bucket that skew made long.
// Comparison sorts of hash-ordered rows are dominated by branch mispredictions; this is O(n) mostly
// predictable work for typical rows (64 random columns: ~7.6 ns per entry, against ~14 ns for n/2 buckets with
// a sort per bucket and ~27 ns for std::sort of pairs).
template <class I, class V, class WS>
int64_t sort_row(I* cols, V* vals, int64_t n, WS& ws, int64_t lo, int64_t width, bool drop) {
  if (n <= kBucketSortMin) {
    if (drop) n = drop_zeros(cols, vals, n);
    insertion_sort_row<true>(cols, vals, n);
    return n;
  }
  int64_t hi = lo + width - 1;
  if (width <= 0) {
    lo = hi = cols[0];
    for (int64_t a = 1; a < n; ++a) {
      lo = std::min<int64_t>(lo, cols[a]);
      hi = std::max<int64_t>(hi, cols[a]);
    }
  }
  const int64_t n_buckets = next_pow2(n);
  int shift = 0;
  while (((static_cast<uint64_t>(hi - lo)) >> shift) >= static_cast<uint64_t>(n_buckets)) ++shift;
  auto& start = ws.bucket_start;
  if (static_cast<int64_t>(start.size()) < n_buckets + 1) start.resize(n_buckets + 1);
  std::fill(start.begin(), start.begin() + n_buckets + 1, int64_t(0));
  for (int64_t a = 0; a < n; ++a) ++start[((static_cast<int64_t>(cols[a]) - lo) >> shift) + 1];
  int64_t longest = 0;
  for (int64_t b = 0; b < n_buckets; ++b) {
    longest = std::max(longest, start[b + 1]);
    start[b + 1] += start[b];
  }
  if (static_cast<int64_t>(ws.sort_cols.size()) < n) ws.sort_cols.resize(n);
  if (static_cast<int64_t>(ws.sort_vals.size()) < n) ws.sort_vals.resize(n);
  I* tc = ws.sort_cols.data();
  V* tv = ws.sort_vals.data();
  for (int64_t a = 0; a < n; ++a) {
    const int64_t pos = start[(static_cast<int64_t>(cols[a]) - lo) >> shift]++;
    tc[pos] = cols[a];
    tv[pos] = vals[a];
  }
  if (longest <= kInsertionSortMax) {  // entries only move within their bucket
    return drop ? insertion_sort_into<true, true>(tc, tv, cols, vals, n)
                : insertion_sort_into<true>(tc, tv, cols, vals, n);
  }
  // start[b] is now the end of bucket b.
  int64_t b_lo = 0;
  for (int64_t b = 0; b < n_buckets; ++b) {
    const int64_t b_hi = start[b], len = b_hi - b_lo;
    if (len > kInsertionSortMax) {
      auto& buf = ws.sort_buf;
      buf.resize(len);
      for (int64_t a = 0; a < len; ++a) buf[a] = {tc[b_lo + a], tv[b_lo + a]};
      std::sort(buf.begin(), buf.begin() + len, [](const auto& x, const auto& y) { return x.first < y.first; });
      for (int64_t a = 0; a < len; ++a) {
        tc[b_lo + a] = buf[a].first;
        tv[b_lo + a] = buf[a].second;
      }
    } else if (len > 1) {
      insertion_sort_row<true>(tc + b_lo, tv + b_lo, len);
    }
    b_lo = b_hi;
  }
  std::memcpy(cols, tc, sizeof(I) * n);
  std::memcpy(vals, tv, sizeof(V) * n);
  return drop ? drop_zeros(cols, vals, n) : n;
}

NK_INLINE int count_trailing_zeros(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_ctzll(x);
#else
  int c = 0;
  while (!(x & 1u)) {
    x >>= 1;
    ++c;
  }
  return c;
#endif
}

// Sort the distinct columns cols[0..n) of a dense-accumulator row, all in [lo, lo + width), without comparisons:
// set one bit per column in a bitmap of the window and one bit per touched 64-bit word in a summary bitmap, then
// read both back in order with count-trailing-zeros, clearing as it goes. O(n + width / 4096) and branch
// predictable, where a comparison sort of randomly ordered columns mispredicts about once per comparison.
template <class I, class WS>
void bitmap_sort_cols(I* cols, int64_t n, int64_t lo, int64_t width, WS& ws) {
  const int64_t n_words = (width + 63) >> 6, n_summary = (n_words + 63) >> 6;
  if (static_cast<int64_t>(ws.col_bits.size()) < n_words) ws.col_bits.resize(n_words, 0u);
  if (static_cast<int64_t>(ws.word_bits.size()) < n_summary) ws.word_bits.resize(n_summary, 0u);
  uint64_t* bits = ws.col_bits.data();
  uint64_t* summary = ws.word_bits.data();
  for (int64_t a = 0; a < n; ++a) {
    const uint64_t j = static_cast<uint64_t>(static_cast<int64_t>(cols[a]) - lo);
    bits[j >> 6] |= uint64_t(1) << (j & 63);
    summary[j >> 12] |= uint64_t(1) << ((j >> 6) & 63);
  }
  int64_t out = 0;
  for (int64_t s = 0; s < n_summary; ++s) {
    uint64_t sw = summary[s];
    summary[s] = 0;
    while (sw != 0) {
      const int64_t w = (s << 6) + count_trailing_zeros(sw);
      sw &= sw - 1;
      uint64_t bw = bits[w];
      bits[w] = 0;
      while (bw != 0) {
        cols[out++] = static_cast<I>(lo + (w << 6) + count_trailing_zeros(bw));
        bw &= bw - 1;
      }
    }
  }
}

}  // namespace numkern::sparse
