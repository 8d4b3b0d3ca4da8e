"""
Log-Bessel functions where scipy overflows
==========================================

:func:`numkern.special.log_iv` returns :math:`\\log I_v(x)` directly, so it stays finite where
:obj:`scipy.special.iv` overflows to ``inf`` (large ``x``) or underflows to ``0`` (large order ``v``) and
``np.log`` of it is useless. Here: a sweep over ``x`` for orders up to :math:`10^4`, the first ``x`` at which
scipy's route breaks, and the ratio :math:`I_{v+1}(x)/I_v(x)` that von Mises-Fisher fits need.
"""

import matplotlib.pyplot as plt
import numpy as np
import scipy.special as sc

from numkern.special import iv_ratio, log_iv, log_kv

x = np.logspace(-2, 4, 400)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for v in [0.5, 10.0, 100.0, 1000.0, 10000.0]:
    ours = log_iv(v, x)
    with np.errstate(all="ignore"):
        naive = np.log(sc.iv(v, x))
    bad = ~np.isfinite(naive)
    (line,) = ax1.plot(x, ours, lw=1.2, label=f"v = {v:g}")
    # scipy's route, drawn thick underneath: it stops where iv overflows to inf or underflows to 0
    ax1.plot(x, np.where(bad, np.nan, naive), lw=5, alpha=0.3, color=line.get_color())
    print(f"v = {v:>7g}: np.log(scipy iv) is not finite at {bad.sum():3d} of {x.size} points; "
          f"log_iv ranges over [{ours.min():.4g}, {ours.max():.4g}]")
ax1.set_xscale("log")
ax1.set_yscale("symlog", linthresh=10)
ax1.set_xlabel("x")
ax1.set_ylabel(r"$\log I_v(x)$")
ax1.set_title("log_iv (thin) vs np.log(scipy.special.iv) (thick)")
ax1.legend(fontsize=8)

# The ratio I_{v+1}/I_v (mean resultant length of a vMF in dimension d = 2v + 2) and log K_v for large v.
for v in [1.0, 100.0, 10000.0]:
    ax2.plot(x, iv_ratio(v, x), label=f"I_(v+1)/I_v, v = {v:g}")
ax2.set_xscale("log")
ax2.set_xlabel("x")
ax2.set_title("iv_ratio: never 0/0")
ax2.legend(fontsize=8)
fig.tight_layout()

# Exact spot checks against closed forms: I_{1/2}(x) = sqrt(2/(pi x)) sinh(x), K_{1/2}(x) = sqrt(pi/(2x)) e^{-x}.
xs = np.array([1e-3, 1.0, 50.0, 700.0, 1e5])
closed_i = 0.5 * np.log(2 / (np.pi * xs)) + xs + np.log1p(-np.exp(-2 * xs)) - np.log(2)
closed_k = 0.5 * np.log(np.pi / (2 * xs)) - xs
print("max |log_iv(1/2, x) - closed form| =", np.max(np.abs(log_iv(0.5, xs) - closed_i)))
print("max |log_kv(1/2, x) - closed form| =", np.max(np.abs(log_kv(0.5, xs) - closed_k)))
plt.show()
