"""Fit von Mises-Fisher distributions to high-dimensional normalised feature vectors, numkern vs scipy.

Deep-network embeddings (e.g. ResNet50 pooled features, 2048-d; wider heads 8192-d / 32768-d) are usually
L2-normalised and modelled on the unit sphere. No data set ships with numkern, so two kinds of features are
synthesised for each dimension:

* ``vmf``: samples of a vMF with known (mu, kappa), so the fit can be checked against the truth;
* ``relu``: "class embedding" features, relu(class centre + noise) then L2-normalised; the reference direction is
  the normalised mean of a large independent sample.

For each, the script prints numkern's fit (alignment of mu with the reference, kappa, time) next to
scipy.stats.vonmises_fisher.fit, and reports scipy's failures as they happen (its warnings and the value it
returns). Run:  python examples/vmf_features.py  [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import scipy.stats as ss

from numkern.stats import inverse_mean_resultant_length, mean_resultant_length, vonmises_fisher


def relu_features(centre: np.ndarray, n: int, rng: np.random.Generator, noise: float = 1.0) -> np.ndarray:
    d = centre.size
    out = np.empty((n, d))
    step = max(1, (1 << 22) // d)
    for start in range(0, n, step):
        block = np.maximum(centre + noise * rng.standard_normal((min(step, n - start), d)), 0.0)
        out[start : start + step] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def fit_both(x: np.ndarray):
    t0 = time.perf_counter()
    mu, kappa = vonmises_fisher.fit(x)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            mu_s, kappa_s = ss.vonmises_fisher.fit(x)
            failure = None
        except Exception as exc:  # report, never hide
            mu_s, kappa_s, failure = None, float("nan"), f"{type(exc).__name__}: {exc}"
    t_scipy = time.perf_counter() - t0
    msgs = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return (mu, kappa, t_ours), (mu_s, kappa_s, t_scipy, failure, msgs)


def expected_mle(d, kappa, n):
    """kappa the MLE targets with n samples: E||mean||^2 = A^2 + (1 - A^2) / n (the MLE is biased upwards)."""
    a = mean_resultant_length(d, kappa)
    return float(inverse_mean_resultant_length(d, np.sqrt(a * a + (1 - a * a) / n)))


def report(label, d, n, ref_mu, true_kappa, ours, theirs):
    mu, kappa, t_ours = ours
    mu_s, kappa_s, t_scipy, failure, msgs = theirs
    if true_kappa is not None:
        truth = f"true kappa {true_kappa:10.4g} (MLE at n={n}: ~{expected_mle(d, true_kappa, n):10.4g})"
    else:
        truth = f"{'true kappa unknown (relu features)':52s}"
    prefix = f"{label:5s} d={d:6d}  {truth} "
    print(f"{prefix}| numkern: mu.ref {mu @ ref_mu:.6f}  kappa {kappa:12.6g}  {t_ours * 1e3:8.1f} ms")
    pad = " " * len(prefix)
    if failure is not None:
        print(f"{pad}| scipy FAILED: {failure}  ({t_scipy * 1e3:.1f} ms)")
    else:
        bad = "  <-- WRONG (differs from numkern's MLE)" if not np.isclose(kappa_s, kappa, rtol=1e-3) else ""
        print(f"{pad}| scipy:   mu.ref {mu_s @ ref_mu:.6f}  kappa {kappa_s:12.6g}  {t_scipy * 1e3:8.1f} ms{bad}")
    for m in msgs:
        print(f"{pad}|   scipy warned: {m}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    sizes = {2048: 4000, 8192: 2000, 32768: 600}
    if args.quick:
        sizes = {d: n // 4 for d, n in sizes.items()}
    print("vMF fits to normalised feature vectors (numkern.stats vs scipy.stats.vonmises_fisher)\n")
    for d, n in sizes.items():
        # Known vMF: kappa chosen so that A_d(kappa) ~ 0.5 (typical of real embeddings) and ~0.9.
        for target_r in (0.5, 0.9):
            kappa = float(inverse_mean_resultant_length(d, target_r))
            mu = rng.standard_normal(d)
            mu /= np.linalg.norm(mu)
            x = vonmises_fisher(mu, kappa).rvs(n, random_state=rng)
            ours, theirs = fit_both(x)
            report("vmf", d, n, mu, kappa, ours, theirs)
            assert abs(mean_resultant_length(d, kappa) - target_r) < 1e-12
        centre = np.abs(rng.standard_normal(d))
        x = relu_features(centre, n, rng)
        ref = relu_features(centre, 4 * n, rng).mean(axis=0)  # independent, larger sample: reference direction
        ref /= np.linalg.norm(ref)
        ours, theirs = fit_both(x)
        report("relu", d, n, ref, None, ours, theirs)
        print()


if __name__ == "__main__":
    main()
