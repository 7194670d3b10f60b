"""Refreshes Carenet's translation catalogues: extract, fill English, compile, list Thai to do.

    .venv/bin/python locale/refresh.py

1. `manage.py makemessages -l th -l en --no-obsolete` (needs GNU gettext: apt-get install gettext)
   adds every new source string to locale/{th,en}/LC_MESSAGES/django.po and drops the ones
   no longer in the code. Existing translations are kept; a string whose English changed a
   little comes back marked fuzzy with the old translation as a suggestion.
2. English: the source strings are English, so every empty or fuzzy English entry gets
   msgstr = msgid (both forms for plurals). An English msgstr someone edited by hand is kept.
3. Both headers are set (language, plural forms) and marked reviewed.
4. The .po files are compiled to .mo with `manage.py compile_translations`.
5. The Thai entries still empty or fuzzy are printed; translate them in
   locale/th/LC_MESSAGES/django.po, remove the `#, fuzzy` line, and run this again.
   carenet/core/tests/test_translations.py fails until none is left.
"""

import os
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
IGNORE = [".venv", "node_modules", "staticfiles", "var"]
HEADERS = {
    "th": {"Language": "th", "Language-Team": "Thai", "Plural-Forms": "nplurals=1; plural=0;"},
    "en": {
        "Language": "en",
        "Language-Team": "English",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    },
}


def catalogue(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def mark_reviewed(entry: polib.POEntry) -> None:
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None


def tidy(language: str) -> list[polib.POEntry]:
    """Sets the header; fills English. Returns the entries that still need a translator."""
    po = polib.pofile(str(catalogue(language)))
    team = HEADERS[language]["Language-Team"]
    po.header = f"Carenet: {team} translation. Refresh with locale/refresh.py (locale/README.md)."
    po.metadata_is_fuzzy = False
    po.metadata.update({"Project-Id-Version": "Carenet", **HEADERS[language]})
    todo = []
    for entry in po:
        if entry.obsolete:
            continue
        empty = not all(entry.msgstr_plural.values()) if entry.msgid_plural else not entry.msgstr
        if not empty and "fuzzy" not in entry.flags:
            continue
        if language == "en":
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            mark_reviewed(entry)
        else:
            todo.append(entry)
    po.save()
    return todo


def main() -> int:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command(
        "makemessages", locale=list(HEADERS), ignore_patterns=IGNORE, no_obsolete=True, verbosity=0
    )
    todo = {language: tidy(language) for language in HEADERS}
    call_command("compile_translations")
    for entry in todo["th"]:
        state = "fuzzy" if "fuzzy" in entry.flags else "untranslated"
        context = f" [{entry.msgctxt}]" if entry.msgctxt else ""
        print(f"th {state}{context}: {entry.msgid}")
    print(f"{len(todo['th'])} Thai entries to translate in {catalogue('th').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
