"""Demo: fitting a von Mises-Fisher distribution in 2048 and 32768 dimensions, numkern vs scipy."""

from __future__ import annotations

import warnings

import numpy as np


def run() -> None:
    import scipy.stats as ss

    from numkern._demo_util import compare
    from numkern.stats import vonmises_fisher

    print("  vMF fit on n samples of known (mu, kappa); scipy.stats.vonmises_fisher.fit side by side")
    for d, kappa, n in ((2048, 1000.0, 400), (32768, 2e4, 200)):
        mu = np.zeros(d)
        mu[0] = 1.0
        x = vonmises_fisher(mu, kappa).rvs(n, random_state=0)
        mu_hat, kappa_hat = vonmises_fisher.fit(x)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mu_s, kappa_s = ss.vonmises_fisher.fit(x)
        note = "; ".join(sorted({f"{w.category.__name__}: {w.message}" for w in caught})) or "no warning"
        print(f"  d={d:5d} kappa={kappa:g} n={n}: numkern kappa={kappa_hat:10.2f} mu.mu_hat={mu_hat @ mu:.5f}")
        print(f"  {'':27s} scipy   kappa={kappa_s:10.3g} mu.mu_hat={mu_s @ mu:.5f}  ({note})")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compare(
                f"fit d={d} n={n}",
                lambda x=x: vonmises_fisher.fit(x),
                lambda x=x: ss.vonmises_fisher.fit(x),
                repeat=2,
            )
    d, kappa, n = 2048, 1000.0, 8000
    mu = np.zeros(d)
    mu[0] = 1.0
    x = vonmises_fisher(mu, kappa).rvs(n, random_state=np.random.default_rng(1))
    with np.errstate(all="ignore"):
        agree = np.max(np.abs(vonmises_fisher.logpdf(x, mu, kappa) / ss.vonmises_fisher.logpdf(x, mu, kappa) - 1))
    print(f"  logpdf d={d} kappa={kappa:g}: both finite, max relative difference {agree:.1e}")
    compare(f"logpdf d={d} n={n}", lambda: vonmises_fisher.logpdf(x, mu, kappa),
            lambda: ss.vonmises_fisher.logpdf(x, mu, kappa))
    d, kappa = 32768, 2e4
    mu = np.zeros(d)
    mu[0] = 1.0
    x = vonmises_fisher(mu, kappa).rvs(3, random_state=2)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ss.vonmises_fisher.logpdf(x, mu, kappa)
        h_theirs = ss.vonmises_fisher.entropy(mu, kappa)
    print(f"  d={d} kappa={kappa:g}: logpdf numkern {np.round(vonmises_fisher.logpdf(x, mu, kappa), 2)}"
          f" scipy {theirs}; entropy numkern {vonmises_fisher.entropy(mu, kappa):.2f} scipy {h_theirs}")
