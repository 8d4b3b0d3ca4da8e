"""Fuzz numkern.cluster: hostile arguments must give a clear error or a documented value (see harness.py)."""

from fuzzing import domain_tests

# Known failures on the current code (target -> reason); remove an entry once its fix is merged.
KNOWN = {
    'cluster.KMedoids': (
        'vague: TypeError: run(): incompatible function arguments'
    ),
    'cluster.alternating': (
        'crash: worker killed by SIGABRT; '
        "vague: TypeError: unhashable type: 'numpy.ndarray'"
    ),
    'cluster.build': (
        'crash: worker killed by SIGABRT; '
        'vague: TypeError: run(): incompatible function arguments'
    ),
    'cluster.clara': (
        'crash: worker killed by SIGABRT; '
        'wrong: medoids [] are not 2 distinct indices in [0, 5); '
        'vague: TypeError: run(): incompatible function arguments'
    ),
    'cluster.clarans': (
        'wrong: medoids [] are not 2 distinct indices in [0, 5); '
        'vague: TypeError: run(): incompatible function arguments'
    ),
    'cluster.fastclara': (
        'crash: worker killed by SIGABRT; '
        'wrong: medoids [] are not 2 distinct indices in [0, 5); '
        'vague: TypeError: run(): incompatible function arguments'
    ),
    'cluster.fastclarans': (
        'wrong: medoids [] are not 2 distinct indices in [0, 5); '
        'vague: TypeError: run(): incompatible function arguments'
    ),
    'cluster.fastpam1': (
        'crash: worker killed by SIGABRT; '
        "vague: TypeError: unhashable type: 'numpy.ndarray'"
    ),
    'cluster.fastpam2': (
        'crash: worker killed by SIGABRT; '
        "vague: TypeError: unhashable type: 'numpy.ndarray'"
    ),
    'cluster.fasterpam': (
        "vague: TypeError: unhashable type: 'numpy.ndarray'"
    ),
    'cluster.lab': (
        'vague: TypeError: run(): incompatible function arguments'
    ),
    'cluster.pam': (
        'crash: worker killed by SIGABRT; '
        "vague: TypeError: unhashable type: 'numpy.ndarray'"
    ),
}

test_corpus, test_hypothesis = domain_tests("cluster", KNOWN)
