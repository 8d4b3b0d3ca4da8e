// numkern/cluster/msc.hpp: clustering by direct optimisation of the (medoid) silhouette -- FastMSC, FasterMSC,
// PAMMEDSIL, PAMSIL and DynMSC (Lenssen & Schubert, "Clustering by direct optimization of the medoid
// silhouette", SISAP 2022, and "Medoid silhouette clustering with automatic cluster number selection",
// Information Systems 120 (2024), arXiv:2309.03751; Van der Laan, Pollard & Bryan, "A new partitioning around
// medoids algorithm", J. Stat. Comput. Simul. 73 (2003)).
//
// The loss minimised is L = sum_j d1(j) / d2(j) (see silhouette.hpp for the ratio), i.e. n (1 - AMS): the
// swap loops of fastpam1.hpp (best improvement) and fasterpam.hpp (eager) run unchanged on the caches below,
// with the same acceptance rule (dL < -1e-12 L) and tie rule (lowest candidate, then lowest slot, within
// 1e-12 L), and nothing is tried once L = 0 (every object has silhouette 1).
//
// FastMSC's pass (Lenssen & Schubert 2024, Sec. 4): every object caches its three nearest medoids (slots
// n1, n2, n3 at d1 <= d2 <= d3; d3 = inf when k = 2). Removing slot m changes j's pair only if m is n1(j)
// (pair becomes (d2, d3)) or n2(j) (pair (d1, d3)); so, with r0 = d1/d2 and ins(d; a, b) the ratio after
// inserting a medoid at distance d into the pair (a, b),
//     removal_m  = sum_{n1(j)=m} (d2/d3 - r0) + sum_{n2(j)=m} (d1/d3 - r0)
//     shared     = sum_j (ins(d(j,o); d1, d2) - r0)                      (o added, j keeps its pair)
//     dL(m, o)   = removal_m + shared + sum_{n1(j)=m} [ins(d; d2, d3) - d2/d3 - (ins(d; d1, d2) - r0)]
//                                      + sum_{n2(j)=m} [ins(d; d1, d3) - d1/d3 - (ins(d; d1, d2) - r0)],
// one O(n) pass per candidate for all k slots (objects with d(j, o) >= d3 contribute nothing), O(k^2) cheaper
// than PAMMEDSIL, which re-evaluates L from scratch for every (slot, candidate): same swaps in exact arithmetic.
// PAMSIL does the same with the full silhouette, L = sum_i (1 - s(i)), O(n^2) per (slot, candidate).
#pragma once

#include <vector>

#include "numkern/cluster/fasterpam.hpp"
#include "numkern/cluster/fastpam1.hpp"
#include "numkern/cluster/silhouette.hpp"

namespace numkern::cluster {

// ----------------------------------------------------------------------------------------------- FastMSC
struct MscCache {
  index_t n = 0, k = 0;
  std::vector<index_t> medoids;
  std::vector<char> is_medoid;
  std::vector<std::int32_t> n1, n2, n3;  // slots of the three nearest medoids (-1: none)
  std::vector<double> d1, d2, d3;
  std::vector<double> removal;           // slot -> removal_m
  double loss = 0.0;                     // L = sum_j d1/d2
};

// Insert medoid `slot` at distance d into j's ordered triple (only called when d < d3).
inline void msc_insert(MscCache& c, index_t j, double d, std::int32_t slot) {
  if (c.n1[j] < 0 || d < c.d1[j]) {
    c.d3[j] = c.d2[j]; c.n3[j] = c.n2[j];
    c.d2[j] = c.d1[j]; c.n2[j] = c.n1[j];
    c.d1[j] = d; c.n1[j] = slot;
  } else if (c.n2[j] < 0 || d < c.d2[j]) {
    c.d3[j] = c.d2[j]; c.n3[j] = c.n2[j];
    c.d2[j] = d; c.n2[j] = slot;
  } else {
    c.d3[j] = d; c.n3[j] = slot;
  }
}

// The three nearest medoids of object j from scratch, O(k) (lowest slot on ties).
template <class Dis>
void msc_recompute(const Dis& dis, MscCache& c, index_t j) {
  c.n1[j] = c.n2[j] = c.n3[j] = -1;
  c.d1[j] = c.d2[j] = c.d3[j] = kInf;
  for (index_t s = 0; s < c.k; ++s) {
    const double d = dis(c.medoids[s], j);
    if (c.n3[j] < 0 || d < c.d3[j]) msc_insert(c, j, d, static_cast<std::int32_t>(s));
  }
}

inline void msc_refresh(MscCache& c) {
  std::fill(c.removal.begin(), c.removal.end(), 0.0);
  double total = 0.0;
  for (index_t j = 0; j < c.n; ++j) {
    const double r0 = msil_ratio(c.d1[j], c.d2[j]);
    total += r0;
    c.removal[c.n1[j]] += msil_ratio(c.d2[j], c.d3[j]) - r0;
    c.removal[c.n2[j]] += msil_ratio(c.d1[j], c.d3[j]) - r0;
  }
  c.loss = total;
}

// Fill the cache for `medoids` (k >= 2) in slot order, one streamed row per slot.
template <class Dis>
void init_cache(const Dis& dis, const std::vector<index_t>& medoids, MscCache& c, int n_threads) {
  using T = typename Dis::value_type;
  const index_t n = dis.size();
  set_medoids(c, n, medoids);
  for (auto* v : {&c.n1, &c.n2, &c.n3}) v->assign(static_cast<std::size_t>(n), -1);
  for (auto* v : {&c.d1, &c.d2, &c.d3}) v->assign(static_cast<std::size_t>(n), kInf);
  c.removal.assign(static_cast<std::size_t>(c.k), 0.0);
  for_each_medoid_row(dis, medoids, n_threads, [&](index_t s, const T* row) {
    for (index_t j = 0; j < n; ++j) {
      const double d = static_cast<double>(row[j]);
      if (c.n3[j] < 0 || d < c.d3[j]) msc_insert(c, j, d, static_cast<std::int32_t>(s));
    }
  });
  msc_refresh(c);
}

// ins(d; a, b): the ratio of j's pair (a, b) after a medoid at distance d joins it.
NK_INLINE double msc_inserted(double d, double a, double b) {
  return d < a ? msil_ratio(d, a) : (d < b ? msil_ratio(a, d) : msil_ratio(a, b));
}

// FastMSC's O(n) pass: delta[m] = dL of putting candidate o (row = d(., o)) into slot m, for every m.
template <class T>
void candidate_deltas(const T* row, const MscCache& c, const double* /*w*/, double* delta) {
  const index_t n = c.n, k = c.k;
  for (index_t m = 0; m < k; ++m) delta[m] = c.removal[m];
  double shared = 0.0;
  for (index_t j = 0; j < n; ++j) {
    const double d = static_cast<double>(row[j]);
    const double a = c.d1[j], b = c.d2[j], e = c.d3[j];
    if (!(d < e)) continue;  // o farther than the third medoid: no pair changes
    const double r0 = msil_ratio(a, b);
    const double kept = msc_inserted(d, a, b) - r0;
    shared += kept;
    delta[c.n1[j]] += msc_inserted(d, b, e) - msil_ratio(b, e) - kept;
    delta[c.n2[j]] += msc_inserted(d, a, e) - msil_ratio(a, e) - kept;
  }
  for (index_t m = 0; m < k; ++m) delta[m] += shared;
}

// Put object o into slot m (row = d(., o)): objects that had m among their three nearest are recomputed
// (O(k), about 3n/k of them), the others insert o if it is closer than their third.
template <class Dis>
void apply_swap(const Dis& dis, MscCache& c, index_t o, index_t m, const typename Dis::value_type* row,
                const double* /*w*/) {
  c.is_medoid[c.medoids[m]] = 0;
  c.is_medoid[o] = 1;
  c.medoids[m] = o;
  const std::int32_t slot = static_cast<std::int32_t>(m);
  for (index_t j = 0; j < c.n; ++j) {
    const double d = static_cast<double>(row[j]);
    if (c.n1[j] == slot || c.n2[j] == slot || c.n3[j] == slot) msc_recompute(dis, c, j);
    else if (d < c.d3[j]) msc_insert(c, j, d, slot);
  }
  msc_refresh(c);
}

// --------------------------------------------------------------------------- PAMMEDSIL and PAMSIL (naive)
// Caches for the original algorithms: the k medoid rows, and a loss re-evaluated from scratch for every
// (slot, candidate) -- O(n k) per pair for the medoid silhouette, O(n^2) for the silhouette. The swap loop
// (fastpam1_swap) and its choice rules are shared with FastMSC; only the evaluation differs.
template <class Dis>
struct NaiveSilhouetteCache {
  const Dis* dis = nullptr;
  bool full = false;                 // PAMSIL (full silhouette) or PAMMEDSIL (medoid silhouette)
  index_t n = 0, k = 0;
  std::vector<index_t> medoids;
  std::vector<char> is_medoid;
  std::vector<double> rows;          // k x n: rows[s * n + j] = d(j, medoids[s])
  double loss = 0.0;

  // Nearest slot and the medoid-silhouette ratio of object j when slot `m` holds a medoid at distance `dm`.
  NK_INLINE double pair_of(index_t j, index_t m, double dm, index_t* nearest) const {
    double a = kInf, b = kInf;
    index_t best = 0;
    for (index_t s = 0; s < k; ++s) {
      const double d = s == m ? dm : rows[s * n + j];
      if (d < a) {
        b = a; a = d; best = s;
      } else if (d < b) {
        b = d;
      }
    }
    if (nearest) *nearest = best;
    return msil_ratio(a, b);
  }

  // L of the medoids with slot m holding a medoid whose row is `row` (m = -1: the current medoids).
  template <class T>
  double evaluate(index_t m, const T* row) const {
    double total = 0.0;
    if (!full) {
      for (index_t j = 0; j < n; ++j) total += pair_of(j, m, m >= 0 ? static_cast<double>(row[j]) : 0.0, nullptr);
      return total;
    }
    using V = typename Dis::value_type;
    std::vector<index_t> labels(static_cast<std::size_t>(n));
    for (index_t j = 0; j < n; ++j) pair_of(j, m, m >= 0 ? static_cast<double>(row[j]) : 0.0, &labels[j]);
    const std::vector<double> size = cluster_sizes(labels.data(), n, k);
    std::vector<double> sums(static_cast<std::size_t>(k));
    std::vector<V> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(n) : 0);
    for (index_t i = 0; i < n; ++i)
      total += 1.0 - silhouette_of(dis->row(i, buffer.data()), i, n, labels.data(), k, size.data(), sums.data());
    return total;
  }

  void set_row(index_t s) {
    for (index_t j = 0; j < n; ++j) rows[s * n + j] = (*dis)(medoids[s], j);
  }
};

template <class Dis>
void init_cache(const Dis& dis, const std::vector<index_t>& medoids, NaiveSilhouetteCache<Dis>& c, bool full) {
  c.dis = &dis;
  c.full = full;
  set_medoids(c, dis.size(), medoids);
  c.rows.assign(static_cast<std::size_t>(c.n * c.k), 0.0);
  for (index_t s = 0; s < c.k; ++s) c.set_row(s);
  c.loss = c.evaluate(-1, static_cast<const double*>(nullptr));
}

template <class T, class Dis>
void candidate_deltas(const T* row, const NaiveSilhouetteCache<Dis>& c, const double* /*w*/, double* delta) {
  for (index_t m = 0; m < c.k; ++m) delta[m] = c.evaluate(m, row) - c.loss;
}

template <class Dis>
void apply_swap(const Dis& /*dis*/, NaiveSilhouetteCache<Dis>& c, index_t o, index_t m,
                const typename Dis::value_type* /*row*/, const double* /*w*/) {
  c.is_medoid[c.medoids[m]] = 0;
  c.is_medoid[o] = 1;
  c.medoids[m] = o;
  c.set_row(m);
  c.loss = c.evaluate(-1, static_cast<const double*>(nullptr));
}

// ------------------------------------------------------------------------------------------------ DynMSC
// Lenssen & Schubert 2024, Sec. 5: FasterMSC at k = k_max from the given medoids; then, down to k = min_k,
// drop one medoid and re-optimise with FasterMSC from the remaining ones. The medoid dropped is the one whose
// removal alone would LOWER the AMS most (largest removal_m, lowest slot on ties), and the last slot moves
// into its place: this is what the kmedoids package does (established by comparison on many problems; the
// re-optimisation after removing a central medoid reorganises the clustering and usually ends higher than
// after removing the cheapest one). `losses[k - min_k]` receives
// the AMS reached at every k; the medoids of the best AMS are returned (the larger k on exact ties, as the
// scan meets it first). Iterations and swaps of all runs add up in `out`.
template <class Dis>
void dynmsc(const Dis& dis, std::vector<index_t> medoids, index_t min_k, index_t max_iter, int n_threads,
            Result& out) {
  const index_t k_max = static_cast<index_t>(medoids.size());
  out.losses.assign(static_cast<std::size_t>(k_max - min_k + 1), 0.0);
  double best = -kInf;
  Cancellation& cancel = current_cancellation();
  for (index_t k = k_max; k >= min_k && !cancel.requested(); --k) {
    MscCache c;
    init_cache(dis, medoids, c, n_threads);
    fasterpam_swap(dis, c, nullptr, max_iter, n_threads, out);
    medoids = c.medoids;
    const double ams = medoid_silhouette(dis, medoids, nullptr);
    out.losses[k - min_k] = ams;
    if (ams > best || out.medoids.empty()) {
      best = ams;
      out.medoids = medoids;
    }
    if (k == min_k) break;
    index_t drop = 0;
    for (index_t s = 1; s < k; ++s)
      if (c.removal[s] > c.removal[drop]) drop = s;
    medoids[drop] = medoids.back();
    medoids.pop_back();
  }
}

}  // namespace numkern::cluster
