// numkern/sparse/spgemm/single_pass.hpp: the single-pass product (no symbolic phase) with staged chunks on several
// threads.
// Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include "numkern/interrupt.hpp"
#include "numkern/sparse/spgemm/numeric.hpp"

namespace numkern::sparse {

// Work (flop) per chunk of the single-pass product on several threads: a chunk's output (<= its flop) then stays
// in a staging buffer of at most ~3 MB (float64, int32) that is reused, so it is copied out of cache. Measured on
// the squared 2-D/3-D Laplacians and the band on 2 threads, 2^18 beats 2^16 by 10-17% (minimum times): two threads
// writing chunks of a few hundred KB side by side keep faulting the same 2 MB huge page of the fresh output
// (one waits while the other zeroes it); 2^19 and 2^20 were slower again (staging buffers out of L2).
inline constexpr int64_t kStreamChunkFlop = int64_t(1) << 18;

// Staging buffer of one chunk: uninitialised storage (only the written prefix is ever touched), grown on demand.
template <class I, class V>
struct ChunkBuffer {
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  std::unique_ptr<I, Free> cols;
  std::unique_ptr<V, Free> vals;
  int64_t cap = 0;
  void reserve(int64_t n) {
    if (n <= cap) return;
    cols.reset(static_cast<I*>(std::malloc(sizeof(I) * n)));
    vals.reset(static_cast<V*>(std::malloc(sizeof(V) * n)));
    if (!cols || !vals) throw std::bad_alloc();
    cap = n;
  }
};

// Single-pass product, no symbolic phase. Cj/Cx have room for total_flop entries (the flop bound of nnz), of
// which only the first nnz are written; Cp is filled here. Returns nnz; the caller shrinks Cj/Cx in place.
//
// One thread: rows are written back to back straight into Cj/Cx.
// Several threads: rows are split into chunks of ~kStreamChunkFlop work, handed out dynamically in row order.
// A chunk's offset in Cj/Cx (the sum of the counts of all earlier chunks) is published as soon as every earlier
// chunk is finished. A chunk whose offset is known writes its rows straight into Cj/Cx; one whose offset is not
// known yet writes them back to back into a staging buffer from a shared pool (Cp then holds offsets local to the
// chunk) and, after every row, checks whether its offset has been published: if so it copies what it staged to
// its offset, returns the buffer and writes the rest of its rows in place. A chunk finished before its offset is
// known stays staged; whichever thread completes the prefix of finished chunks queues it, and free threads copy
// queued chunks to their offsets, add the offset to their Cp entries and return the buffers. With two threads
// in step, a chunk is staged until the chunk before it ends: about half of the output is copied once, from
// cache. Rows are computed exactly as on one thread (one thread per row, same order), so the result is bitwise
// the same for every thread count and chunking.
// Why not one contiguous range per thread, staged and copied at the end: every staged entry would be written to
// fresh memory twice; first touches of pages cost here about as much as the symbolic pass saves (~45 ms per
// 150 MB), the staging would double the resident output, and static ranges balance badly on a shared machine.
// Memory: output (written prefix of Cj/Cx) + pool buffers. The pool holds the chunks in flight that do not know
// their offset (at most one per thread) plus those finished ahead of an unfinished predecessor; each buffer is
// sized to the largest chunk flop bound it served but only its written prefix (<= the chunk's structural nnz)
// is resident. Balanced chunks keep this at about one buffer (< 4 MB) per thread; in the worst case (one chunk
// much slower than all later ones) it reaches the output of the later chunks, i.e. at most the output size.
template <class V, class I>
int64_t spgemm_single_pass(const RowProduct<V, I>& P, int64_t total_flop, I* Cp, I* Cj, V* Cx, int n_threads) {
  const int64_t m = P.A.nrows;
  CancellationScope scope;
  Cancellation& cancel = current_cancellation();
  const int nt = threads_for(total_flop, n_threads);
  Cp[0] = 0;
  // At most 2^20 chunks: keeps flop_chunks' products (work * n_chunks) far from int64 overflow.
  const int64_t wanted =
      nt == 1 ? 1
              : std::min<int64_t>(int64_t(1) << 20,
                                  std::max<int64_t>(8 * static_cast<int64_t>(nt), total_flop / kStreamChunkFlop));
  const std::vector<int64_t> chunks = flop_chunks(P.flop, m, total_flop, wanted);
  const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
  using Buffer = ChunkBuffer<I, V>;
  struct Finished {
    Buffer* buf = nullptr;  // staged rows still to copy; nullptr: written in place
    int64_t nnz = -1;       // -1: not finished
  };
  struct Placed {
    int64_t chunk, offset;
    Buffer* buf;
    int64_t nnz;
  };
  // offset[c] of chunk c in Cj/Cx, -1 until every earlier chunk is finished (then written once, under mu).
  std::unique_ptr<std::atomic<int64_t>[]> offset(new std::atomic<int64_t>[n_chunks]);
  for (int64_t c = 0; c < n_chunks; ++c) offset[c].store(c == 0 ? 0 : -1, std::memory_order_relaxed);
  std::mutex mu;  // guards everything below
  std::condition_variable wake;  // copies queued, or every chunk in place
  std::vector<Finished> finished(n_chunks);
  int64_t next_to_place = 0, placed_nnz = 0, n_done = 0;  // n_done: chunks whose rows are all in Cj/Cx
  std::vector<Placed> to_copy;  // finished staged chunks whose offset is known, copied by whichever thread is free
  size_t copy_head = 0;
  std::vector<std::unique_ptr<Buffer>> pool;
  std::vector<Buffer*> idle;

  auto acquire = [&]() {
    std::lock_guard<std::mutex> lock(mu);
    if (idle.empty()) {
      pool.push_back(std::make_unique<Buffer>());
      return pool.back().get();
    }
    Buffer* b = idle.back();
    idle.pop_back();
    return b;
  };
  auto release = [&](Buffer* b) {
    std::lock_guard<std::mutex> lock(mu);
    idle.push_back(b);
  };
  // Staged rows [r_lo, r_end) of a chunk, `n` entries, to their offset `off`.
  auto unstage = [&](const Buffer* b, int64_t r_lo, int64_t r_end, int64_t n, int64_t off) {
    std::memcpy(Cj + off, b->cols.get(), sizeof(I) * n);
    std::memcpy(Cx + off, b->vals.get(), sizeof(V) * n);
    for (int64_t i = r_lo; i < r_end; ++i) Cp[i + 1] += static_cast<I>(off);
  };
  // Copy queued chunks until none is waiting (every thread helps, so a thread that the OS has descheduled does
  // not hold up the copies of the chunks that finished while it was away).
  auto drain = [&]() {
    while (true) {
      Placed r;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (copy_head == to_copy.size()) return;
        r = to_copy[copy_head++];
      }
      unstage(r.buf, chunks[r.chunk], chunks[r.chunk + 1], r.nnz, r.offset);
      std::lock_guard<std::mutex> lock(mu);
      idle.push_back(r.buf);
      if (++n_done == n_chunks) wake.notify_all();
    }
  };
  auto finish = [&](int64_t c, Buffer* staged, int64_t nnz) {
    {
      std::lock_guard<std::mutex> lock(mu);
      finished[c] = {staged, nnz};
      if (next_to_place == c) {
        for (; next_to_place < n_chunks && finished[next_to_place].nnz >= 0; ++next_to_place) {
          const Finished& f = finished[next_to_place];
          if (f.buf != nullptr)
            to_copy.push_back({next_to_place, placed_nnz, f.buf, f.nnz});
          else
            ++n_done;
          placed_nnz += f.nnz;
        }
        if (next_to_place < n_chunks) offset[next_to_place].store(placed_nnz, std::memory_order_release);
        if (copy_head < to_copy.size() || n_done == n_chunks) wake.notify_all();
      }
    }
    drain();
  };
  // No chunk left to start: help with the copies until every chunk is in place (sleeping, not spinning, while
  // another thread finishes its last chunk: on a shared machine a spinning thread takes the core from others).
  auto epilogue = [&]() {
    while (true) {
      drain();
      std::unique_lock<std::mutex> lock(mu);
      wake.wait(lock, [&] { return copy_head < to_copy.size() || n_done == n_chunks; });
      if (n_done == n_chunks) return;
    }
  };

  for_each_chunk<Workspace<I, V>>(
      nt, n_chunks,
      [&](int64_t c, Workspace<I, V>& ws) {
        const int64_t r_lo = chunks[c], r_hi = chunks[c + 1];
        int64_t base = offset[c].load(std::memory_order_acquire);  // -1: staged
        Buffer* buf = nullptr;
        I* cols = Cj + std::max<int64_t>(base, 0);
        V* vals = Cx + std::max<int64_t>(base, 0);
        if (base < 0) {
          int64_t bound = 0;
          for (int64_t i = r_lo; i < r_hi; ++i) bound += P.flop[i];
          buf = acquire();
          buf->reserve(bound);
          cols = buf->cols.get();
          vals = buf->vals.get();
        }
        const BRowPrefetcher<I, V> pf = P.prefetcher(r_hi);
        int64_t w = 0;  // entries of this chunk so far
        CancelPoll poll(cancel);
        for (int64_t i = r_lo; i < r_hi; ++i) {
          // Stopped: the chunk still finishes (empty rows from here) so that the chunk protocol completes.
          if (poll.stop(P.flop[i])) {
            for (; i < r_hi; ++i) Cp[i + 1] = static_cast<I>(std::max<int64_t>(base, 0) + w);
            break;
          }
          w += P.row(i, P.flop[i], pf, ws, cols + w, vals + w);
          Cp[i + 1] = static_cast<I>(std::max<int64_t>(base, 0) + w);
          if (buf != nullptr && i + 1 < r_hi) {
            const int64_t off = offset[c].load(std::memory_order_acquire);
            if (off >= 0) {  // the chunk before has finished: move what is staged, continue in place
              unstage(buf, r_lo, i + 1, w, off);
              release(buf);
              buf = nullptr;
              base = off;
              cols = Cj + off;
              vals = Cx + off;
            }
          }
        }
        finish(c, buf, w);
      },
      epilogue);
  scope.throw_if_requested();
  return placed_nnz;
}

}  // namespace numkern::sparse
