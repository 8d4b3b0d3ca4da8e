"""
Fitting a von Mises-Fisher distribution in high dimension
=========================================================

Sample from :data:`numkern.stats.vonmises_fisher` (Wood's algorithm, O(n d)) in dimensions 3 ... 4096 and fit
the concentration back by maximum likelihood. :obj:`scipy.stats.vonmises_fisher` ``.fit`` is run beside it up
to d = 256: from d = 67 on, its ratio of scaled Bessel functions underflows and it returns a concentration of
about 1e-8 (with a ``RuntimeWarning``), while numkern solves :math:`A_d(\\kappa) = \\bar r` to full precision.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import scipy.stats as ss

from numkern.stats import vonmises_fisher

rng = np.random.default_rng(0)
dims = [3, 16, 64, 128, 256, 1024, 4096]
n = 2000
true_kappa = {d: 2.0 * d for d in dims}  # concentration growing with d, as for normalised deep features
fitted, fitted_scipy = [], []
for d in dims:
    mu = rng.standard_normal(d)
    mu /= np.linalg.norm(mu)
    X = vonmises_fisher(mu, true_kappa[d]).rvs(n, random_state=rng)
    t0 = time.perf_counter()
    mu_hat, kappa_hat = vonmises_fisher.fit(X)
    dt = time.perf_counter() - t0
    fitted.append(kappa_hat)
    line = f"d = {d:5d}: kappa = {true_kappa[d]:7.1f}, numkern fit {kappa_hat:9.2f} ({dt * 1e3:5.1f} ms, " \
           f"mu . mu_hat = {mu @ mu_hat:.4f})"
    if d <= 256:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, kappa_s = ss.vonmises_fisher.fit(X)
        fitted_scipy.append(kappa_s)
        line += f", scipy fit {kappa_s:.3g}"
    print(line)

fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(dims, [true_kappa[d] for d in dims], "k--", label="true kappa")
ax.loglog(dims, fitted, "o-", label="numkern.stats.vonmises_fisher.fit")
ax.loglog(dims[: len(fitted_scipy)], fitted_scipy, "s:", label="scipy.stats.vonmises_fisher.fit")
ax.set_xlabel("dimension d")
ax.set_ylabel("fitted concentration")
ax.set_title(f"maximum-likelihood kappa from n = {n} samples")
ax.legend()
fig.tight_layout()
plt.show()
