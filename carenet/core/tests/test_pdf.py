"""PDFs: a Thai template comes out as a PDF whose text reads back exactly, in embedded Sarabun.

Reading the PDF back needs Debian's poppler-utils (pdftotext, pdffonts): without them these
tests are skipped on a developer's machine and fail in CI (CI=true), as e2e/conftest.py does
for chromium.
"""

import logging
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from carenet.core.pdf import decompose_sara_am, pdf_filename_header, render_pdf, stream_pdf_response

ELDERLY = "ผู้สูงอายุที่ต้องการความช่วยเหลือ"

LETTER = """{% extends "core/pdf/base.html" %}
{% block title %}หนังสือส่งต่อ{% endblock %}
{% block content %}<h1>หนังสือส่งต่อ</h1>
<p>{{ sentence }}</p>
<p>วันที่ {{ day|be_long }}</p>
<p>Referral letter, page 1</p>
{% endblock %}"""

CERTIFICATE = """{% extends "core/pdf/base.html" %}
{% block page_size %}A4 landscape{% endblock %}
{% block font_size %}28pt{% endblock %}
{% block content %}<p class="center">{{ sentence }}</p>{% endblock %}"""

# Stray network addresses must be refused, not fetched.
REMOTE = """{% extends "core/pdf/base.html" %}
{% block content %}<img src="https://example.com/logo.png"><p>ทดสอบ</p>{% endblock %}"""


def templates(**sources: str) -> list[dict]:
    """The project's template settings with these test templates in front of the apps' own."""
    base: dict[str, Any] = settings.TEMPLATES[0]
    return [
        {
            **base,
            "APP_DIRS": False,
            "OPTIONS": {
                **base["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", sources),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = (
            f"The PDF tests need {tool} (apt-get install poppler-utils, make system-packages)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def words(path: Path) -> list[tuple[float, float, float, float, str]]:
    """(x_min, y_min, x_max, y_max, text) of every word, in points from the top left."""
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        run("pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"),
    )
    return [(float(a), float(b), float(c), float(d), text) for a, b, c, d, text in found]


def page_size(path: Path) -> tuple[float, float]:
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", run("pdfinfo", str(path)))
    assert match
    return float(match[1]), float(match[2])


def run(tool: str, *args: str) -> str:
    result = subprocess.run([poppler(tool), *args], capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout


@pytest.fixture
def render(tmp_path: Path):
    """render(template_source, **context) -> the path of the PDF written."""

    def render(source: str, **context: object) -> Path:
        with override_settings(TEMPLATES=templates(**{"test.html": source})):
            pdf = render_pdf("test.html", context)
        path = tmp_path / "test.pdf"
        path.write_bytes(pdf)
        return path

    return render


@pytest.fixture(autouse=True)
def thai():
    with translation.override("th"):
        yield


def test_thai_letter_reads_back_exactly(render, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        path = render(LETTER, sentence=ELDERLY, day=date(2025, 2, 26))

    assert path.read_bytes().startswith(b"%PDF-")
    assert not caplog.records, [record.getMessage() for record in caplog.records]
    # -raw keeps the order in which the text was drawn; pdftotext's default reading order
    # sorts a tone mark by where it is drawn and can put it before its vowel.
    text = run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-").splitlines()
    assert text[:4] == [
        "หนังสือส่งต่อ",
        ELDERLY,
        "วันที่ 26 กุมภาพันธ์ 2568",
        "Referral letter, page 1",
    ]
    assert page_size(path) == pytest.approx((595.28, 841.89), abs=0.01)  # A4
    x_min, y_min, _, y_max, first = words(path)[0]
    assert first == "หนังสือส่งต่อ"
    assert x_min == pytest.approx(2.5 / 2.54 * 72, abs=0.5)  # left margin 2.5 cm
    assert y_max - y_min == pytest.approx(16 * 1.3, abs=0.5)  # 16pt Sarabun


def test_sarabun_is_embedded(render):
    path = render(LETTER, sentence=ELDERLY, day=date(2025, 2, 26))

    fonts = run("pdffonts", str(path)).splitlines()[2:]
    names = [line.split()[0] for line in fonts]
    assert names, "no fonts in the PDF"
    assert all("+Sarabun-" in name for name in names), names
    assert {name.split("+", 1)[1] for name in names} >= {"Sarabun-Thai", "Sarabun-Thai-Bold"}
    # Every font embedded ("emb" yes) with its Unicode map ("uni" yes).
    assert all(line.split()[-5] == "yes" and line.split()[-3] == "yes" for line in fonts), fonts


def test_sara_am_does_not_garble_the_rest_of_the_text(render):
    """A document opening with น้ำ once had every later า read back as "้ำ" (see pdf.py)."""
    sentence = "น้ำท่วมตำบลท่าตะเภา ค่ำนี้ ภาษาไทย ที่ต้อง"
    path = render(LETTER, sentence=sentence, day=date(2025, 2, 26))

    text = run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-").splitlines()
    # Exact but for ำ itself, which reads back as NIKHAHIT + SARA AA; the rest is untouched.
    assert text[1] == decompose_sara_am(sentence)
    assert text[1].endswith(" ภาษาไทย ที่ต้อง")
    assert text[2] == "วันที่ 26 กุมภาพันธ์ 2568"


def test_child_sets_page_size_and_font_size(render):
    path = render(CERTIFICATE, sentence=ELDERLY)

    assert page_size(path) == pytest.approx((841.89, 595.28), abs=0.01)  # A4 landscape
    assert ELDERLY in run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-")
    # A line box of Sarabun is 1.3 em high: 28pt here, against 16pt in a letter.
    _, y_min, _, y_max, _ = words(path)[0]
    assert y_max - y_min == pytest.approx(28 * 1.3, abs=0.5)


def test_network_addresses_are_refused_not_fetched(render, caplog, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the PDF renderer opened a network connection")

    monkeypatch.setattr("socket.create_connection", no_network)
    monkeypatch.setattr("socket.socket.connect", no_network)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        path = render(REMOTE)

    assert path.read_bytes().startswith(b"%PDF-")
    assert any("example.com" in record.getMessage() for record in caplog.records)


def test_decompose_sara_am():
    assert decompose_sara_am("น้ำ") == "น\u0e4d\u0e49\u0e32"
    assert decompose_sara_am("ตำบล") == "ต\u0e4d\u0e32บล"
    assert decompose_sara_am(ELDERLY) == ELDERLY


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("referral-12.pdf", 'attachment; filename="referral-12.pdf"'),
        ("certificate", 'attachment; filename="certificate.pdf"'),
        (
            "หนังสือส่งต่อ 12.pdf",
            "attachment; filename=\"12.pdf\"; filename*=UTF-8''"
            "%E0%B8%AB%E0%B8%99%E0%B8%B1%E0%B8%87%E0%B8%AA%E0%B8%B7%E0%B8%AD"
            "%E0%B8%AA%E0%B9%88%E0%B8%87%E0%B8%95%E0%B9%88%E0%B8%AD%2012.pdf",
        ),
        ('a"b\r\n/c.pdf', "attachment; filename=\"a-b-c.pdf\"; filename*=UTF-8''a%20b%20c.pdf"),
        ("", 'attachment; filename="document.pdf"'),
    ],
)
def test_filename_header(filename, header):
    assert pdf_filename_header(filename) == header


def test_stream_pdf_response():
    response = stream_pdf_response(b"%PDF-1.7 test", "ใบประกาศนียบัตร.pdf", inline=True)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == "13"
    assert response.content == b"%PDF-1.7 test"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename=\"document.pdf\"; filename*=UTF-8''")
    assert unquote(disposition.split("''", 1)[1]) == "ใบประกาศนียบัตร.pdf"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
