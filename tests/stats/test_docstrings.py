"""The Examples sections of numkern.stats run and print what they claim."""

import doctest

import pytest

import numkern.stats._vmf as vmf
import numkern.stats._vmf_math as vmf_math
import numkern.stats._vmf_mixture as vmf_mixture


@pytest.mark.parametrize("module", [vmf, vmf_math, vmf_mixture], ids=lambda m: m.__name__)
def test_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
