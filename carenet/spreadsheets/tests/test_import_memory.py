"""What a file of wrong rows leaves in memory: an import keeps nothing of a row it refused.

A hostile or broken file of two million rows naming the same wrong place took 20 GB: each row
lengthened the traceback of one remembered Problem, and the problems of each row were
reference cycles the paused collector never freed.
"""

import gc

import pytest

from carenet.spreadsheets.importing import common
from carenet.spreadsheets.importing.common import Problem
from carenet.spreadsheets.importing.places import Areas

pytestmark = pytest.mark.django_db


def test_a_place_found_wrong_once_is_refused_afresh_for_each_row(area_tree):
    areas = Areas()
    raised = []
    for _row in range(3):
        with pytest.raises(Problem) as caught:
            areas.subdistrict("", "", "", "x")
        raised.append(caught.value)
    assert len({id(problem) for problem in raised}) == 3
    assert {problem.reason for problem in raised} == {raised[0].reason}
    depth = 0
    tb = raised[-1].__traceback__
    while tb is not None:
        depth, tb = depth + 1, tb.tb_next
    assert depth < 5  # this row's frames only


def test_wrong_rows_are_cleared_up_while_the_collector_is_paused(monkeypatch):
    collected = []
    monkeypatch.setattr(common, "PROBLEMS_PER_COLLECTION", 3)
    monkeypatch.setattr(common, "_problems_made", [0, 0])
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(args) or 0)
    with common.collector_paused():
        with common.problems_freed():
            Problem("x", "ok")  # fewer than the threshold: nothing to do
        assert collected == []
        with common.problems_freed():
            [Problem("x", "wrong") for _ in range(3)]
        assert collected == [()]
        with common.problems_freed():
            pass  # good rows: nothing
        assert collected == [()]
