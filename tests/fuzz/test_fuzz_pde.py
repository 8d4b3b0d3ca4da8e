"""Fuzz numkern.pde: hostile arguments must give a clear error or a documented value (see harness.py)."""

from fuzzing import domain_tests

# Known failures on the current code (target -> reason); remove an entry once its fix is merged.
KNOWN = {
    'pde.GPHMSolver': (
        'vague: IndexError: index -1 is out of bounds for axis 0 with size 0'
    ),
    'pde.PDE': (
        "wrong: accepted nonlinearity_coefficient='1.0' of type str instead of raising TypeError; "
        "vague: TypeError: 'NoneType' object is not iterable"
    ),
    'pde.plot_solution': (
        'wrong: accepted n_test=True of type bool instead of raising TypeError; '
        "vague: AttributeError: 'NoneType' object has no attribute 'pde'"
    ),
}

test_corpus, test_hypothesis = domain_tests("pde", KNOWN)
