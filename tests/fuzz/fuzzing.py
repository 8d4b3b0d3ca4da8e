"""The two fuzz tests every ``test_fuzz_<domain>.py`` runs for each of its functions, and the profiles.

``NUMKERN_FUZZ=short`` (default, CI): the fixed corpus of hostile arguments plus a few derandomized Hypothesis
examples per function. ``NUMKERN_FUZZ=long``: many more random examples, with shrinking, for local runs.
``NUMKERN_FUZZ_EXAMPLES`` overrides the number of examples per function; ``NUMKERN_FUZZ_TIMEOUT`` (seconds,
default 10) is the per-call limit before a call counts as a hang.
"""

from __future__ import annotations

import collections
import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from harness import report
from strategies import cases, corpus_cases
from targets import TARGETS, by_domain

PROFILE = os.environ.get("NUMKERN_FUZZ", "short")
if PROFILE not in ("short", "long"):
    raise ValueError(f"NUMKERN_FUZZ must be 'short' or 'long', got {PROFILE!r}")

_COMMON = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
settings.register_profile("numkern-fuzz-short", max_examples=int(os.environ.get("NUMKERN_FUZZ_EXAMPLES", 12)),
                          derandomize=True, phases=[Phase.explicit, Phase.generate], **_COMMON)
settings.register_profile("numkern-fuzz-long", max_examples=int(os.environ.get("NUMKERN_FUZZ_EXAMPLES", 400)),
                          derandomize=False, **_COMMON)
FUZZ_SETTINGS = settings.get_profile(f"numkern-fuzz-{PROFILE}")


def run_corpus(name, worker, limit_report=8):
    """Every corpus case of ``name``; fails listing each bad outcome (clipped) with its reproducer."""
    bad = []
    for kw in corpus_cases(TARGETS[name]):
        out = worker.run(name, kw)
        if not out.ok:
            bad.append((kw, out))
    if bad:
        kinds = collections.Counter(out.kind for _, out in bad)
        head = f"{name}: {len(bad)} bad outcomes on the hostile corpus ({dict(kinds)})"
        body = "\n\n".join(report(name, kw, out) for kw, out in bad[:limit_report])
        pytest.fail(f"{head}\n\n{body}", pytrace=False)


def run_hypothesis(name, worker):
    """Hypothesis-generated argument combinations for ``name``; the first bad outcome fails the test."""

    @FUZZ_SETTINGS
    @given(cases(TARGETS[name]))
    def fuzz(kw):
        out = worker.run(name, kw)
        assert out.ok, report(name, kw, out)

    fuzz()


def parametrize(domain, known=None):
    """Parametrize over the domain's targets; ``known`` maps a target to the reason it is an expected failure
    on the current code (xfail, not strict: the lead removes the entry once the fix is merged)."""
    known = known or {}
    return pytest.mark.parametrize("name", [
        pytest.param(n, marks=pytest.mark.xfail(strict=False, reason=known[n])) if n in known else n
        for n in by_domain(domain)])


def domain_tests(domain, known=None):
    """The corpus and Hypothesis tests of one subpackage, for ``test_corpus, test_hypothesis = ...``."""

    @parametrize(domain, known)
    def test_corpus(name, fuzz_worker):
        run_corpus(name, fuzz_worker)

    @parametrize(domain, known)
    def test_hypothesis(name, fuzz_worker):
        run_hypothesis(name, fuzz_worker)

    return test_corpus, test_hypothesis
