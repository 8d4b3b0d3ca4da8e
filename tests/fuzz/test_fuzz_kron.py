"""Fuzz numkern.kron: hostile arguments must give a clear error or a documented value (see harness.py)."""

from fuzzing import domain_tests

# Known failures on the current code (target -> reason); remove an entry once its fix is merged.
KNOWN = {
    'kron.GridGP': (
        'wrong: accepted noise=True of type bool instead of raising TypeError; '
        "vague: TypeError: 'NoneType' object is not iterable"
    ),
    'kron.KroneckerCholesky': (
        "wrong: accepted jitter='1.0' of type str instead of raising TypeError; "
        "vague: TypeError: 'NoneType' object is not iterable"
    ),
    'kron.KroneckerEigh': (
        'hang: no answer within 10 s; '
        "wrong: accepted shift='1.0' of type str instead of raising TypeError; "
        "vague: TypeError: 'NoneType' object is not iterable"
    ),
    'kron.kernels': (
        'wrong: accepted lengthscale=True of type bool instead of raising TypeError; '
        'vague: ZeroDivisionError: float division by zero'
    ),
    'kron.kernels.SpectralMixture': (
        'vague: ZeroDivisionError: complex division by zero'
    ),
    'kron.kernels.differentiation_matrix': (
        'wrong: accepted order=True of type bool instead of raising TypeError; '
        "vague: TypeError: unsupported operand type(s) for +: 'NoneType' and 'int'"
    ),
    'kron.kron_matmat_numpy': (
        'vague: IndexError: tuple index out of range'
    ),
}

test_corpus, test_hypothesis = domain_tests("kron", KNOWN)
