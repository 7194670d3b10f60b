"""Where an event touching records of several areas is logged (core.services.audit_areas)."""

import pytest

from carenet.core.services import audit_areas


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([], [""]),
        (["", None], [""]),
        (["86010101"], ["86010101"]),
        (["86010101", "86010102"], ["860101"]),
        (["860101", "86010101"], ["860101"]),
        (["8601", "860201"], ["86"]),
        (["86010101", "84010101"], ["84", "86"]),
    ],
)
def test_one_province_gives_its_narrowest_common_area_several_give_each(codes, expected):
    assert audit_areas(codes) == expected
