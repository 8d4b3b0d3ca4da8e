"""Fuzz numkern.stats: hostile arguments must give a clear error or a documented value (see harness.py)."""

from fuzzing import domain_tests

# Known failures on the current code (target -> reason); remove an entry once its fix is merged.
KNOWN = {
    'stats.VonMisesFisherMixture': (
        'hang: no answer within 10 s; '
        'wrong: accepted tol=True of type bool instead of raising TypeError'
    ),
    'stats.log_normalizer': (
        'vague: ValueError: operands could not be broadcast together with shapes (0,) (3,)'
    ),
    'stats.mean_resultant_length': (
        'vague: ValueError: operands could not be broadcast together with shapes (0,) (3,)'
    ),
    'stats.vonmises_fisher.rvs': (
        'wrong: accepted size=True of type bool instead of raising TypeError; '
        'vague: ValueError: math domain error'
    ),
}

test_corpus, test_hypothesis = domain_tests("stats", KNOWN)
