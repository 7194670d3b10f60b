"""The upload and export forms. A file is refused here, with the reason beside the field, when it
is empty, too large, or not a spreadsheet at all; whether its contents import is the job's."""

import re
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from carenet.households import vulnerability
from carenet.spreadsheets.models import ImportKind, OnExisting
from carenet.volunteers.models import NETWORK, VolunteerStatus

# 200,000 rows of households (tabular.MAX_ROWS) are about 40 MB as CSV.
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# .ods is LibreOffice's own format, which many offices save by default.
WORKBOOK_SUFFIXES = {".xlsx", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt"}
ACCEPT = ".csv,.xlsx,.xls,.ods"
# .xlsx and .ods are zip files; .xls is an OLE compound file.
WORKBOOK_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
# What other files start with; a CSV never does.
BINARY_STARTS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
# A web page or an XML spreadsheet, which some systems export under an .xls name.
_MARKUP = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|table|\?xml)", re.IGNORECASE)


def max_upload_bytes() -> int:
    return int(getattr(settings, "CARENET_IMPORT_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        initial=ImportKind.HOUSEHOLDS,
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": _("Choose the file to upload."),
            "empty": _("The file is empty. Choose the file again."),
        },
    )
    dry_run = forms.BooleanField(
        label=_("Check only, save nothing"),
        required=False,
        help_text=_("The file is checked row by row; you can import it afterwards."),
    )
    on_existing = forms.ChoiceField(
        label=_("When a person is already registered"),
        choices=OnExisting.choices,
        widget=forms.RadioSelect,
        initial=OnExisting.UPDATE,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8 or Windows-874), Excel (.xlsx or .xls) or LibreOffice (.ods), up to "
            "%(size)s. Households: one row per person; volunteers: one row per volunteer. The "
            "header row names the columns; a title above it is fine."
        ) % {"size": filesizeformat(max_upload_bytes())}

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _(
                    "The file is too large (%(size)s). One upload can be at most %(limit)s: "
                    "split the file into several and upload them one by one."
                ),
                code="too_large",
                params={"size": filesizeformat(upload.size or 0), "limit": filesizeformat(limit)},
            )
        start = upload.read(4096)
        upload.seek(0)
        check_file_kind(upload.name or "", start)
        return upload


def check_file_kind(name: str, start: bytes) -> None:
    """Raises ValidationError when a file's name and first bytes show it is not a CSV or a
    workbook, with what to do about it. The upload page and the import commands check this.
    A workbook named .csv, or a CSV named .xlsx, passes: the reader goes by the contents."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES and suffix not in TEXT_SUFFIXES:
        raise forms.ValidationError(
            _(
                "Carenet cannot read %(suffix)s files. Upload a CSV file, an Excel "
                "workbook (.xlsx) or a LibreOffice spreadsheet (.ods)."
            ),
            code="file_type",
            params={"suffix": suffix or _("unnamed")},
        )
    if start.startswith(WORKBOOK_STARTS):
        return
    if _MARKUP.match(start):
        raise forms.ValidationError(
            _(
                "This file is a web page or XML under a spreadsheet's name, as some systems "
                "export. Open it in Excel and save it as “Excel Workbook (.xlsx)”."
            ),
            code="markup",
        )
    if start.startswith(BINARY_STARTS) or (
        b"\x00" in start and not start.startswith((b"\xff\xfe", b"\xfe\xff"))
    ):
        code = "not_workbook" if suffix in WORKBOOK_SUFFIXES else "not_csv"
        raise forms.ValidationError(
            _(
                "This file is neither a spreadsheet nor a CSV file. In Excel, save it as "
                "“Excel Workbook (.xlsx)” or “CSV UTF-8 (Comma delimited)”."
            ),
            code=code,
        )


class ExportForm(forms.Form):
    """The optional filters of an export: an area code within the user's scope, the
    volunteers' status, and for households the list's group, priority and "not served"."""

    area = forms.CharField(label=_("Area"), required=False, max_length=8)
    group = forms.ChoiceField(
        required=False, choices=[("", ""), *((g, g) for g in vulnerability.WEIGHTS)]
    )
    level = forms.ChoiceField(
        required=False, choices=[("", ""), *((v, v) for v in ("high", "medium", "low"))]
    )
    unserved = forms.BooleanField(required=False)
    status = forms.ChoiceField(
        label=_("Volunteers' status"),
        required=False,
        choices=[
            ("", _("Every status")),
            (NETWORK, _("In the network (active and inactive)")),
            *((v, capfirst(label)) for v, label in VolunteerStatus.choices),
        ],
    )

    def __init__(self, *args: Any, dataset: str = "volunteers", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if dataset != "volunteers":
            del self.fields["status"]  # the page's one form sends it with every export
        else:
            for name in ("group", "level", "unserved"):
                del self.fields[name]

    def subset(self) -> dict[str, Any]:
        """The households' filters, for exporting.HouseholdSubset."""
        return {n: self.cleaned_data[n] for n in ("group", "level", "unserved") if n in self.fields}

    def clean_area(self) -> str:
        code: str = self.cleaned_data["area"].strip()
        if code and not code.isdigit():
            raise forms.ValidationError(_("Choose an area from the list."), code="area")
        return code
