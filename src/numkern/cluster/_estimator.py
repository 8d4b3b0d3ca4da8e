"""scikit-learn estimator around the k-medoids functions (needs scikit-learn)."""

from __future__ import annotations

import numpy as np

from numkern._sklearn import require_sklearn

require_sklearn("numkern.cluster.KMedoids")  # before the imports below: a clear error for a missing or old sklearn

from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin  # noqa: E402
from sklearn.utils.validation import check_is_fitted, validate_data  # noqa: E402

from numkern._backend import is_dask_array  # noqa: E402
from numkern._validation import check_integer  # noqa: E402

from . import _dask  # noqa: E402
from ._kmedoids import _ALGORITHMS, SILHOUETTE_METHODS, run, scale_together  # noqa: E402
from ._metrics import pairwise_dissimilarity  # noqa: E402
from ._validation import METRICS, check_init, check_weights  # noqa: E402

_METHODS = sorted(set(_ALGORITHMS) - {"build", "lab"})


class KMedoids(ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """k-medoids clustering with a scikit-learn interface.

    Parameters
    ----------
    n_clusters : int, default 8
        Number of clusters k (1 <= k <= n_samples).
    metric : str or callable, default "euclidean"
        "euclidean", "sqeuclidean", "manhattan", "cosine", a callable ``metric(x, y) -> float``, or
        "precomputed" (then ``X`` in ``fit`` is an n x n dissimilarity matrix and in ``predict``/``transform``
        an n_new x n_train matrix of dissimilarities to the training samples, row = sample as in scikit-learn;
        ``fit`` reads its matrix with row = medoid like the functions, so only for a symmetric matrix does
        ``predict`` of the training matrix reproduce ``labels_`` exactly).
    method : str, default "fasterpam"
        "fasterpam", "fastpam1", "pam", "fastpam2", "alternating", "clara", "fastclara", "clarans",
        "fastclarans", or a silhouette optimiser: "fastermsc", "fastmsc", "pammedsil", "pamsil", "dynmsc" (see
        the functions of the same name in :mod:`numkern.cluster`). With "dynmsc", ``n_clusters`` is the largest
        k scanned (from 2) and ``n_clusters_`` the k chosen; the silhouette optimisers need 2 <= n_clusters <=
        n_samples - 1 and take no ``sample_weight``.
    init : {"build", "lab", "random", "first"} or None, default None
        Initial medoids for the swap/alternating methods; None means the method's default ("random" for
        fasterpam, fastermsc, fastmsc and dynmsc, "build" otherwise).
    max_iter : int or None, default None
        Iteration limit; None runs to convergence.
    random_state : None, int, numpy.random.SeedSequence, Generator or RandomState, default None
        Seed of every random choice (see :ref:`random-state`).
    n_threads : int or None, default None
        OpenMP threads (None: OpenMP's default). Results do not depend on it.
    verbose : int or bool, default 0
        0 prints nothing; >= 1 prints one summary line to stdout after ``fit`` (iterations, swaps, loss). The
        swap iterations run in C++, so there is no per-iteration output.

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        From ``fit`` when ``max_iter`` stopped a swap or alternating method that was still improving (see the
        k-medoids functions of :mod:`numkern.cluster`).

    Attributes
    ----------
    labels_ : numpy.ndarray
        Cluster of every training sample (0 .. n_clusters-1).
    medoid_indices_ : numpy.ndarray
        Index of the training sample that is the medoid of each cluster.
    cluster_centers_ : numpy.ndarray or None
        The medoids' feature vectors (None with ``metric="precomputed"``).
    inertia_ : float
        Sum of (weighted) dissimilarities of the samples to their medoid (for every method, the silhouette
        optimisers included).
    n_clusters_ : int
        Number of clusters found (``n_clusters`` except for "dynmsc").
    medoid_silhouette_ : float
        Silhouette optimisers only: the average medoid silhouette reached (:func:`numkern.cluster.medoid_silhouette`).
    n_iter_ : int
        Iterations of the method (see :class:`numkern.cluster.KMedoidsResult`).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    Needs scikit-learn >= 1.6 (``pip install "numkern[sklearn]"``); an older one raises ImportError on import.
    A transformer: ``transform`` gives one column per medoid, named ``kmedoids0``, ``kmedoids1``, ... by
    ``get_feature_names_out`` (so ``set_output(transform="pandas")`` works), and ``score`` is the negative loss
    (``GridSearchCV`` without ``scoring`` compares held-out losses). scikit-learn's ``check_estimator`` passes
    for pam, fastpam1, fastpam2, alternating, clara and fastclara; with the default ``fasterpam``
    (``init="random"``), clarans and fastclarans ``check_sample_weight_equivalence_on_dense_data`` fails, since
    weighted and repeated data have different sizes and so different random draws: pass it in
    ``expected_failed_checks`` (scikit-learn >= 1.6 has no tag that declares an expected failure).

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import KMedoids
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [9.0, 9.0], [9.0, 10.0], [10.0, 9.0]])
    >>> model = KMedoids(n_clusters=2, method="pam").fit(X)
    >>> model.medoid_indices_, model.inertia_
    (array([3, 0]), 4.0)
    >>> model.predict(np.array([[1.0, 1.0], [8.0, 8.0]]))
    array([1, 0])
    """

    def __init__(self, n_clusters=8, *, metric="euclidean", method="fasterpam", init=None, max_iter=None,
                 random_state=None, n_threads=None, verbose=0):
        self.n_clusters = n_clusters
        self.metric = metric
        self.method = method
        self.init = init
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.metric == "precomputed"
        tags.input_tags.positive_only = self.metric == "precomputed"
        return tags

    def _validate(self, X, reset: bool):
        return validate_data(self, X, reset=reset, dtype=[np.float64, np.float32], order="C")

    def fit(self, X, y=None, sample_weight=None):
        """Cluster ``X``.

        Parameters
        ----------
        X : array_like
            Data (n_samples x n_features) or, with ``metric="precomputed"``, the dissimilarity matrix.
        y : None
            Ignored.
        sample_weight : array_like, optional
            Non-negative weight of every sample in the loss.

        Returns
        -------
        KMedoids
            The fitted estimator.
        """
        if is_dask_array(X):  # distributed, lazy (numkern.cluster._dask)
            return _dask.fit_estimator(self, X, sample_weight)
        X = self._validate(X, reset=True)
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}")
        k = check_integer(self.n_clusters, "n_clusters")
        if not 1 <= k <= X.shape[0]:
            raise ValueError(f"n_clusters must be an integer in 1..n_samples = 1..{X.shape[0]}, got {k!r}")
        if self.metric == "precomputed" and X.shape[0] != X.shape[1]:
            raise ValueError(f"with metric='precomputed' X must be a square dissimilarity matrix, got {X.shape}")
        if self.method in SILHOUETTE_METHODS and not 2 <= k <= X.shape[0] - 1:
            raise ValueError(f"n_clusters must be in 2..n_samples-1 = 2..{X.shape[0] - 1} for method="
                             f"{self.method!r} (the medoid silhouette needs a second medoid), got {k!r}")
        swap_method = self.method in ("pam", "fastpam1", "fastpam2", "fasterpam", "alternating") + SILHOUETTE_METHODS
        default_init = "random" if self.method in ("fasterpam", "fastermsc", "fastmsc", "dynmsc") else "build"
        if swap_method:  # checked here for a message without the functions' medoids argument
            check_init(self.init, default_init, medoids_hint=False)
        result = run(self.method, X, int(k), metric=self.metric, init=self.init if swap_method else None,
                     default_init=default_init, max_iter=self.max_iter,
                     random_state=self.random_state, sample_weight=sample_weight, n_threads=self.n_threads,
                     verbose=self.verbose)
        self.labels_ = result.labels
        self.medoid_indices_ = result.medoids
        self.cluster_centers_ = None if self.metric == "precomputed" else X[result.medoids].copy()
        self.n_iter_ = result.n_iter
        self.n_clusters_ = int(result.medoids.size)
        if self.method in SILHOUETTE_METHODS:  # the result's loss is a silhouette: inertia_ stays the total deviation
            to_medoids = self._dissimilarities(X, scaled=False, fitted_check=False)
            self.inertia_ = float(to_medoids.min(axis=1).sum())
            self.medoid_silhouette_ = _medoid_silhouette_of(to_medoids)
        else:
            self.inertia_ = result.loss
        return self

    def transform(self, X):
        """Dissimilarities of the samples in ``X`` to every medoid.

        Parameters
        ----------
        X : array_like
            New data, or with ``metric="precomputed"`` the n_new x n_train dissimilarities to the training
            samples.

        Returns
        -------
        numpy.ndarray
            n_new x n_clusters dissimilarities.
        """
        if is_dask_array(X):  # distributed, lazy (numkern.cluster._dask)
            return _dask.transform(self, X)
        return self._dissimilarities(X, scaled=False)

    def _dissimilarities(self, X, scaled: bool, fitted_check: bool = True):
        """transform; with `scaled`, data and medoids may be scaled by one power of two so that no distance
        overflows (exact: the same comparisons as the true distances, which `predict` needs)."""
        if fitted_check:
            check_is_fitted(self, "medoid_indices_")
            X = self._validate(X, reset=False)
        if self.metric == "precomputed":
            return np.ascontiguousarray(X[:, self.medoid_indices_])
        centers = self.cluster_centers_.astype(X.dtype, copy=False)
        if callable(self.metric):
            return np.array([[float(self.metric(x, c)) for c in centers] for x in X], dtype=np.float64).reshape(
                X.shape[0], centers.shape[0])
        if scaled and self.metric in METRICS:
            X, centers = scale_together(X, centers, METRICS[self.metric])
        return pairwise_dissimilarity(X, centers, metric=self.metric, n_threads=self.n_threads)

    def predict(self, X):
        """Label of the nearest medoid (lowest cluster index on ties, as for ``labels_``).

        Parameters
        ----------
        X : array_like
            New data, or with ``metric="precomputed"`` the n_new x n_train dissimilarities to the training
            samples.

        Returns
        -------
        numpy.ndarray
            Cluster labels 0 .. n_clusters-1.
        """
        if is_dask_array(X):  # distributed, lazy (numkern.cluster._dask)
            return _dask.predict(self, X)
        return np.argmin(self._dissimilarities(X, scaled=True), axis=1).astype(np.int64)

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the k-medoids loss of ``X`` for the fitted medoids (higher is better, as ``KMeans.score``).

        ``-sum_j w_j min_m d(x_j, medoid_m)``: on the training data ``-inertia_`` (up to rounding), so
        :class:`~sklearn.model_selection.GridSearchCV` without ``scoring`` compares held-out losses.

        Parameters
        ----------
        X : array_like
            New data, or with ``metric="precomputed"`` the n_new x n_train dissimilarities to the training
            samples.
        y : None
            Ignored.
        sample_weight : array_like, optional
            Non-negative weight of every sample in the loss.

        Returns
        -------
        float
            The negative (weighted) total dissimilarity to the nearest medoid.
        """
        nearest = self._dissimilarities(X, scaled=False).min(axis=1)
        weights = check_weights(sample_weight, nearest.shape[0])
        if weights is None:
            return -float(nearest.sum())
        positive = weights > 0  # weight 0 removes the sample, even at an infinite distance
        return -float(np.dot(weights[positive], nearest[positive]))

    @property
    def _n_features_out(self):
        # transform's columns, one per medoid: get_feature_names_out names them kmedoids0, kmedoids1, ...
        return self.medoid_indices_.shape[0]

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit and return ``labels_``.

        Parameters
        ----------
        X : array_like
            Data or dissimilarity matrix, as in :meth:`fit`.
        y : None
            Ignored.
        sample_weight : array_like, optional
            Non-negative weight of every sample in the loss.

        Returns
        -------
        numpy.ndarray
            Cluster labels of the training samples.
        """
        return self.fit(X, sample_weight=sample_weight).labels_


def _medoid_silhouette_of(to_medoids: np.ndarray) -> float:
    """AMS from the n x k dissimilarities to the medoids (1 - d1/d2, 0/0 and one medoid count as s = 1)."""
    if to_medoids.shape[1] < 2:
        return 1.0
    two = np.partition(to_medoids, 1, axis=1)[:, :2]
    ratio = np.divide(two[:, 0], two[:, 1], out=np.zeros(two.shape[0]), where=two[:, 1] > 0)
    return float(1.0 - ratio.mean())
