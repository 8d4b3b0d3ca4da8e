// numkern/cluster/swap_pass.hpp: the nearest/second-nearest cache and the O(n) per-candidate pass shared by
// FastPAM1, FastPAM2, FasterPAM and (Fast)CLARANS (Schubert & Rousseeuw 2021, arXiv:2008.05171, Alg. 2).
//
// For every object j the cache holds its nearest medoid slot near(j) with dn(j) = d(j, medoid[near(j)]) and
// the second-nearest distance ds(j) (slot sec(j)). The removal loss of slot m is
//     R_m = sum_{j : near(j) = m} w_j (ds(j) - dn(j))      (cost of deleting medoid m alone).
// For a candidate o (a non-medoid), ONE pass over j gives dTD(m, o) of swapping o into every slot m at once:
//     shared = sum_{j : d(j,o) < dn(j)} w_j (d(j,o) - dn(j))         (j moves to o whichever m leaves)
//     A_m    = sum_{near(j) = m, d(j,o) < dn(j)}          w_j (dn(j) - ds(j))   (undo R_m: j goes to o)
//            + sum_{near(j) = m, dn(j) <= d(j,o) < ds(j)} w_j (d(j,o) - ds(j))   (o beats the second medoid)
//     dTD(m, o) = R_m + A_m + shared.
// With k = 1 there is no second medoid (ds = inf) and dTD(0, o) = sum_j w_j (d(j,o) - dn(j)) directly.
// The pass costs O(n + k) instead of PAM's O(k n) per candidate; the sum over j runs in index order, so a
// candidate's dTD never depends on how candidates are split across threads.
#pragma once

#include <cstdint>
#include <vector>

#include "numkern/cluster/common.hpp"
#include "numkern/cluster/swap_term.hpp"

namespace numkern::cluster {

struct NearestCache {
  index_t n = 0, k = 0;
  std::vector<index_t> medoids;        // slot -> object
  std::vector<char> is_medoid;         // object -> bool
  std::vector<std::int32_t> near, sec; // object -> slot of nearest / second nearest medoid
  std::vector<double> dn, ds;          // object -> distance to them
  std::vector<double> removal;         // slot -> R_m
  double loss = 0.0;                   // TD
};

// Candidate swap: dTD of putting object `candidate` into slot `slot`.
struct SwapChoice {
  double delta = kInf;
  index_t candidate = -1;
  index_t slot = -1;
  // Lexicographic order (delta, candidate, slot): the lowest-index tie rule, associative, so a reduction over
  // threads gives the same answer for any thread count.
  bool better_than(const SwapChoice& other) const {
    if (delta != other.delta) return delta < other.delta;
    if (candidate != other.candidate) return candidate < other.candidate;
    return slot < other.slot;
  }
};

// The medoid bookkeeping every cache shares: n, k, slot -> object and object -> is a medoid.
template <class Cache>
void set_medoids(Cache& c, index_t n, const std::vector<index_t>& medoids) {
  c.n = n;
  c.k = static_cast<index_t>(medoids.size());
  c.medoids = medoids;
  c.is_medoid.assign(static_cast<std::size_t>(n), 0);
  for (index_t m : medoids) c.is_medoid[m] = 1;
}

// R_m for every slot and TD, in index order (deterministic).
inline void refresh_removal_and_loss(NearestCache& c, const double* w) {
  std::fill(c.removal.begin(), c.removal.end(), 0.0);
  double td = 0.0;
  for (index_t j = 0; j < c.n; ++j) {
    const double wj = w ? w[j] : 1.0;
    td += wj * c.dn[j];
    if (c.k > 1) c.removal[c.near[j]] += wj * (c.ds[j] - c.dn[j]);
  }
  c.loss = td;
}

// Nearest and second-nearest medoid of object j from scratch, O(k) (lowest slot on ties).
template <class Dis>
void recompute_nearest(const Dis& dis, NearestCache& c, index_t j) {
  double d1 = kInf, d2 = kInf;
  std::int32_t s1 = -1, s2 = -1;
  for (index_t s = 0; s < c.k; ++s) offer_medoid(dis(c.medoids[s], j), static_cast<std::int32_t>(s), s1, d1, s2, d2);
  c.near[j] = s1; c.dn[j] = d1; c.sec[j] = s2; c.ds[j] = d2;
}

// Fill the cache for the medoids in slot order: k rows, each streamed once.
template <class Dis>
void init_cache(const Dis& dis, const std::vector<index_t>& medoids, const double* w, NearestCache& c, int n_threads) {
  using T = typename Dis::value_type;
  const index_t n = dis.size();
  set_medoids(c, n, medoids);
  c.near.assign(static_cast<std::size_t>(n), -1);
  c.sec.assign(static_cast<std::size_t>(n), -1);
  c.dn.assign(static_cast<std::size_t>(n), kInf);
  c.ds.assign(static_cast<std::size_t>(n), kInf);
  c.removal.assign(static_cast<std::size_t>(c.k), 0.0);
  for_each_medoid_row(dis, medoids, n_threads, [&](index_t s, const T* row) {
    const std::int32_t slot = static_cast<std::int32_t>(s);
    // O(n) per slot: serial (a parallel region per slot costs more than it saves on a busy machine).
    for (index_t j = 0; j < n; ++j) offer_medoid(static_cast<double>(row[j]), slot, c.near[j], c.dn[j], c.sec[j], c.ds[j]);
  });
  refresh_removal_and_loss(c, w);
}

// The shared O(n) pass: delta[m] = dTD(m, o) for every slot m, given row = d(., o).
template <bool Weighted, class T>
void candidate_deltas_impl(const T* row, const NearestCache& c, const double* w, double* delta) {
  const index_t n = c.n, k = c.k;
  const double* dn = c.dn.data();
  const double* ds = c.ds.data();
  const std::int32_t* near = c.near.data();
  if (k == 1) {
    double s = 0.0;
    for (index_t j = 0; j < n; ++j) s += single_medoid_term<Weighted>(static_cast<double>(row[j]), dn[j], w, j);
    delta[0] = s;
    return;
  }
  for (index_t m = 0; m < k; ++m) delta[m] = c.removal[m];
  double shared = 0.0;
  for (index_t j = 0; j < n; ++j)
    add_swap_term<Weighted>(static_cast<double>(row[j]), dn[j], ds[j], w, j, shared, delta[near[j]]);
  for (index_t m = 0; m < k; ++m) delta[m] += shared;
}

template <class T>
void candidate_deltas(const T* row, const NearestCache& c, const double* w, double* delta) {
  if (w) candidate_deltas_impl<true>(row, c, w, delta);
  else candidate_deltas_impl<false>(row, c, w, delta);
}

// Best slot for one candidate: the lowest slot whose dTD is within `tie` of the candidate's minimum.
// NaN values never win; if no slot qualifies (all NaN, or a non-finite tie width) the result is slot 0 with
// delta = +inf, which no caller accepts as an improvement -- the slot is always a valid index.
inline SwapChoice best_slot(const double* delta, index_t k, index_t candidate, double tie) {
  double lowest = kInf;
  for (index_t m = 0; m < k; ++m)
    if (delta[m] < lowest) lowest = delta[m];
  SwapChoice best{kInf, candidate, 0};
  for (index_t m = 0; m < k; ++m)
    if (delta[m] <= lowest + tie) {
      best.delta = delta[m];
      best.slot = m;
      break;
    }
  return best;
}

// Put object o into slot m (row = d(., o)); update the cache in O(n) plus O(k) for the objects that lose
// their nearest or second-nearest medoid and cannot be fixed from dn/ds alone.
template <class Dis>
void apply_swap(const Dis& dis, NearestCache& c, index_t o, index_t m, const typename Dis::value_type* row, const double* w) {
  const index_t old = c.medoids[m];
  c.is_medoid[old] = 0;
  c.is_medoid[o] = 1;
  c.medoids[m] = o;
  const std::int32_t slot = static_cast<std::int32_t>(m);
  for (index_t j = 0; j < c.n; ++j) {
    const double d = static_cast<double>(row[j]);
    if (c.near[j] == slot) {
      if (d <= c.ds[j]) c.dn[j] = d;
      else recompute_nearest(dis, c, j);
    } else if (c.sec[j] == slot) {
      if (d < c.dn[j]) {
        c.ds[j] = c.dn[j]; c.sec[j] = c.near[j]; c.dn[j] = d; c.near[j] = slot;
      } else if (d <= c.ds[j]) {
        c.ds[j] = d;
      } else {
        recompute_nearest(dis, c, j);
      }
    } else if (d < c.dn[j]) {
      c.ds[j] = c.dn[j]; c.sec[j] = c.near[j]; c.dn[j] = d; c.near[j] = slot;
    } else if (d < c.ds[j]) {
      c.ds[j] = d; c.sec[j] = slot;
    }
  }
  refresh_removal_and_loss(c, w);
}

// The FastPAM1 choice from every candidate's dTD row (all_delta, n x k) and its minimum (cand_delta, +inf for
// medoids): the minimum over all pairs, then the lowest candidate within `tie` of it and its lowest such slot.
// Also the choice of the GPU driver (offload.hpp).
inline SwapChoice choose_swap(const double* cand_delta, const double* all_delta, index_t n, index_t k, double tie) {
  SwapChoice best;
  double global = kInf;
  for (index_t o = 0; o < n; ++o) global = std::min(global, cand_delta[o]);
  if (!(global < kInf)) return best;
  for (index_t o = 0; o < n && best.candidate < 0; ++o) {
    if (!(cand_delta[o] <= global + tie)) continue;
    const double* delta = all_delta + o * k;
    for (index_t m = 0; m < k; ++m)
      if (delta[m] <= global + tie) {
        best = SwapChoice{delta[m], o, m};
        break;
      }
  }
  return best;
}

// Best swap over all (non-medoid candidate, slot) pairs: the FastPAM1 step. Candidates are split across
// threads, each writing only its own entries of per-candidate arrays; the choice is then made serially
// (minimum over candidates, then the lowest candidate within the tie tolerance of it), so it does not depend
// on the split. `Cache` is NearestCache (total deviation) or any cache with the same members and its own
// candidate_deltas/apply_swap overloads (found by argument-dependent lookup), e.g. MscCache (msc.hpp).
template <class Dis, class Cache>
SwapChoice best_swap(const Dis& dis, const Cache& c, const double* w, int n_threads) {
  using T = typename Dis::value_type;
  const index_t n = c.n, k = c.k;
  const double tie = tie_tolerance(c.loss);
  std::vector<double> cand_delta(static_cast<std::size_t>(n), kInf);
  std::vector<double> all_delta(static_cast<std::size_t>(n) * static_cast<std::size_t>(k));
  Cancellation& cancel = current_cancellation();
#pragma omp parallel num_threads(n_threads)
  {
    std::vector<T> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(n) : 0);
#pragma omp for schedule(dynamic, 16)
    for (index_t o = 0; o < n; ++o) {
      if (c.is_medoid[o] || cancel.requested()) continue;
      double* delta = all_delta.data() + o * k;
      candidate_deltas(dis.row(o, buffer.data()), c, w, delta);
      double lowest = delta[0];
      for (index_t m = 1; m < k; ++m) lowest = std::min(lowest, delta[m]);
      cand_delta[o] = lowest;
    }
  }
  if (cancel.was_requested()) return SwapChoice{};  // "no improving swap": the loop ends, the entry point throws
  return choose_swap(cand_delta.data(), all_delta.data(), n, k, tie);
}

// Labels from the cache with the lowest-slot tie rule (the cache may hold a higher slot after swaps).
template <class Dis>
void labels_from_cache(const Dis& dis, const NearestCache& c, std::vector<index_t>& labels) {
  labels.assign(static_cast<std::size_t>(c.n), 0);
  for (index_t j = 0; j < c.n; ++j) {
    index_t s = c.near[j];
    // A lower slot at exactly the same distance wins; only possible if another medoid ties dn(j) = ds(j).
    if (c.k > 1 && c.ds[j] == c.dn[j]) {
      for (index_t t = 0; t < c.k; ++t)
        if (dis(c.medoids[t], j) == c.dn[j]) { s = t; break; }
    }
    labels[j] = s;
  }
}

}  // namespace numkern::cluster
