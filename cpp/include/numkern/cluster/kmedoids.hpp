// numkern/cluster/kmedoids.hpp: one entry point that initialises and runs any algorithm of this folder on a
// dissimilarity provider (stored matrix or points + metric), then labels every object.
#pragma once

#include <string>
#include <vector>

#include "numkern/cluster/alternating.hpp"
#include "numkern/cluster/build.hpp"
#include "numkern/cluster/clara.hpp"
#include "numkern/cluster/clarans.hpp"
#include "numkern/cluster/fasterpam.hpp"
#include "numkern/cluster/fastpam1.hpp"
#include "numkern/cluster/fastpam2.hpp"
#include "numkern/cluster/lab.hpp"
#include "numkern/cluster/msc.hpp"

namespace numkern::cluster {

enum class Algorithm : int {
  pam = 0,        // BUILD/initial medoids + best-improvement SWAP (evaluated as FastPAM1)
  fastpam1 = 1,
  fastpam2 = 2,
  fasterpam = 3,
  alternating = 4,
  build = 5,      // initialisation only
  lab = 6,        // initialisation only
  clara = 7,
  fastclara = 8,
  clarans = 9,
  fastclarans = 10,
  // Silhouette optimisation (msc.hpp): result loss = average medoid silhouette (silhouette for pamsil).
  fastmsc = 11,
  fastermsc = 12,
  pammedsil = 13,
  pamsil = 14,
  dynmsc = 15,       // medoids / k = k_max, down to Options::min_k
};

inline bool optimises_silhouette(Algorithm a) { return static_cast<int>(a) >= static_cast<int>(Algorithm::fastmsc); }

enum class Init : int { build = 0, lab = 1, random = 2, first = 3, given = 4 };

struct Options {
  Algorithm algorithm = Algorithm::fasterpam;
  Init init = Init::random;
  index_t k = 1;
  std::vector<index_t> initial;  // Init::given
  index_t max_iter = 100;
  std::uint64_t seed = 0;
  int n_threads = 1;
  const double* weights = nullptr;
  index_t samples = 5;           // CLARA
  index_t sample_size = 0;       // CLARA, 0: default
  index_t numlocal = 2;          // CLARANS
  index_t maxneighbor = 0;       // CLARANS, 0: default
  index_t min_k = 2;             // DynMSC
};

template <class Dis>
std::vector<index_t> initial_medoids(const Dis& dis, const Options& opt, SplitMix64& rng) {
  const index_t n = dis.size();
  switch (opt.init) {
    case Init::build: return build(dis, opt.k, opt.weights, opt.n_threads);
    case Init::lab: return lab(dis, opt.k, opt.weights, rng);
    case Init::first: {
      std::vector<index_t> m(static_cast<std::size_t>(opt.k));
      for (index_t s = 0; s < opt.k; ++s) m[s] = s;
      return m;
    }
    case Init::random: {
      std::vector<index_t> perm = identity_permutation(n);
      partial_shuffle(perm, opt.k, rng);
      return std::vector<index_t>(perm.begin(), perm.begin() + opt.k);
    }
    case Init::given: return opt.initial;
  }
  return {};
}

// The silhouette optimisers (k >= 2, no weights) from the initial medoids.
template <class Dis>
void run_silhouette_method(const Dis& dis, const Options& opt, const std::vector<index_t>& medoids, Result& out) {
  switch (opt.algorithm) {
    case Algorithm::fastmsc:
    case Algorithm::fastermsc: {
      MscCache c;
      init_cache(dis, medoids, c, opt.n_threads);
      if (opt.algorithm == Algorithm::fastmsc) fastpam1_swap(dis, c, nullptr, opt.max_iter, opt.n_threads, out);
      else fasterpam_swap(dis, c, nullptr, opt.max_iter, opt.n_threads, out);
      out.medoids = c.medoids;
      break;
    }
    case Algorithm::pammedsil:
    case Algorithm::pamsil: {
      NaiveSilhouetteCache<Dis> c;
      init_cache(dis, medoids, c, opt.algorithm == Algorithm::pamsil);
      fastpam1_swap(dis, c, nullptr, opt.max_iter, opt.n_threads, out);
      out.medoids = c.medoids;
      break;
    }
    default: dynmsc(dis, medoids, opt.min_k, opt.max_iter, opt.n_threads, out);
  }
}

template <class Dis>
Result run_kmedoids(const Dis& dis, const Options& opt) {
  const index_t n = dis.size();
  const index_t k = opt.k;
  const double* w = opt.weights;
  SplitMix64 rng(opt.seed);
  Result out;
  CancellationScope scope;  // Ctrl-C: every loop below leaves early, and we throw before labelling
  switch (opt.algorithm) {
    case Algorithm::clara:
    case Algorithm::fastclara: {
      const bool fast = opt.algorithm == Algorithm::fastclara;
      const index_t size = opt.sample_size > 0 ? opt.sample_size : (fast ? 80 + 4 * k : 40 + 2 * k);
      out = clara(dis, k, w, opt.samples, size, fast, opt.max_iter, rng, opt.n_threads);
      break;
    }
    case Algorithm::clarans:
    case Algorithm::fastclarans: {
      const bool fast = opt.algorithm == Algorithm::fastclarans;
      index_t maxneighbor = opt.maxneighbor;
      if (maxneighbor <= 0) {
        // Ng & Han: 1.25% of the k (n - k) neighbours, at least 250. FastCLARANS examines k neighbours per
        // draw, so it draws 2.5% of the n - k candidates (at least 250) -- about 2/k of CLARANS's budget.
        const double pairs = fast ? 0.025 * static_cast<double>(n - k) : 0.0125 * static_cast<double>(k) * static_cast<double>(n - k);
        maxneighbor = std::max<index_t>(250, static_cast<index_t>(std::ceil(pairs)));
      }
      out = clarans(dis, k, w, opt.numlocal, maxneighbor, fast, rng, opt.n_threads);
      break;
    }
    default: {
      Options init_opt = opt;
      if (opt.algorithm == Algorithm::build) init_opt.init = Init::build;
      if (opt.algorithm == Algorithm::lab) init_opt.init = Init::lab;
      std::vector<index_t> medoids = initial_medoids(dis, init_opt, rng);
      if (opt.algorithm == Algorithm::build || opt.algorithm == Algorithm::lab) {
        out.medoids = medoids;
        break;
      }
      if (optimises_silhouette(opt.algorithm)) {
        run_silhouette_method(dis, opt, medoids, out);
        break;
      }
      NearestCache c;
      init_cache(dis, medoids, w, c, opt.n_threads);
      switch (opt.algorithm) {
        case Algorithm::pam:
        case Algorithm::fastpam1: fastpam1_swap(dis, c, w, opt.max_iter, opt.n_threads, out); break;
        case Algorithm::fastpam2: fastpam2_swap(dis, c, w, opt.max_iter, opt.n_threads, out); break;
        case Algorithm::fasterpam: fasterpam_swap(dis, c, w, opt.max_iter, opt.n_threads, out); break;
        case Algorithm::alternating: alternating_loop(dis, c, w, opt.max_iter, opt.n_threads, out); break;
        default: break;
      }
      out.medoids = c.medoids;
    }
  }
  scope.throw_if_requested();
  // Final labels and TD from scratch (lowest slot on ties), the same rule `predict` uses.
  out.loss = assign_labels(dis, out.medoids, w, out.labels, opt.n_threads);
  if (opt.algorithm == Algorithm::pamsil) {
    std::vector<double> samples(static_cast<std::size_t>(n));
    out.loss = silhouette(dis, out.labels.data(), k, samples.data(), opt.n_threads);
  } else if (optimises_silhouette(opt.algorithm)) {
    out.loss = medoid_silhouette(dis, out.medoids, nullptr);
  }
  return out;
}

}  // namespace numkern::cluster
