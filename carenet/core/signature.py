"""A signature drawn with a finger on a phone: consent forms, receipts of assistance, ...

    class ConsentForm(forms.Form):
        signature = SignatureField()                   # required; required=False for optional

    form.cleaned_data["signature"]  # ContentFile "signature.png", or None when optional and empty

The widget draws a canvas (signature_pad, from node_modules as "vendor/signature_pad") and
static/js/signature.js writes the drawing into a hidden input as a PNG data URL. The page must
include the form's media, e.g. `{% block head %}{{ form.media }}{% endblock %}`.

The field trusts nothing it receives: a data URL that is not a base64 PNG, that is over
`max_bytes` (300 KB) or over `max_side` pixels wide or high, that will not decode, or that is
blank (nothing drawn) is refused with a message for the person signing, never a server error.
What it returns is re-drawn by Pillow from the pixels alone, so no chunk or metadata of the
upload survives.
"""

import base64
import binascii
import io
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image

DATA_URL_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 300 * 1024
# A phone's canvas is at most about 1300 x 700 device pixels; this leaves room for a tablet
# while refusing a small file that would unpack into a huge image.
MAX_SIDE = 4000


class SignatureWidget(forms.Widget):
    """A canvas to sign on, a clear button, and the hidden input that carries the drawing."""

    template_name = "core/widgets/signature.html"

    class Media:
        js = (
            forms.Script("vendor/signature_pad/signature_pad.umd.min.js", defer=True),
            forms.Script("js/signature.js", defer=True),
        )

    def use_required_attribute(self, initial: Any) -> bool:
        return False  # a hidden input cannot be required; the field says so on submit

    def id_for_label(self, id_: str) -> str:
        return ""  # the label names the canvas (aria-label); a hidden input takes no label

    def format_value(self, value: Any) -> str | None:
        # Only a data URL that came back with the form is drawn again; a stored file is not.
        if isinstance(value, str) and value.startswith(DATA_URL_PREFIX):
            return value
        return None


class SignatureField(forms.Field):
    widget = SignatureWidget
    default_error_messages = {
        "required": _("Please sign in the box."),
        "blank": _("Please sign in the box."),
        "not_png": _("The signature must be a PNG image."),
        "too_large": _("The signature is too large. Please clear it and sign again."),
        "unreadable": _("The signature could not be read. Please clear it and sign again."),
    }

    def __init__(
        self, *, max_bytes: int = MAX_BYTES, max_side: int = MAX_SIDE, **kwargs: Any
    ) -> None:
        self.max_bytes = max_bytes
        self.max_side = max_side
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> "ContentFile[bytes] | None":
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            raise ValidationError(self.error_messages["not_png"], code="not_png")
        if not value.lower().startswith(DATA_URL_PREFIX):
            raise ValidationError(self.error_messages["not_png"], code="not_png")
        encoded = value[len(DATA_URL_PREFIX) :]
        # Refuse an oversize upload before decoding it: base64 is 4 characters per 3 bytes.
        if len(encoded) > (self.max_bytes + 2) // 3 * 4:
            raise ValidationError(self.error_messages["too_large"], code="too_large")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(self.error_messages["unreadable"], code="unreadable") from None
        if len(raw) > self.max_bytes:
            raise ValidationError(self.error_messages["too_large"], code="too_large")
        if not raw.startswith(PNG_MAGIC):
            raise ValidationError(self.error_messages["not_png"], code="not_png")
        return ContentFile(self._redraw(raw), name="signature.png")

    def _redraw(self, raw: bytes) -> bytes:
        """The PNG re-encoded from its pixels alone; refuses a blank, huge or broken image."""
        try:
            # verify() checks every chunk's checksum and that the file is whole: WeasyPrint sets
            # Pillow's LOAD_TRUNCATED_IMAGES for the whole process, so load() alone would
            # quietly accept a cut-off upload in any process that has drawn a PDF.
            with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
                image.verify()
            with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
                width, height = image.size
                if width > self.max_side or height > self.max_side:
                    raise ValidationError(self.error_messages["too_large"], code="too_large")
                pixels = image.convert("RGBA")
        except ValidationError:
            raise
        except Exception:
            # Pillow reports a broken file with many kinds of exception (OSError, SyntaxError,
            # ValueError, struct.error, DecompressionBombError, ...): all mean the same here.
            raise ValidationError(self.error_messages["unreadable"], code="unreadable") from None
        if pixels.getchannel("A").getbbox() is None or pixels.getcolors(maxcolors=1) is not None:
            # Nothing drawn: all transparent, or (from another client) one flat colour.
            raise ValidationError(self.error_messages["blank"], code="blank")
        clean = Image.frombytes("RGBA", pixels.size, pixels.tobytes())
        out = io.BytesIO()
        clean.save(out, format="PNG", optimize=True)
        return out.getvalue()
