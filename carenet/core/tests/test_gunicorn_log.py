"""gunicorn's access log masks citizen IDs and phone numbers in the request line, as Django's
own log does (core.gunicorn_log, named by config/gunicorn.conf.py as README runs gunicorn)."""

import contextlib
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from gunicorn.config import Config

from carenet.core.gunicorn_log import LoggerWithoutIDs

CONF = settings.BASE_DIR / "config" / "gunicorn.conf.py"
DIGITS = "3101200123453"


def test_the_access_log_masks_ids_and_phones_in_the_request_line(tmp_path):
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    logger = LoggerWithoutIDs(cfg)
    try:
        for query in (f"q={DIGITS}", "q=081-234-5678", "next=/households/%3Fq%3D3-1012-00123-45-3"):
            environ = {
                "REQUEST_METHOD": "GET",
                "RAW_URI": f"/households/?{query}",
                "PATH_INFO": "/households/",
                "QUERY_STRING": query,
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": "127.0.0.1",
            }
            response = SimpleNamespace(status="302 Found", sent=0, headers=[])
            logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(0))
        logger.error("Error handling request /households/?q=%s", DIGITS)
        logger.setup(cfg)  # a reload (SIGHUP) keeps one filter
        assert len(logger.access_log.filters) == len(logger.error_log.filters) == 1
    finally:
        for log in (logger.access_log, logger.error_log):
            for handler in log.handlers:
                handler.close()
            log.handlers.clear()
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert [line.split('"')[1] for line in lines] == [
        "GET /households/?q=[citizen-id] HTTP/1.1",
        "GET /households/?q=[phone] HTTP/1.1",
        "GET /households/?next=/households/%3Fq%3D[citizen-id] HTTP/1.1",
    ]
    errors = (tmp_path / "error.log").read_text()
    assert "q=[citizen-id]" in errors and DIGITS[1:] not in errors


def test_the_configuration_file_names_the_logger():
    assert runpy.run_path(str(CONF))["logger_class"] == "carenet.core.gunicorn_log.LoggerWithoutIDs"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def test_gunicorn_started_as_readme_says_logs_no_id(tmp_path):
    """The README's command, on a free port and an empty database."""
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", str(CONF)]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"]
    command += ["--no-control-socket"]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    server = subprocess.Popen(  # noqa: S603
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(port, server)
        for query in (f"q={DIGITS}", "q=081-234-5678"):
            with contextlib.suppress(urllib.error.HTTPError):  # whatever the answer: logged
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/none.css?{query}")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    # The access log writes the path without its query (config/gunicorn.conf.py).
    assert output.count('"GET /static/none.css HTTP/1.1" 404') == 2, output
    assert DIGITS[1:] not in output and "234-5678" not in output
