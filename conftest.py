"""The shared test world: a small area tree and the named personas who act in it.

    86 ชุมพร ─┬─ 8601 เมืองชุมพร ─┬─ 860101 ท่าตะเภา ─┬─ 86010101 หมู่ 1
              │                  │                  └─ 86010102 หมู่ 2
              │                  └─ 860102 ปากน้ำ ──── 86010201 หมู่ 1
              └─ 8602 ท่าแซะ ───── 860201 ท่าแซะ ──── 86020101 หมู่ 1
    84 สุราษฎร์ธานี ── 8401 เมืองสุราษฎร์ธานี ── 840101 ตลาด

Access-matrix tests take `persona` names from PERSONAS and call `login(client, name)`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from carenet.accounts.models import Role, User
from carenet.accounts.tests.factories import AreaAssignmentFactory, UserFactory
from carenet.areas.models import Area, Level

AREA_TREE = [
    ("86", Level.PROVINCE, "ชุมพร", "Chumphon", None, None),
    ("8601", Level.DISTRICT, "เมืองชุมพร", "Mueang Chumphon", "86", None),
    ("860101", Level.SUBDISTRICT, "ท่าตะเภา", "Tha Taphao", "8601", None),
    ("86010101", Level.VILLAGE, "บ้านท่าตะเภา", "", "860101", 1),
    ("86010102", Level.VILLAGE, "บ้านหาดทรายรี", "", "860101", 2),
    ("860102", Level.SUBDISTRICT, "ปากน้ำ", "Pak Nam", "8601", None),
    ("86010201", Level.VILLAGE, "บ้านปากน้ำ", "", "860102", 1),
    ("8602", Level.DISTRICT, "ท่าแซะ", "Tha Sae", "86", None),
    ("860201", Level.SUBDISTRICT, "ท่าแซะ", "Tha Sae", "8602", None),
    ("86020101", Level.VILLAGE, "บ้านท่าแซะ", "", "860201", 1),
    ("84", Level.PROVINCE, "สุราษฎร์ธานี", "Surat Thani", None, None),
    ("8401", Level.DISTRICT, "เมืองสุราษฎร์ธานี", "Mueang Surat Thani", "84", None),
    ("840101", Level.SUBDISTRICT, "ตลาด", "Talat", "8401", None),
]


@dataclass(frozen=True)
class Persona:
    role: Role
    area: str | None
    who: str


PERSONAS = {
    # A ministry administrator: everything, everywhere.
    "national_admin": Persona(Role.NATIONAL_ADMIN, None, "ministry admin"),
    # The พมจ. officer of Chumphon: the whole province, not Surat Thani.
    "province_officer": Persona(Role.PROVINCIAL_OFFICER, "86", "Chumphon provincial officer"),
    # The coordinator of เมืองชุมพร district's centre.
    "district_coordinator_a": Persona(Role.CENTRE_COORDINATOR, "8601", "เมืองชุมพร coordinator"),
    # The coordinator of ท่าแซะ district's centre: the neighbour who must not see เมืองชุมพร.
    "district_coordinator_b": Persona(Role.CENTRE_COORDINATOR, "8602", "ท่าแซะ coordinator"),
    # A volunteer of ต.ท่าตะเภา (เมืองชุมพร).
    "volunteer_a": Persona(Role.VOLUNTEER, "860101", "ท่าตะเภา volunteer"),
    # A volunteer of ต.ท่าแซะ (ท่าแซะ district).
    "volunteer_b": Persona(Role.VOLUNTEER, "860201", "ท่าแซะ volunteer"),
    # A national auditor: reads everything, changes nothing.
    "auditor": Persona(Role.AUDITOR, None, "national auditor, read-only"),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    if "real_password_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache(settings: Any) -> None:
    """Every test starts with an empty cache: counters kept there (accounts.disclosure) are
    keyed by user id, and ids repeat from one test to the next. Tests keep it in memory: each
    test process its own, where the served site shares files between its processes."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture(autouse=True)
def default_language() -> Any:
    """Every test starts in the site's language: a request the test client made in English
    leaves English active in the thread (LocaleMiddleware), and the next test would read it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def reference_data(db: None) -> None:
    """The data migrations load (problem areas, จปฐ. indicators). A transactional test
    (browser tests, threaded jobs) empties the tables when it ends, so tests that need this
    data ask for it rather than trust the order they run in."""
    from django.apps import apps

    from carenet.cases.models import CaseCategory
    from carenet.training.models import Competency
    from carenet.visits.models import ProblemArea

    if not ProblemArea.objects.exists():
        import_module("carenet.visits.migrations.0002_reference_data").load(apps, None)
    if not Competency.objects.exists():
        import_module("carenet.training.migrations.0002_competencies").load(apps, None)
    if not CaseCategory.objects.exists():
        import_module("carenet.cases.migrations.0002_reference_data").load(apps, None)
        competencies = "carenet.cases.migrations.0003_category_competency_case_volunteers"
        import_module(competencies).require_competencies(apps, None)


@pytest.fixture
def area_tree(db: None) -> dict[str, Area]:
    areas: dict[str, Area] = {}
    for code, level, name_th, name_en, parent, moo in AREA_TREE:
        areas[code], _ = Area.objects.get_or_create(
            code=code,
            defaults={
                "level": level,
                "name_th": name_th,
                "name_en": name_en,
                "parent_id": parent,
                "moo": moo,
            },
        )
    return areas


def make_persona(name: str, areas: dict[str, Area]) -> User:
    persona = PERSONAS[name]
    user = cast(User, UserFactory(username=name))
    AreaAssignmentFactory(
        user=user, role=persona.role, area=areas[persona.area] if persona.area else None
    )
    return user


@pytest.fixture
def personas(area_tree: dict[str, Area]) -> dict[str, User]:
    return {name: make_persona(name, area_tree) for name in PERSONAS}


@pytest.fixture
def national_admin(personas: dict[str, User]) -> User:
    return personas["national_admin"]


@pytest.fixture
def province_officer(personas: dict[str, User]) -> User:
    return personas["province_officer"]


@pytest.fixture
def district_coordinator_a(personas: dict[str, User]) -> User:
    return personas["district_coordinator_a"]


@pytest.fixture
def district_coordinator_b(personas: dict[str, User]) -> User:
    return personas["district_coordinator_b"]


@pytest.fixture
def volunteer_a(personas: dict[str, User]) -> User:
    return personas["volunteer_a"]


@pytest.fixture
def volunteer_b(personas: dict[str, User]) -> User:
    return personas["volunteer_b"]


@pytest.fixture
def auditor(personas: dict[str, User]) -> User:
    return personas["auditor"]


def login(client: Client, username: str | None) -> Client:
    """Signs the client in as a persona (None stays anonymous)."""
    if username is not None:
        client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def login_as(client: Client, personas: dict[str, User]) -> Callable[[str | None], Client]:
    def sign_in(username: str | None) -> Client:
        return login(client, username)

    return sign_in


@pytest.fixture
def en():
    """The test runs with English pages and messages."""
    with translation.override("en"):
        yield


# What differs from one response to the next: a CSRF token, the nonce of the page's scripts.
_PER_RESPONSE = re.compile(rb'[A-Za-z0-9]{64}|nonce="[^"]*"|<p class="print-stamp"[^<]*</p>')


def page_body(response: Any, path: str) -> bytes:
    """A page's bytes without what differs by request (CSRF tokens, script nonces, the time the
    print line gives) and its own path: the page an out-of-scope record gets is byte for byte a
    missing one's."""
    return _PER_RESPONSE.sub(b"X", response.content).replace(path.encode(), b"PATH")
