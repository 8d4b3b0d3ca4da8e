"""
Gaussian-process regression on a grid with Kronecker algebra
============================================================

With observations on a full tensor grid, the covariance of a product kernel is a Kronecker product
:math:`K = K_1 \\otimes K_2`; :class:`numkern.kron.GridGP` uses the per-factor eigendecompositions for the
marginal likelihood, its gradient and the posterior, so a 120 x 100 grid (12 000 observations, whose dense
covariance would take 1.1 GB) fits in well under a second. The figure shows the noisy data, the posterior mean and
its standard deviation.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from numkern.kron import GridGP, KroneckerOperator
from numkern.kron.kernels import RBF

rng = np.random.default_rng(0)
g1, g2 = np.linspace(0, 1, 120), np.linspace(0, 1, 100)


def truth(x, y):
    return np.sin(7 * x) * np.cos(5 * y) + 0.5 * np.exp(-20 * ((x - 0.6) ** 2 + (y - 0.3) ** 2))


F = truth(g1[:, None], g2[None, :])
Y = F + 0.1 * rng.standard_normal(F.shape)

t0 = time.perf_counter()
gp = GridGP([RBF(0.3), RBF(0.3)], noise=0.05).fit([g1, g2], Y)
print(f"fit: {time.perf_counter() - t0:.2f} s, {gp.optimize_result_.nit} L-BFGS-B iterations; "
      f"noise variance {gp.noise_:.4f} (true 0.0100)")
for axis, kern in enumerate(gp.kernels_):
    print(f"  axis {axis}: " + ", ".join(f"{name.removeprefix('log_')} {np.exp(t):.3f}" for name, t in zip(kern.param_names, kern.theta)))

mean, std = gp.predict_grid([g1, g2], return_std=True)
rmse = np.sqrt(np.mean((mean - F) ** 2))
print(f"RMSE of the posterior mean against the noise-free field: {rmse:.4f} (noise std 0.1)")

# The same algebra directly: a Kronecker operator and its log-determinant from per-factor Cholesky factors.
K1 = RBF(0.3).toeplitz(g1[:20]) + 1e-2 * np.eye(20)
K2 = RBF(0.3).toeplitz(g2[:15]) + 1e-2 * np.eye(15)
op = KroneckerOperator(K1, K2)
dense = np.kron(K1, K2)
print(f"log|K1 (x) K2|: Kronecker {op.cholesky().logdet():.8f}, dense {np.linalg.slogdet(dense)[1]:.8f}")

fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
for ax, img, title in zip(axes, [Y, mean, std], ["noisy observations", "posterior mean", "posterior std"]):
    im = ax.imshow(img.T, origin="lower", extent=(0, 1, 0, 1), aspect="auto")
    ax.set_title(title)
    fig.colorbar(im, ax=ax)
fig.tight_layout()
plt.show()
