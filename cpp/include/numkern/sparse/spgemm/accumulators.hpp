// numkern/sparse/spgemm/accumulators.hpp: per-thread accumulators: hash tables, dense stamps and sums, recorded row
// templates.
// Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "numkern/sparse/spgemm/csr.hpp"

namespace numkern::sparse {

// Row templates replay by segments when these are on average at least this long (see RowTemplate).
inline constexpr int64_t kMinSegmentLength = 4;
// Rows with more partial products are never templated (they are accumulated): a template holds ~8 bytes per
// product per thread, and repeating stencil and band rows have far fewer (2-D Laplacian squared: 25).
inline constexpr int64_t kMaxTemplateFlop = int64_t(1) << 16;

// Structure of one window-accumulated output row relative to the first column of its A row (every offset then
// fits the index type), recorded so that later rows with the same relative structure skip the accumulator, the
// sort and the gather. Rows of stencil and band products
// (Laplacians, banded matrices) repeat one structure, shifted by one column per row, except near the edges.
// A later row matches when its A row has the recorded offsets and each of its B rows lies in the same run of
// identically structured B rows (run ids from csr_validate_band) as the recorded one: a check per A entry, none
// per partial product, and exact. Each B row of the recording is cut into segments: runs of consecutive entries
// that land in consecutive output slots, the slots that a partial product opens (its first) after those it adds
// into; a segment multiplies as a short vector loop (bands: one segment per B row; 5-point stencil: 1, 3 and 1
// entries; short segments replay product by product instead).
// Partial products are added into each output slot in the accumulator's order (A's row, then
// B's rows), so replayed rows are bitwise equal to accumulated ones.
template <class I>
struct RowTemplate {
  struct Segment {
    int32_t pos;            // position of the first entry in its B row
    int32_t slot;           // output slot of the first entry
    int32_t len;            // entries
    int32_t n_add;          // the first n_add entries add into open slots, the rest open theirs
  };
  int64_t a_len = -1;              // entries of A's row; -1: nothing recorded
  int64_t flop = 0;                // partial products
  int64_t n_out = 0;               // structural length of the output row
  std::vector<I> a_off;            // A column - base, per A entry (base: the row's first A column)
  std::vector<int64_t> b_len;      // length of the B row, per A entry
  std::vector<I> b_run;            // run id of the B row, per A entry
  std::vector<int64_t> seg_begin;  // segments of A entry r: [seg_begin[r], seg_begin[r + 1])
  std::vector<Segment> segments;
  std::vector<I> out_off;          // output column - base, per slot, in output order
  bool by_segments = false;        // replay by segments (long ones: bands), else product by product
  std::vector<I> b_off;            // recording scratch: B column - A column, per partial product
  std::vector<int32_t> slot;       // output slot per partial product, ~slot when the product opens it
  std::vector<int32_t> slot_of;    // recording scratch: window column -> slot
  int64_t hits = 0;              // rows replayed since the last recording
  int64_t backoff = 0, skip = 0;  // after recordings that were never replayed: rows to accumulate before the next
};

// A template's per-product slot code: the slot, or ~slot for the product that opens it.
NK_INLINE int32_t slot_of_code(int32_t code) { return code < 0 ? ~code : code; }

// Per-thread scratch space: hash slots, dense stamps/values, a sort buffer. Sized on first use, reused by rows.
template <class I, class V>
struct Workspace {
  std::vector<I> table;            // hash slot -> column key; -1 empty
  std::vector<I> table_pos;        // numeric: hash slot -> local output position of its key
  std::vector<uint32_t> stamp_of;  // dense accumulator: column -> stamp of the last row that touched it
  std::vector<V> dense_val;        // dense accumulator values
  std::vector<I> dense_pos;        // dense column -> position + 1 (pattern kernel)
  std::vector<std::pair<I, V>> sort_buf;
  std::vector<I> sort_cols;
  std::vector<V> sort_vals;
  std::vector<int64_t> bucket_start;
  std::vector<unsigned char> hit;  // pattern kernel: slot received a partial product
  std::vector<uint64_t> col_bits;  // bitmap sort of dense rows: one bit per window column (all zero between rows)
  std::vector<uint64_t> word_bits;  // one bit per non-zero word of col_bits (all zero between rows)
  std::vector<V> sums;              // full-width dense rows: column sums, the additive identity between rows
  RowTemplate<I> row_template;      // last recorded window-row structure (RowProduct::template_row)
  uint32_t stamp = 0;

  // Column sums and the column bitmap of full-width dense rows (RowProduct::full_dense_row), grown on demand.
  V* sums_of_width(int64_t width) {
    if (static_cast<int64_t>(sums.size()) < width) sums.resize(width, AdditiveIdentity<V>::value());
    const int64_t n_words = (width + 63) >> 6;
    if (static_cast<int64_t>(col_bits.size()) < n_words) col_bits.resize(n_words, 0u);
    return sums.data();
  }

  I* table_of_size(int64_t size) {
    if (static_cast<int64_t>(table.size()) < size) table.resize(size);
    std::fill(table.begin(), table.begin() + size, I(-1));
    return table.data();
  }
  // Advance the dense stamp (growing the arrays to `width` on demand: new stamps are 0, never current); on
  // wrap-around clear the stamps.
  uint32_t next_stamp(int64_t width, bool with_values) {
    if (static_cast<int64_t>(stamp_of.size()) < width) stamp_of.resize(width, 0u);
    if (with_values && static_cast<int64_t>(dense_val.size()) < width) dense_val.resize(width);
    if (++stamp == 0) {
      std::fill(stamp_of.begin(), stamp_of.end(), 0u);
      stamp = 1;
    }
    return stamp;
  }
};

}  // namespace numkern::sparse
