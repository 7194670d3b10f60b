"""Logging filters of our own (the citizen-ID one lives with the citizen IDs)."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """Keeps the one line Django logs for a refused request (403, 404 from PermissionDenied or
    Http404) and drops its traceback: a refusal is the access model working, and a page of
    stack for each one buries the 500s that need reading."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info, record.exc_text = None, None
        return True
