"""Fuzz numkern.stats: hostile arguments must give a clear error or a documented value (see harness.py)."""

from fuzzing import domain_tests

# Known failures on the current code (target -> reason); remove an entry once its fix is merged.
KNOWN = {}

test_corpus, test_hypothesis = domain_tests("stats", KNOWN)
