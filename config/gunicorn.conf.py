"""gunicorn's settings beyond the command line (README: gunicorn -c config/gunicorn.conf.py).

Its access log masks citizen IDs and phone numbers in the request line, as Django's own log
does (carenet/core/gunicorn_log.py)."""

logger_class = "carenet.core.gunicorn_log.LoggerWithoutIDs"
