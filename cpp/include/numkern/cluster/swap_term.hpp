// numkern/cluster/swap_term.hpp: the per-object pieces of the FastPAM1 pass that the CPU (swap_pass.hpp) and
// the CUDA kernels (cuda/cluster.cu) share, so the CPU tests cover the arithmetic the GPU runs.
//
// With near(j), dn(j), ds(j) the nearest / second-nearest medoid cache of object j (swap_pass.hpp), a
// candidate o at distance d = d(j, o) changes the swap costs dTD(m, o) of every slot m through
//   shared    += w_j (d - dn(j))      and  A_near(j) += w_j (dn(j) - ds(j))   if d < dn(j)   (j moves to o)
//   A_near(j) += w_j (d - ds(j))                                              if dn(j) <= d < ds(j)
// (Schubert & Rousseeuw 2021, arXiv:2008.05171, Alg. 2); with one medoid the whole term is w_j (d - dn(j)).
// The accumulator of slot near(j) is a template so the GPU can pass an atomic proxy; `shared` is private to
// the caller (a thread's partial sum on the GPU).
#pragma once

#include <cstdint>

#include "numkern/config.hpp"

namespace numkern::cluster {

// Object j's share of dTD(., o) for k >= 2 slots (see above). Weighted = false ignores w.
template <bool Weighted, class SlotAcc>
NK_HOST_DEVICE NK_INLINE void add_swap_term(double d, double dn, double ds, const double* w, std::int64_t j,
                                            double& shared, SlotAcc&& near_slot) {
  if (d < ds) {
    const double wj = Weighted ? w[j] : 1.0;
    if (d < dn) {
      shared += wj * (d - dn);
      near_slot += wj * (dn - ds);
    } else {
      near_slot += wj * (d - ds);
    }
  }
}

// Object j's share of dTD(0, o) with a single medoid (no second medoid: ds = inf).
template <bool Weighted>
NK_HOST_DEVICE NK_INLINE double single_medoid_term(double d, double dn, const double* w, std::int64_t j) {
  return (Weighted ? w[j] : 1.0) * (d - dn);
}

// Offer the medoid in `slot` at distance d to object j's cache (near, dn) / (sec, ds). Slots are offered in
// increasing order, so ties keep the lowest slot; the first two offers always fill near / sec, so they are
// valid slots even for infinite or NaN d (start from near = sec = -1).
NK_HOST_DEVICE NK_INLINE void offer_medoid(double d, std::int32_t slot, std::int32_t& near, double& dn,
                                           std::int32_t& sec, double& ds) {
  if (near < 0 || d < dn) {
    ds = dn;
    sec = near;
    dn = d;
    near = slot;
  } else if (sec < 0 || d < ds) {
    ds = d;
    sec = slot;
  }
}

}  // namespace numkern::cluster
