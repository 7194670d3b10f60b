"""Visit photos: checked, turned upright, shrunk and stripped before anything is stored.

A phone camera makes photos of 3 to 12 MB with the GPS position, the phone's make and the
time in their EXIF data. Carenet keeps a JPEG of at most MAX_SIDE pixels on its longer side
at quality JPEG_QUALITY (about 200-400 KB), with no EXIF at all: the orientation the camera
recorded is applied to the pixels first, so the photo still stands the right way up.

Everything a user can send is answered with a reason in their language, never a 500: a file
that is not an image (a text file named .jpg), a damaged image, an image too large in bytes
(MAX_BYTES, settable with CARENET_PHOTO_MAX_BYTES) or in pixels (a decompression bomb).
The work happens before the visit's transaction opens, so a slow decode holds no lock.
"""

import math
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
JPEG_QUALITY = 80
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# 60 megapixels: more than any phone camera; beyond it the file is a bomb or a scan of a wall.
MAX_PIXELS = 60_000_000
# A JPEG is decoded straight at the size kept (draft); any other format is decoded whole
# first, 4 bytes a pixel: 16 megapixels (64 MB) is a screenshot's or a scan's size, and eight
# of 60 would hold gigabytes.
MAX_DECODED_PIXELS = 16_000_000
DRAFTED = {"JPEG", "MPO"}
MAX_PHOTOS = 8
# MPO is how Pillow names the multi-picture JPEGs some phones write.
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"}


def max_bytes() -> int:
    return int(getattr(settings, "CARENET_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def megabytes(size: int) -> str:
    return (
        f"{size / (1024 * 1024):.0f}" if size >= 10 * 1024 * 1024 else f"{size / (1024 * 1024):.1f}"
    )


@dataclass(frozen=True)
class PreparedPhoto:
    content: bytes
    width: int
    height: int


def photo_prepare(upload: Any, *, name: str = "") -> PreparedPhoto:
    """A shrunk, upright, EXIF-free JPEG of an uploaded image; ValidationError with a reason."""
    name = name or str(getattr(upload, "name", "") or _("the photo"))
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            _(
                "“%(name)s” is %(size)s MB; a photo may be at most %(limit)s MB. "
                "Take the photo again at a smaller size, or choose another."
            )
            % {"name": name, "size": megabytes(size), "limit": megabytes(limit)},
            code="photo_too_large",
        )
    if size == 0:
        raise ValidationError(
            _("“%(name)s” is empty. Choose the photo again.") % {"name": name},
            code="photo_empty",
        )
    try:
        return _shrink(upload)
    except _TooManyPixels as error:
        raise ValidationError(
            _(
                "“%(name)s” is %(width)s × %(height)s pixels, too large to be a photo. "
                "Choose a photo taken with the phone."
            )
            % {"name": name, "width": f"{error.width:,}", "height": f"{error.height:,}"}
            if error.width
            else _(
                "“%(name)s” is far too large to be a photo. Choose a photo taken with the phone."
            )
            % {"name": name},
            code="photo_pixels",
        ) from None
    except (UnidentifiedImageError, _NotAPhoto):
        raise ValidationError(
            _(
                "“%(name)s” is not a photo Carenet can read. Choose a JPEG, PNG or WebP "
                "image, such as a photo taken with the phone camera."
            )
            % {"name": name},
            code="photo_not_image",
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # Pillow reports a cut-off or corrupt file with any of these.
        raise ValidationError(
            _("“%(name)s” is damaged or was not sent completely. Choose the photo again.")
            % {"name": name},
            code="photo_damaged",
        ) from None


class _NotAPhoto(Exception):
    pass


class _TooManyPixels(Exception):
    def __init__(self, width: int, height: int) -> None:
        super().__init__(f"{width}x{height}")
        self.width, self.height = width, height


def _shrink(upload: IO[bytes]) -> PreparedPhoto:
    if hasattr(upload, "seek"):
        upload.seek(0)
    with warnings.catch_warnings():
        # Pillow warns about a possible bomb; MAX_PIXELS below refuses it with a reason.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            opened = Image.open(upload)
        except Image.DecompressionBombError:  # past twice Pillow's own limit: far too large
            raise _TooManyPixels(0, 0) from None
    with opened:
        if opened.format not in FORMATS:
            raise _NotAPhoto(opened.format)
        width, height = opened.size
        most = MAX_PIXELS if opened.format in DRAFTED else MAX_DECODED_PIXELS
        if width * height > most or not width or not height:
            raise _TooManyPixels(width, height)
        # A JPEG can be decoded straight at a fraction of its size: much faster, less memory.
        ratio = MAX_SIDE / max(width, height)
        if ratio < 1:
            opened.draft("RGB", (math.ceil(width * ratio), math.ceil(height * ratio)))
        image = ImageOps.exif_transpose(opened) or opened
        image = _flatten(image)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        out = BytesIO()
        # Saved without exif=...: nothing of the original's metadata is kept.
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        return PreparedPhoto(out.getvalue(), image.width, image.height)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG; a transparent background becomes white, not black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


PREVIEW_SIDE = 480  # a photo as a page shows it, beside others: a quarter of its bytes


def preview(stored: IO[bytes]) -> bytes:
    """A stored photo (already an upright JPEG of at most MAX_SIDE) made small for a page; the
    JPEG is decoded at a reduced scale, so this costs milliseconds."""
    with Image.open(stored) as image:
        image.draft("RGB", (PREVIEW_SIDE, PREVIEW_SIDE))
        small = image.convert("RGB")
        small.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        out = BytesIO()
        small.save(out, "JPEG", quality=75, optimize=True)
    return out.getvalue()
