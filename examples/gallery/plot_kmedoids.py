"""
k-medoids: FasterPAM, PAM and the alternating heuristic
=======================================================

k-medoids picks k of the data points as cluster centres (medoids) and minimises the total deviation
:math:`TD = \\sum_i d(i, \\text{nearest medoid})` for any dissimilarity, so outliers pull much less than they do on
k-means' means. :class:`numkern.cluster.KMedoids` is a scikit-learn estimator over the PAM family; here the
exact-swap methods (``pam``, ``fastpam1``: the same medoids), the eager ``fasterpam`` and the k-means-style
``alternating`` heuristic cluster the same blobs with outliers: the swap methods reach a lower loss than the
alternating one, and FasterPAM (one eager pass per iteration, O(k) cheaper per swap than PAM) comes close to PAM.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans

from numkern.cluster import KMedoids, pairwise_dissimilarity, pam

rng = np.random.default_rng(4)
centres = rng.uniform(0, 20, (8, 2))
X = np.vstack([c + rng.standard_normal((100, 2)) for c in centres])
X = np.vstack([X, rng.uniform(-5, 40, (16, 2))])  # a few far outliers
k = 8

results = {}
for method in ["pam", "fastpam1", "fasterpam", "alternating"]:
    model = KMedoids(n_clusters=k, method=method, random_state=0).fit(X)
    results[method] = model
    print(f"{method:12s} loss {model.inertia_:9.3f}  iterations {model.n_iter_:2d}  "
          f"medoids {sorted(model.medoid_indices_.tolist())}")

# The functions work on a dissimilarity matrix (row = medoid) and return the loss, labels and medoids.
D = pairwise_dissimilarity(X, metric="euclidean")
res = pam(D, k)
assert np.isclose(res.loss, results["pam"].inertia_)
print(f"pam on the precomputed matrix: loss {res.loss:.3f}, {res.n_swap} swaps")

km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharex=True, sharey=True)
best = results["pam"]
axes[0].scatter(X[:, 0], X[:, 1], c=best.labels_, s=8, cmap="tab10")
axes[0].scatter(*best.cluster_centers_.T, marker="*", s=300, c="k", label="medoids")
axes[0].set_title(f"KMedoids (pam), TD = {best.inertia_:.1f}")
axes[0].legend()
axes[1].scatter(X[:, 0], X[:, 1], c=km.labels_, s=8, cmap="tab10")
axes[1].scatter(*km.cluster_centers_.T, marker="X", s=200, c="k", label="means")
axes[1].set_title("sklearn KMeans: outliers drag the means")
axes[1].legend()
fig.tight_layout()
plt.show()
