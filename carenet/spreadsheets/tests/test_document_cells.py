"""The document no. cell of a households file: pink cards checked, numbers normalised."""

import pytest

from carenet.spreadsheets.importing.common import Problem
from carenet.spreadsheets.importing.rows import read_document_no


def test_an_import_catches_a_pink_card_that_lost_its_leading_zeros(en):
    for cell in ("100091024", "100091024.0"):
        with pytest.raises(Problem) as excinfo:
            read_document_no("pink_card", cell)
        assert "dropped the zeros" in str(excinfo.value.reason)


def test_an_import_refuses_a_pink_card_with_a_wrong_check_digit(en):
    with pytest.raises(Problem) as excinfo:
        read_document_no("pink_card", "0000123456780")
    assert "check digit" in str(excinfo.value.reason)


def test_an_import_normalises_document_numbers():
    assert read_document_no("pink_card", "0-0001-00091-02-4") == "0000100091024"
    assert read_document_no("passport", "mc 123-4567") == "MC1234567"
    assert read_document_no("passport", "100091024") == "100091024"  # only cards lose zeros
