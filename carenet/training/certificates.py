"""Certificates (เกียรติบัตร): the PDF, the public verification, and who may open one.

The PDF. `render_certificates` draws any number of certificates as pages of one WeasyPrint
document (training/certificate_pdf.html, A4 landscape, Sarabun through carenet.core.pdf): the
organising centre, the volunteer's name as printed on the Certificate row, what they completed,
the dates and the day of issue in Buddhist Era the way Thai certificates write them, the venue,
the signer, and at the foot the verification code, the verify address and a QR code of it. The
certificate is always in Thai, whatever the language of the page that asked for it. The border
is CSS and a small SVG drawn here; nothing is fetched.

Verification. Each certificate has a random ten-character code (models.new_certificate_code,
no 0/O/1/I/L). `verify_lookup` reads a code as typed (any case, with spaces or dashes) and
answers with one query whatever was typed, and the same "not found" for a code that does not
exist, one that is malformed and one that was revoked. The verify page shows only the printed
name and the event's title and dates.

The verify address printed on the certificate is absolute. It comes from the request when one
is at hand, else from the setting CARENET_SITE_URL, else from the first non-local host in
ALLOWED_HOSTS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level
from carenet.core.pdf import render_pdf
from carenet.core.thaidate import BE_OFFSET, MONTHS_TH_LONG
from carenet.training.models import Certificate, EventKind, TrainingEvent
from carenet.training.selectors import NOBODY

KIND_THAI = {
    EventKind.WORKSHOP: "ประชุมเชิงปฏิบัติการ",
    EventKind.COURSE: "อบรมหลักสูตร",
    EventKind.MEETING: "ประชุม",
}
CODE_CHARS = re.compile(r"[^0-9A-Z]")
CODE_LENGTH = 10
LONG_PREFIX = {Level.PROVINCE: "จังหวัด", Level.DISTRICT: "อำเภอ", Level.SUBDISTRICT: "ตำบล"}
BANGKOK = "10"


# --- wording -------------------------------------------------------------------------------


def thai_day(day: date, *, era: bool = False) -> str:
    """26 กุมภาพันธ์ 2568 (with era: 26 กุมภาพันธ์ พ.ศ. 2568), whatever the page's language."""
    year = f"พ.ศ. {day.year + BE_OFFSET}" if era else str(day.year + BE_OFFSET)
    return f"{day.day} {MONTHS_TH_LONG[day.month - 1]} {year}"


def thai_days(starts_on: date, ends_on: date) -> str:
    """เมื่อวันที่ 26 กุมภาพันธ์ 2568, or ระหว่างวันที่ 26 – 27 กุมภาพันธ์ 2568."""
    if starts_on == ends_on:
        return f"เมื่อวันที่ {thai_day(starts_on)}"
    end = thai_day(ends_on)
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        start = str(starts_on.day)
    elif starts_on.year == ends_on.year:
        start = f"{starts_on.day} {MONTHS_TH_LONG[starts_on.month - 1]}"
    else:
        start = thai_day(starts_on)
    return f"ระหว่างวันที่ {start} – {end}"


def completed_what(event: TrainingEvent) -> str:
    """ได้ผ่านการประชุมเชิงปฏิบัติการ <title>; a title that already says what kind of event it
    is (ประชุมเชิงปฏิบัติการพัฒนาศักยภาพ ...) is not preceded by the kind a second time."""
    kind = (
        KIND_THAI.get(EventKind(event.kind), "อบรม") if event.kind in EventKind.values else "อบรม"
    )
    title = event.title.strip()
    if title.startswith((kind, "อบรม", "ประชุม", "สัมมนา")):
        return f"ได้ผ่านการ{title}"
    return f"ได้ผ่านการ{kind} {title}"


def venue_text(event: TrainingEvent) -> str:
    """ณ โรงแรม... ตำบลท่าตะเภา อำเภอเมืองชุมพร จังหวัดชุมพร."""
    text = event.venue.strip()
    if event.venue_area_id:
        code = event.venue_area_id
        areas = Area.objects.filter(code__in=[code[:2], code[:4], code[:6]]).order_by("-code")
        parts = []
        for area in areas:
            if code.startswith(BANGKOK):
                prefix = {Level.DISTRICT: "เขต", Level.SUBDISTRICT: "แขวง"}.get(
                    Level(area.level), ""
                )
            else:
                prefix = LONG_PREFIX.get(Level(area.level), "")
            parts.append(f"{prefix}{area.name_th}")
        text = " ".join([text, *parts]).strip()
    return f"ณ {text}" if text else ""


# --- the verify address ----------------------------------------------------------------------


def site_url() -> str:
    configured = str(getattr(settings, "CARENET_SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    local = {"localhost", "127.0.0.1", "testserver", "*", ""}
    for host in settings.ALLOWED_HOSTS:
        if host.lstrip(".") not in local:
            return f"https://{host.lstrip('.')}"
    return "http://localhost:8000"


def verify_url(code: str, *, base: str | None = None) -> str:
    return f"{(base or site_url()).rstrip('/')}{reverse('training:verify', args=[code])}"


def qr_data_uri(text: str) -> str:
    import segno

    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=0, dark="#0f3d47"))


# --- the PDF ---------------------------------------------------------------------------------


@dataclass
class Page:
    certificate: Certificate
    organiser: str
    name: str
    completed: str
    days: str
    venue: str
    issued: str
    signer_name: str
    signer_position: str
    code: str
    url: str
    qr: str


def _spaced(code: str) -> str:
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


def pages_for(certificates: Sequence[Certificate], *, base: str | None = None) -> list[Page]:
    """What each page prints. The certificates come with event and event.centre selected."""
    venues: dict[int, str] = {}
    pages = []
    for certificate in certificates:
        event = certificate.event
        if event.pk not in venues:
            venues[event.pk] = venue_text(event)
        url = verify_url(certificate.code, base=base)
        pages.append(
            Page(
                certificate=certificate,
                organiser=event.centre.name,
                name=certificate.name_printed,
                completed=completed_what(event),
                days=thai_days(event.starts_on, event.ends_on),
                venue=venues[event.pk],
                issued=f"ให้ไว้ ณ วันที่ {thai_day(certificate.issued_on, era=True)}",
                signer_name=event.signer_name,
                signer_position=event.signer_position,
                code=_spaced(certificate.code),
                url=url,
                qr=qr_data_uri(url),
            )
        )
    return pages


def render_certificates(certificates: Sequence[Certificate], *, base: str | None = None) -> bytes:
    """One PDF with a page per certificate (in Thai)."""
    with translation.override("th"):
        return render_pdf(
            "training/certificate_pdf.html", {"pages": pages_for(certificates, base=base)}
        )


def render_certificate(certificate: Certificate, *, base: str | None = None) -> bytes:
    return render_certificates([certificate], base=base)


def file_name(certificate: Certificate) -> str:
    return f"เกียรติบัตร {certificate.name_printed} {certificate.code}.pdf"


# --- who may open one --------------------------------------------------------------------------


def certificate_get(*, user: Any, pk: Any) -> Certificate:
    """A certificate for its volunteer, or for whoever sees trainings over the event's or
    the volunteer's area (an auditor too); 404 for anyone else, and for a revoked one.

    A volunteer's grant shows no one else's certificate, not even a colleague's in the same
    subdistrict: they open their own only, as with training records."""
    mine = Q(volunteer__user_id=user.pk) if user.pk is not None else NOBODY
    scopes = [
        access.scope_q(user, field=field, perm=Perm.VIEW_TRAINING, own=NOBODY)
        for field in ("event__area", "area")
    ]
    # An empty Q is the whole country, and would vanish from an OR: it must win it instead.
    seen = Q() if not all(scopes) else mine | scopes[0] | scopes[1]
    try:
        return Certificate.objects.select_related("event__centre", "volunteer").get(
            seen, pk=pk, revoked=False
        )
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- public verification ---------------------------------------------------------------------


def normalize_code(raw: str) -> str:
    """ "abcde-23456", " ABCDE 23456 " → "ABCDE23456"; anything else comes out as it can."""
    return CODE_CHARS.sub("", str(raw).upper())[:32]


@dataclass(frozen=True)
class Verified:
    """All that the public may learn from a code."""

    name: str
    title: str
    starts_on: date
    ends_on: date


def verify_lookup(raw: str) -> Verified | None:
    """The certificate a typed code names, or None for unknown, malformed or revoked codes.
    One query in every case, so the answer's timing tells no more than its words."""
    code = normalize_code(raw)
    row = (
        Certificate.objects.filter(Q(code=code) & Q(revoked=False))
        .values_list("name_printed", "event__title", "event__starts_on", "event__ends_on")
        .first()
    )
    if row is None or len(code) != CODE_LENGTH:
        return None
    return Verified(*row)
