"""Configuration and the process around it: settings from the environment, production refusals,
the start-up check for demo users, the busy-database page, and SQLite's concurrency settings.

Settings are read once per process, so the environment tests start a fresh Python with a crafted
environment and look at how it ends.
"""

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import include, path
from django.utils import translation

from carenet.core.middleware import DatabaseBusyMiddleware

BASE_DIR = Path(django_settings.BASE_DIR)
THAI = re.compile(r"[\u0e00-\u0e7f]")
# Variables that would leak from the developer's shell into the crafted environments.
OURS = re.compile(r"^(DJANGO_|CARENET_|DATABASE_URL$)")


def fresh_env(tmp_path: Path, **values: str | None) -> dict[str, str]:
    """The current environment without Carenet's variables, plus `values` (None removes one)."""
    env = {key: value for key, value in os.environ.items() if not OURS.match(key)}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    for key, value in values.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def production_env(tmp_path: Path, **values: str | None) -> dict[str, str]:
    good = {
        "CARENET_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "CARENET_CITIZEN_ID_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "carenet.example.go.th",
    }
    return fresh_env(tmp_path, **{**good, **values})


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SETUP = ["-c", "import django; django.setup()"]


# --- settings from the environment ---------------------------------------------------------


def test_the_defaults_start(tmp_path: Path) -> None:
    result = run(SETUP, fresh_env(tmp_path))
    assert result.returncode == 0, result.stderr


def test_every_process_of_the_site_shares_one_cache(tmp_path: Path) -> None:
    """gunicorn's workers must see one another's import progress: without Redis, the cache
    is files in CARENET_CACHE_DIR."""
    env = {**fresh_env(tmp_path), "CARENET_CACHE_DIR": str(tmp_path / "cache")}
    write = "from django.core.cache import cache; cache.set('progress', 42)"
    read = "from django.core.cache import cache; print(cache.get('progress'))"
    assert run([*SETUP[:1], SETUP[1] + "; " + write], env).returncode == 0
    other = run([*SETUP[:1], SETUP[1] + "; " + read], env)
    assert other.stdout.strip() == "42", other.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("CARENET_ENV", "staging"),
        ("CARENET_SQLITE_BUSY_TIMEOUT", "abc"),
    ],
)
def test_a_bad_value_stops_the_process_naming_the_variable(
    tmp_path: Path, name: str, value: str
) -> None:
    result = run(SETUP, fresh_env(tmp_path, **{name: value}))
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert name in last_line


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "too-short"}, "DJANGO_SECRET_KEY"),
        ({"CARENET_CITIZEN_ID_KEY": None}, "CARENET_CITIZEN_ID_KEY"),
        ({"CARENET_DEMO": "true"}, "CARENET_DEMO"),
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG"),
    ],
    ids=["default-secret", "short-secret", "default-citizen-key", "demo", "debug"],
)
def test_production_refuses_development_values(
    tmp_path: Path, change: dict[str, str | None], named: str
) -> None:
    result = run(SETUP, production_env(tmp_path, **change))
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "refuses to start in production" in last_line
    assert named in last_line


def test_production_values_pass_the_deploy_check(tmp_path: Path) -> None:
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_refuses_a_site_left_on_the_development_keys(tmp_path: Path) -> None:
    """DEBUG off with the rest of production set, but CARENET_ENV forgotten: the keys would
    be the public development ones."""
    env = production_env(tmp_path, CARENET_ENV=None, CARENET_CITIZEN_ID_KEY=None)
    env["DJANGO_DEBUG"] = "false"
    result = run(["manage.py", "check", "--deploy"], env)
    assert result.returncode != 0
    assert "carenet.E002" in result.stderr and "CARENET_CITIZEN_ID_KEY" in result.stderr


def test_production_values_may_all_come_from_the_env_file(tmp_path: Path) -> None:
    """README: everything comes from the environment or from `.env` beside manage.py. The
    production checks once looked for DJANGO_ALLOWED_HOSTS in the process's environment only,
    so a site configured wholly in .env refused to start."""
    site = tmp_path / "site"
    shutil.copytree(BASE_DIR / "config", site / "config")  # BASE_DIR is the settings' parent
    values = {k: v for k, v in production_env(tmp_path).items() if OURS.match(k)}
    (site / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()), "utf-8")
    env = fresh_env(tmp_path, PYTHONPATH=f"{site}{os.pathsep}{BASE_DIR}")
    env.pop("DATABASE_URL")
    shown = "from django.conf import settings; print(settings.ALLOWED_HOSTS, settings.DEBUG)"
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-c", f"{SETUP[1]}; {shown}"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['carenet.example.go.th'] False"


def test_env_example_documents_every_variable_settings_reads() -> None:
    source = (BASE_DIR / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"\benv\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CARENET_CITIZEN_ID_KEY"} <= read
    example = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert read - documented == set(), "add these to .env.example"
    assert documented - read == set(), ".env.example documents variables settings.py never reads"


# --- start-up refusal of demo users ---------------------------------------------------------


# --- a busy database answers 503, not 500 ---------------------------------------------------


def database_locked(request: HttpRequest) -> HttpResponse:
    raise OperationalError("database is locked")


def database_broken(request: HttpRequest) -> HttpResponse:
    raise OperationalError("no such table: carenet_missing")


# The test URLconf of the tests marked `urls(__name__)`: Carenet's pages plus two failing views.
urlpatterns = [
    path("test/locked/", database_locked),
    path("test/broken/", database_broken),
    path("", include("config.urls")),
]


def assert_thai_busy_page(response: HttpResponseBase) -> None:
    assert isinstance(response, HttpResponse)
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    body = response.content.decode()
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", body, flags=re.DOTALL)
    assert heading is not None
    assert THAI.search(heading.group(1)), (
        f"the 503 heading is not in Thai: {heading.group(1)!r} "
        "(is locale/th translated and compiled? make translations)"
    )


@pytest.mark.django_db
def test_middleware_turns_database_locked_into_a_thai_503() -> None:
    request = RequestFactory().get("/households/")
    middleware = DatabaseBusyMiddleware(lambda request: HttpResponse("unused"))
    with translation.override("th"):
        response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response is not None
    assert_thai_busy_page(response)


@pytest.mark.django_db
def test_a_database_that_cannot_be_reached_answers_503_and_is_logged(caplog) -> None:
    request = RequestFactory().post("/accounts/login/")
    middleware = DatabaseBusyMiddleware(lambda request: HttpResponse("unused"))
    refused = OperationalError(
        'connection to server at "127.0.0.1", port 5433 failed: Connection refused'
    )
    with translation.override("th"):
        response = middleware.process_exception(request, refused)
    assert response is not None
    assert_thai_busy_page(response)
    assert "cannot be reached" in caplog.text and "5433" in caplog.text


def test_middleware_leaves_other_errors_alone() -> None:
    request = RequestFactory().get("/")
    middleware = DatabaseBusyMiddleware(lambda request: HttpResponse("unused"))
    assert middleware.process_exception(request, OperationalError("no such table: x")) is None
    assert middleware.process_exception(request, ValueError("database is locked")) is None


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_view_hitting_a_locked_database_answers_503_in_thai(client: Client) -> None:
    response = client.get("/test/locked/")
    assert_thai_busy_page(response)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_other_database_errors_are_not_disguised_as_busy(client: Client) -> None:
    with pytest.raises(OperationalError, match="no such table"):
        client.get("/test/broken/")


# --- SQLite: WAL, IMMEDIATE, busy timeout, and no "database is locked" under contention ------

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's settings: the default database is not SQLite"
)

# Runs on a fresh file database configured by config/settings.py; prints what it found as JSON.
SQLITE_PROBE = """
import json, sqlite3
import django
django.setup()
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (n integer)")
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy_timeout_ms = cursor.fetchone()[0]

# A second connection that will not wait: it fails at once if someone holds the write lock.
other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
with CaptureQueriesContext(connection) as queries:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM probe")  # only a read so far
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            write_lock_held = False
        except sqlite3.OperationalError as error:
            write_lock_held = "locked" in str(error)
print(json.dumps({
    "journal_mode": journal_mode,
    "busy_timeout_ms": busy_timeout_ms,
    "begin": queries.captured_queries[0]["sql"],
    "write_lock_held_after_a_read": write_lock_held,
}))
"""


@sqlite_only
def test_sqlite_runs_wal_with_immediate_transactions_and_a_busy_timeout(tmp_path: Path) -> None:
    result = run(["-c", SQLITE_PROBE], fresh_env(tmp_path, CARENET_SQLITE_BUSY_TIMEOUT="30"))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {
        "journal_mode": "wal",
        "busy_timeout_ms": 30_000,
        "begin": "BEGIN IMMEDIATE",
        "write_lock_held_after_a_read": True,
    }


# 8 threads, each with its own connection, run read-then-write transactions on a migrated file
# database: read the shared counter, think, record what was read, write the counter back + 1.
SQLITE_WRITERS = """
import json, sys, threading, time
import django
from django.conf import settings
mode = sys.argv[1]
django.setup()
if mode == "DEFERRED":
    settings.DATABASES["default"]["OPTIONS"].pop("transaction_mode")
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from carenet.core.models import AuditEvent

THREADS, EACH = 8, 25
call_command("migrate", verbosity=0)
AuditEvent.objects.create(action="counter", details={"n": 0})
connection.close()
outcome = {"committed": 0, "locked": 0, "other": []}
lock = threading.Lock()
start = threading.Barrier(THREADS)

def writer():
    start.wait()
    for _ in range(EACH):
        try:
            with transaction.atomic():
                counter = AuditEvent.objects.get(action="counter")
                time.sleep(0.002)  # the work between reading and writing
                AuditEvent.objects.create(action="seen", details={"n": counter.details["n"]})
                counter.details = {"n": counter.details["n"] + 1}
                counter.save(update_fields=["details"])
            key = "committed"
        except OperationalError as error:
            key = "locked" if "locked" in str(error) else "other"
            if key == "other":
                outcome["other"].append(str(error))
        with lock:
            if key != "other":
                outcome[key] += 1
    connection.close()

threads = [threading.Thread(target=writer) for _ in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
outcome["counter"] = AuditEvent.objects.get(action="counter").details["n"]
outcome["seen"] = sorted(e.details["n"] for e in AuditEvent.objects.filter(action="seen"))
print(json.dumps(outcome))
"""


def run_writers(tmp_path: Path, mode: str) -> dict[str, Any]:
    result = run(["-c", SQLITE_WRITERS, mode], fresh_env(tmp_path))
    assert result.returncode == 0, result.stderr
    outcome: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


@sqlite_only
def test_concurrent_read_then_write_transactions_never_see_database_locked(
    tmp_path: Path,
) -> None:
    outcome = run_writers(tmp_path, "IMMEDIATE")
    assert outcome["other"] == []
    assert outcome["locked"] == 0
    assert outcome["committed"] == 8 * 25
    # Serialized: every transaction saw the state its predecessor left, none was lost.
    assert outcome["counter"] == 200
    assert outcome["seen"] == list(range(200))


@sqlite_only
def test_the_same_workload_fails_with_djangos_default_deferred_transactions(
    tmp_path: Path,
) -> None:
    # The control that shows the workload above really contends: without IMMEDIATE, readers
    # that then write fail with "database is locked", busy timeout or not.
    outcome = run_writers(tmp_path, "DEFERRED")
    assert outcome["other"] == []
    assert outcome["locked"] > 0
    assert outcome["committed"] + outcome["locked"] == 8 * 25
    assert outcome["counter"] == outcome["committed"]


# --- an id past the database's key is a 404, not an OverflowError ----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/training/99999999999999999999999/evaluation/",
        "/training/9223372036854775808/evaluation/",
        "/visits/households/99999999999999999999999/draft/send/",
        "/households/99999999999999999999999/",
    ],
)
def test_a_huge_id_in_the_address_is_not_found(
    client: Client, django_user_model: Any, path: str
) -> None:
    client.force_login(django_user_model.objects.create(username="someone"))
    assert client.get(path).status_code == 404
    assert client.post(path).status_code in (403, 404)
