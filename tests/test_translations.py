"""The translation catalogues: complete, in step with the code, and what the pages show.

Source strings are English msgids. Thai is the default language and must be complete; English
is complete too, its msgstr repeating the msgid. `locale/refresh.py` keeps the catalogues in
step with the code; these tests say what is left to do when it has not been run, or when a
Thai translation is missing or still fuzzy.

Whether a source string is missing from the catalogue is decided by GNU gettext itself:
`makemessages` runs on a copy of the sources in a temporary folder, and its catalogue is
compared with ours. Without gettext the check is skipped, except in CI, where it fails.
"""

import html.parser
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import reloader

from carenet.accounts.models import User

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["th", "en"]
# What locale/refresh.py and `makemessages --ignore` leave out, and what never holds strings.
SKIP_DIRS = {".venv", "node_modules", "staticfiles", "var", "locale", "screenshots", ".git"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # makemessages' default extensions
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{\w*\}")

Key = tuple[str | None, str]  # (msgctxt, msgid)


def catalogue_path(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(catalogue_path(language)))


def keys(po: polib.POFile) -> set[Key]:
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


def describe(found: list[str], what: str) -> str:
    shown = "\n  ".join(found[:40])
    more = f"\n  … and {len(found) - 40} more" if len(found) > 40 else ""
    return f"{len(found)} {what}:\n  {shown}{more}\nRun `.venv/bin/python locale/refresh.py`."


def compile_if_stale(language: str) -> None:
    """Compiles a catalogue whose .mo is missing or older, atomically (xdist workers race)."""
    po_path = catalogue_path(language)
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return
    partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
    polib.pofile(str(po_path)).save_as_mofile(str(partial))
    os.replace(partial, mo_path)
    reloader.translation_file_changed(None, mo_path)  # forget catalogues already loaded


# --- The catalogues themselves -------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language: str) -> None:
    po = catalogue(language)
    assert not po.metadata_is_fuzzy, f"the header of {language} is marked fuzzy"
    problems = [
        f"[untranslated] {entry.msgid!r}"
        for entry in po.untranslated_entries()
        if not entry.obsolete
    ] + [f"[fuzzy] {entry.msgid!r}" for entry in po.fuzzy_entries()]
    assert not problems, describe(problems, f"{language} entries need a translator")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    """A translation that drops or renames %(name)s breaks the page that formats it."""
    wrong = []
    for entry in catalogue(language):
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            # A plural form may leave the number out ("one village"), but not invent names.
            wanted |= set(PLACEHOLDER.findall(entry.msgid_plural))
            for form in entry.msgstr_plural.values():
                if form and not set(PLACEHOLDER.findall(form)) <= wanted:
                    wrong.append(f"{entry.msgid!r} -> {form!r}")
        elif entry.msgstr and set(PLACEHOLDER.findall(entry.msgstr)) != wanted:
            wrong.append(f"{entry.msgid!r} -> {entry.msgstr!r}")
    assert not wrong, describe(wrong, f"{language} translations with other placeholders")


def test_plural_forms_fit_each_language() -> None:
    assert catalogue("th").metadata["Plural-Forms"].startswith("nplurals=1;")
    assert catalogue("en").metadata["Plural-Forms"].startswith("nplurals=2;")


# --- The catalogues against the code -------------------------------------------------------


def copy_sources(target: Path) -> None:
    for directory, subdirs, files in os.walk(ROOT):
        subdirs[:] = [
            name
            for name in subdirs
            if name not in SKIP_DIRS and not name.startswith(".") and name != "__pycache__"
        ]
        here = Path(directory)
        for name in files:
            if Path(name).suffix in SOURCE_SUFFIXES and not name.startswith("."):
                destination = target / here.relative_to(ROOT) / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(here / name, destination)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[Key]:
    """Every translatable string in the code, as makemessages finds it today."""
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        message = "GNU gettext (xgettext, msguniq) is needed: apt-get install gettext"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    work = tmp_path_factory.mktemp("sources")
    copy_sources(work)
    (work / "locale").mkdir()
    # Without settings, makemessages writes to ./locale of the copy and imports none of it.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "th", "--no-obsolete", "-v", "0"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    return keys(polib.pofile(str(work / "locale" / "th" / "LC_MESSAGES" / "django.po")))


def show(found: set[Key]) -> list[str]:
    return [
        f"{msgid!r}" + (f" [{context}]" if context else "")
        for context, msgid in sorted(found, key=lambda key: (key[1], key[0] or ""))
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_source_string_is_in_the_catalogue(language: str, extracted: set[Key]) -> None:
    missing = extracted - keys(catalogue(language))
    assert not missing, describe(show(missing), f"source strings missing from {language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_holds_no_string_the_code_dropped(language: str, extracted: set[Key]) -> None:
    stale = keys(catalogue(language)) - extracted
    assert not stale, describe(show(stale), f"{language} entries no longer in the code")


# --- The pages -----------------------------------------------------------------------------


class VisibleText(html.parser.HTMLParser):
    """The text a reader sees: no tags, scripts or styles, spaces collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    @classmethod
    def of(cls, content: bytes) -> str:
        parser = cls()
        parser.feed(content.decode())
        return " ".join(" ".join(parser.parts).split())


# The sources whose strings the home page shows: the layout, the menu, the roles, the page.
HOME_SOURCES = (
    "templates/base.html",
    "carenet/accounts/context_processors.py",
    "carenet/accounts/models.py",
    "carenet/reports/templates/reports/home.html",
)


@pytest.fixture
def compiled() -> Iterator[None]:
    for language in LANGUAGES:
        compile_if_stale(language)
    yield


def contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def test_home_page_is_thai_by_default_and_english_on_request(
    client: Client, district_coordinator_a: User, compiled: None
) -> None:
    client.force_login(district_coordinator_a)
    thai = client.get("/")
    assert thai.status_code == 200
    assert b'<html lang="th">' in thai.content

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    # Remembered past the browser's closing: a year.
    assert response.cookies["carenet_language"]["max-age"] == 365 * 24 * 60 * 60
    english = client.get("/")
    assert b'<html lang="en">' in english.content

    thai_text, english_text = VisibleText.of(thai.content), VisibleText.of(english.content)
    # The catalogue's strings for this page that the English page shows: each must be gone
    # from the Thai page, replaced by its Thai translation.
    sample = [
        entry
        for entry in catalogue("th")
        if not entry.obsolete
        and not entry.msgid_plural
        and not PLACEHOLDER.search(entry.msgid)
        and any(path in HOME_SOURCES for path, _line in entry.occurrences)
        and contains(english_text, entry.msgid)
    ]
    assert len(sample) >= 5, [entry.msgid for entry in sample]
    for entry in sample:
        assert not contains(thai_text, entry.msgid), f"English {entry.msgid!r} on the Thai page"
        assert entry.msgstr in thai_text, f"{entry.msgstr!r} missing from the Thai page"
    assert "เข้าสู่ระบบ" not in english_text  # no Thai UI words left on the English page
    assert "ออกจากระบบ" in thai_text and "Sign out" in english_text

    client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    assert b'<html lang="th">' in client.get("/").content


def test_error_pages_show_the_other_language_second(
    client: Client, district_coordinator_a: User, compiled: None
) -> None:
    with translation.override("th"):
        in_thai = translation.gettext("Page not found")
    client.force_login(district_coordinator_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    thai = VisibleText.of(response.content)
    assert thai.index(in_thai) < thai.index("Page not found")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = VisibleText.of(client.get("/no-such-page/").content)
    assert english.index("Page not found") < english.index(in_thai)


def test_django_messages_users_see_are_in_thai() -> None:
    """carenet/core/framework_messages.py: Django's Thai catalogue leaves these in English."""
    from django import forms
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    field = forms.CharField(max_length=5)
    with translation.override("th"):
        with pytest.raises(ValidationError) as password:
            validate_password("1234")
        with pytest.raises(ValidationError) as long:
            field.clean("abcdefg")
        with pytest.raises(ValidationError) as null:
            field.clean("a\x00")
    messages = [*password.value.messages, *long.value.messages, *null.value.messages]
    assert len(messages) == 5
    for message in messages:
        assert re.match(r"[\u0e00-\u0e7f]", message), message  # starts in Thai
    assert "ต้องมีไม่เกิน 5 ตัวอักษร (ที่กรอกมี 7 ตัวอักษร)" in long.value.messages
    # The account forms ask for 10 characters; the rule says the same.
    assert "รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย 10 ตัวอักษร" in password.value.messages
