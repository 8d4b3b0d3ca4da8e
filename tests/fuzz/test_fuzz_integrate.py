"""Fuzz numkern.integrate: hostile arguments must give a clear error or a documented value (see harness.py)."""

from fuzzing import domain_tests

# Known failures on the current code (target -> reason); remove an entry once its fix is merged.
KNOWN = {
    'integrate.BQRule': (
        'vague: OverflowError: Python int too large to convert to C long'
    ),
    'integrate.bayes_quad': (
        'wrong: accepted lengthscale=True of type bool instead of raising TypeError; '
        'vague: OverflowError: Python int too large to convert to C long'
    ),
    'integrate.bq_weights': (
        "wrong: accepted lengthscale='1.0' of type str instead of raising TypeError"
    ),
    'integrate.cumulative_simpson': (
        "wrong: accepted dx='1.0' of type str instead of raising TypeError"
    ),
    'integrate.cumulative_trapezoid': (
        "wrong: accepted dx='1.0' of type str instead of raising TypeError; "
        'vague: OverflowError: Python int too large to convert to C long'
    ),
    'integrate.kernel_integral': (
        'wrong: kernel integral nan outside [0, (b - a)^2]'
    ),
    'integrate.kernel_mean': (
        'wrong: accepted a=True of type bool instead of raising TypeError; '
        "vague: TypeError: unsupported operand type(s) for -: 'float' and 'NoneType'"
    ),
    'integrate.simpson': (
        "wrong: accepted dx='1.0' of type str instead of raising TypeError; "
        'vague: OverflowError: Python int too large to convert to C long'
    ),
    'integrate.trapezoid': (
        "wrong: accepted dx='1.0' of type str instead of raising TypeError; "
        "vague: TypeError: unsupported operand type(s) for -: 'object' and 'object'"
    ),
}

test_corpus, test_hypothesis = domain_tests("integrate", KNOWN)
