"""Refused requests are logged in one line; server errors keep their traceback."""

import logging
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied

from carenet.core.logs import RefusalsWithoutTraceback


def record(status: int) -> logging.LogRecord:
    try:
        raise PermissionDenied
    except PermissionDenied:
        info = sys.exc_info()
    made = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden", None, info
    )
    made.status_code = status
    return made


def test_a_refusal_loses_its_traceback_and_a_server_error_keeps_it():
    refusal, failure = record(403), record(500)
    assert RefusalsWithoutTraceback().filter(refusal) and refusal.exc_info is None
    assert RefusalsWithoutTraceback().filter(failure) and failure.exc_info is not None
    assert refusal.getMessage() == "Forbidden"


def test_the_console_drops_tracebacks_before_masking_ids():
    filters = settings.LOGGING["handlers"]["console"]["filters"]
    assert filters == ["refusals_in_one_line", "no_citizen_ids"]
