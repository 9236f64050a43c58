"""The background-report benchmark: how much of wrk's window the builds cover."""

import pytest

from bench.background import covered


def test_the_builds_cover_the_window_only_where_they_overlap_it():
    window = (10.0, 20.0)
    assert covered([], window) == 0.0
    assert covered([(9.0, 25.0)], window) == 1.0  # asked before wrk started, ended after it
    assert covered([(9.5, 12.0), (12.5, 15.0), (15.2, 21.0)], window) == pytest.approx(0.93)  # the gaps between builds
    assert covered([(5.0, 9.0), (20.0, 22.0)], window) == 0.0  # outside it
