"""gunicorn's settings beyond the command line (README: gunicorn -c config/gunicorn.conf.py).

Its access log masks citizen IDs and phone numbers in the request line, as Django's own log
does (carenet/core/gunicorn_log.py)."""

logger_class = "carenet.core.gunicorn_log.LoggerWithoutIDs"

# The path without its query string, and no referrer: a search by name leaves the name in the
# address of its results and in the referrer of the next request (nginx's `carenet` format in
# README.md leaves them out for the same reason).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(L)s'
