"""
numkern CUDA kernels (device pointers in, device pointers out)
"""
# Written by hand (the module exists only in CUDA builds, so tools/gen_stubs.py cannot always import it);
# tests/test_typing.py checks it against the module where the module is built. Pointers and streams are integers.
from __future__ import annotations
__all__: list[str] = ['architectures', 'cluster_build_gain', 'cluster_swap_deltas', 'devices', 'driver_version',
                      'kron_strided_gemm', 'runtime_version', 'special_binary', 'spgemm_bin_max_flop',
                      'spgemm_numeric_bin', 'spgemm_row_flops', 'spgemm_symbolic_bin', 'version']
version: str
architectures: str
spgemm_bin_max_flop: list[int]
def runtime_version() -> int:
    ...
def driver_version() -> int:
    """
    CUDA version the installed driver supports (e.g. 12040), 0 when there is no driver.
    """
def devices() -> tuple[list[str], str]:
    """
    Return (list of device descriptions, error text or '').
    """
def special_binary(function: int, float32: bool, v: int, x: int, out: int, n: int, stream: int) -> None:
    """
    Evaluate log_iv/log_ive/log_kv/log_kve/iv_ratio (function 0..4) elementwise on contiguous device arrays of n
    float32 or float64 values, asynchronously on `stream`.
    """
def kron_strided_gemm(dtype: str, rows: int, cols: int, inner: int, batch: int, p: int, p_rs: int, p_cs: int,
                      p_batch: int, q: int, q_rs: int, q_cs: int, q_batch: int, c: int, ldc: int, c_batch: int,
                      stream: int, /) -> None:
    """
    C_b = P_b Q_b with element strides (device pointers; see cuda/numkern_cuda_kron.hpp).
    """
def cluster_swap_deltas(D: int, is_float32: bool, n: int, k: int, near: int, dn: int, ds: int, removal: int,
                        is_medoid: int, w: int, delta: int, stream: int) -> None:
    """
    FastPAM1 candidate pass: delta[o, m] = dTD of swapping o into slot m (n x k, float64).
    """
def cluster_build_gain(D: int, is_float32: bool, n: int, dn: int, is_medoid: int, w: int, gain: int,
                       stream: int) -> None:
    """
    BUILD gains sum_j w_j min(D[i, j] - dn[j], 0) (dn = 0 pointer: row sums).
    """
def spgemm_row_flops(rows: int, Ap: int, Aj: int, Bp: int, flop: int, stream: int, /) -> None:
    ...
def spgemm_symbolic_bin(bin: int, n_rows: int, rows: int, Ap: int, Aj: int, Bp: int, Bj: int, row_nnz: int,
                        table: int, table_offset: int, table_size: int, stream: int, /) -> None:
    ...
def spgemm_numeric_bin(bin: int, is_double: bool, n_rows: int, rows: int, Ap: int, Aj: int, Ax: int, Bp: int,
                       Bj: int, Bx: int, Cp: int, Cj: int, Cx: int, table: int, table_values: int,
                       table_offset: int, table_size: int, stream: int, /) -> None:
    ...
