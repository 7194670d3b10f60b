"""Compiles locale/*/LC_MESSAGES/django.po to .mo with polib, so no gettext tools are needed."""

import os
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po -> .mo) without GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                # Write then rename: parallel test workers may compile at the same time.
                partial = mo_path.with_suffix(f".{os.getpid()}.tmp")
                polib.pofile(str(po_path)).save_as_mofile(str(partial))
                os.replace(partial, mo_path)
                self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)}")
