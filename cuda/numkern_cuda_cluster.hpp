// Host declarations of the k-medoids CUDA launchers (cuda/cluster.cu). Device pointers in, `stream` is a
// cudaStream_t as an integer; each returns "" on success, else the CUDA error text.
#pragma once

#include <cstdint>
#include <string>

namespace numkern::cuda {

// FastPAM1 candidate pass on the GPU: for every object o and slot m,
//   delta[o * k + m] = dTD of putting o into slot m   (+inf where o is already a medoid),
// from the n x n row-major matrix D (row = medoid, as on the CPU), the nearest-slot cache near/dn/ds, the
// removal losses R_m and optional weights w (nullptr: 1). One thread block per candidate.
std::string cluster_swap_deltas(const void* D, bool is_float32, std::int64_t n, std::int64_t k, const std::int32_t* near,
                                const double* dn, const double* ds, const double* removal, const std::uint8_t* is_medoid,
                                const double* w, double* delta, std::intptr_t stream);

// BUILD gains: gain[i] = sum_j w_j min(D[i, j] - dn[j], 0), or sum_j w_j D[i, j] when dn is nullptr
// (+inf where i is already a medoid). One thread block per candidate.
std::string cluster_build_gain(const void* D, bool is_float32, std::int64_t n, const double* dn,
                               const std::uint8_t* is_medoid, const double* w, double* gain, std::intptr_t stream);

// Nearest-medoid cache of every object j: near/sec (slots, lowest on ties) and dn/ds (distances) over the
// k medoids (device array of object indices, slot order), as numkern::cluster::offer_medoid builds it.
std::string cluster_nearest(const void* D, bool is_float32, std::int64_t n, std::int64_t k, const std::int64_t* medoids,
                            std::int32_t* near, double* dn, std::int32_t* sec, double* ds, std::intptr_t stream);

}  // namespace numkern::cuda
