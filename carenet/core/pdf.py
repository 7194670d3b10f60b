"""PDF documents from Django templates, drawn by WeasyPrint: referral letters, certificates, ...

    pdf = render_pdf("cases/pdf/referral.html", {"case": case})
    return stream_pdf_response(pdf, "หนังสือส่งต่อ.pdf")

PDF templates extend "core/pdf/base.html" (A4, Thai official-letter margins, Sarabun 16pt; see
that template for its blocks). Nothing is fetched over the network: the fetcher below serves
STATIC_URL from the static files (node_modules' Sarabun included, without collectstatic),
MEDIA_URL from the default storage, `data:` URLs as they are, and refuses everything else, so a
stray http(s) address in a template becomes a logged warning, never a request.

WeasyPrint needs pango (Debian's libpango-1.0-0 and libpangoft2-1.0-0, `make system-packages`);
it is imported on first use so that the rest of Carenet runs without it.
"""

import io
import mimetypes
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

# Root-relative URLs ("/static/...") in a template resolve against this; any host would do, as
# the fetcher maps by path and never connects.
DEFAULT_BASE_URL = "file:///"


def _url_path_prefix(url: str) -> str:
    return urlsplit(url).path if url else ""


def _static_file(name: str) -> Path | None:
    """A static file by its name under STATIC_URL: from the finders (STATICFILES_DIRS, apps),
    else from STATIC_ROOT (collectstatic's copy, which holds the hashed names of production)."""
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found)
    try:
        path = Path(staticfiles_storage.path(name))
    except (NotImplementedError, ValueError):
        return None
    return path if path.is_file() else None


@lru_cache(maxsize=64)
def _sfnt_font(path: Path, modified: float) -> bytes:
    """A WOFF or WOFF2 font unpacked to plain TrueType, once per process: WeasyPrint would
    otherwise unpack it again on every render (WOFF2 takes a quarter of a second per face)."""
    from fontTools.ttLib import TTFont

    out = io.BytesIO()
    with TTFont(path) as font:
        font.flavor = None
        font.save(out)
    return out.getvalue()


def _file_body(path: Path) -> bytes:
    if path.suffix.lower() in (".woff", ".woff2"):
        return _sfnt_font(path, path.stat().st_mtime)
    return path.read_bytes()


def _allowed_roots() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT)]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(str(entry[1] if isinstance(entry, tuple | list) else entry)))
    return [root.resolve() for root in roots]


def _make_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalURLFetcher(URLFetcher):
        """Serves static and media files from disk and refuses the network."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme not in ("file", "http", "https"):
                raise ValueError(f"Carenet PDFs do not fetch {scheme}: URLs")
            path = unquote(parts.path)
            static_prefix = _url_path_prefix(settings.STATIC_URL or "")
            media_prefix = _url_path_prefix(settings.MEDIA_URL or "")
            if static_prefix and path.startswith(static_prefix):
                found = _static_file(path.removeprefix(static_prefix))
                if found is None:
                    raise FileNotFoundError(f"no static file for {url}")
                return self._response(url, _file_body(found), found.name)
            if media_prefix and path.startswith(media_prefix):
                name = path.removeprefix(media_prefix)
                with default_storage.open(name, "rb") as media:
                    return self._response(url, media.read(), name)
            if scheme == "file":
                file = Path(path).resolve()
                if any(file.is_relative_to(root) for root in _allowed_roots()) and file.is_file():
                    return self._response(url, _file_body(file), file.name)
                raise PermissionError(f"Carenet PDFs do not read {url}")
            raise ValueError(f"Carenet PDFs do not fetch from the network: {url}")

        @staticmethod
        def _response(url: str, body: bytes, name: str) -> URLFetcherResponse:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return LocalURLFetcher(allowed_protocols=("file", "http", "https", "data"))


# WeasyPrint maps each glyph to one text in the PDF's ToUnicode table, the first it was drawn
# for. HarfBuzz draws SARA AM (ำ) as NIKHAHIT + SARA AA, moved before any tone mark, and merges
# the whole cluster; so the SARA AA glyph (and a tone glyph) get mapped to the text of the cluster
# or to nothing, whichever comes first: a letter opening with "น้ำท่วม" had every า of the
# document copy out as "้ำ" (WeasyPrint issue 2841). Writing SARA AM already split and ordered
# as HarfBuzz would draw it gives the same glyphs, so the same picture, with one character per
# glyph: the text layer is then exact except that ำ reads back as ํ + า (น้ำ as "นํ้า").
_SARA_AM = re.compile("([\u0e31\u0e34-\u0e37\u0e47-\u0e4e]*)\u0e33")
_TAG = re.compile(r"(<[^>]*>)")


def decompose_sara_am(text: str) -> str:
    """ำ as NIKHAHIT, the above marks before it, then SARA AA: what the PDF's text reads."""
    return _SARA_AM.sub("\u0e4d\\1\u0e32", text)


def _prepare_html(html: str) -> str:
    parts = _TAG.split(html)
    return "".join(part if part.startswith("<") else decompose_sara_am(part) for part in parts)


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """The template rendered in the current language, as the bytes of a PDF.

    `base_url` resolves relative URLs and becomes the base of links in the PDF (pass
    request.build_absolute_uri("/") for links that point at the site); static and media URLs
    are read from disk whatever its host.
    """
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint makes Pillow accept cut-off images process-wide; uploads must still
    # be refused when damaged (photos, signatures, evidence), so put Pillow's default back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    html = _prepare_html(render_to_string(template_name, context))
    document = HTML(string=html, base_url=base_url or DEFAULT_BASE_URL, url_fetcher=_make_fetcher())
    pdf = document.write_pdf()
    assert pdf is not None  # write_pdf() returns the bytes when given no target
    return pdf


_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\"]+')


def pdf_filename_header(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value for any filename, Thai included (RFC 6266 with RFC 5987's
    filename*, plus a plain-ASCII filename for old clients)."""
    name = _UNSAFE_IN_FILENAME.sub(" ", unicodedata.normalize("NFC", filename)).strip(" .")
    if not name.lower().endswith(".pdf"):
        name = f"{name or 'document'}.pdf"
    stem = name[: -len(".pdf")]
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem.encode("ascii", "ignore").decode()).strip(
        "-."
    )
    ascii_name = f"{ascii_stem or 'document'}.pdf"
    disposition = "inline" if inline else "attachment"
    header = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def stream_pdf_response(pdf_bytes: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """The PDF as a download (or shown in the browser with inline=True), never cached: Carenet's
    documents carry personal data."""
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = pdf_filename_header(filename, inline=inline)
    response["Content-Length"] = str(len(pdf_bytes))
    patch_cache_control(response, private=True, no_store=True)
    return response
