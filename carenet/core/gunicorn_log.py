"""gunicorn's logs without citizen IDs or phone numbers (config/gunicorn.conf.py names it).

A search for an ID reaches the server once with the ID in its address, before core.id_search
moves it out, and gunicorn's access log writes the request line as it came (its error log
too, for a request that failed). Django's own log masks such lines with RedactCitizenIDs;
gunicorn's loggers get the same filter."""

from typing import Any

from gunicorn.glogging import Logger

from carenet.core.citizen_id import RedactCitizenIDs

_REDACT = RedactCitizenIDs()  # one instance: setup runs again on every reload (SIGHUP)


class LoggerWithoutIDs(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.access_log, self.error_log):
            logger.addFilter(_REDACT)
