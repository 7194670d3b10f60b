"""The finger-drawn signature: what the field accepts, what it refuses (never with a 500), and
the widget's markup."""

import base64
import io
import random

import pytest
from django import forms
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image, ImageFile, PngImagePlugin

from carenet.core.signature import MAX_BYTES, SignatureField, SignatureWidget


class ConsentForm(forms.Form):
    signature = SignatureField()


class OptionalForm(forms.Form):
    signature = SignatureField(required=False)


def png(size=(360, 200), *, stroke=True, mode="RGBA", info=None) -> bytes:
    image = Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else "white")
    if stroke:
        for x in range(40, 300):
            image.putpixel((x, 120 + (x % 7)), (11, 31, 75, 255) if mode == "RGBA" else (0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def data_url(raw: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def errors(form_class, value) -> list[str]:
    form = form_class(data={} if value is None else {"signature": value})
    assert not form.is_valid()
    return [error.code for error in form.errors.as_data()["signature"]]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_drawn_signature_is_accepted_and_redrawn():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    form = ConsentForm(data={"signature": data_url(png(info=info))})

    assert form.is_valid(), form.errors
    signature = form.cleaned_data["signature"]
    assert isinstance(signature, ContentFile)
    assert signature.name == "signature.png"
    content = signature.read()
    assert b"<script>" not in content and b"tEXt" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "PNG" and image.size == (360, 200) and image.mode == "RGBA"
        assert image.getpixel((100, 120 + 100 % 7)) == (11, 31, 75, 255)


def test_an_opaque_drawing_is_accepted():
    form = ConsentForm(data={"signature": data_url(png(mode="RGB"))})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_signature_is_required(value):
    assert errors(ConsentForm, value) == ["required"]
    form = ConsentForm(data={"signature": value} if value is not None else {})
    form.is_valid()
    assert form.errors["signature"] == ["Please sign in the box."]


def test_optional_signature_may_be_left_empty():
    form = OptionalForm(data={"signature": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["signature"] is None


@pytest.mark.parametrize("form_class", [ConsentForm, OptionalForm])
def test_a_blank_canvas_is_refused(form_class):
    assert errors(form_class, data_url(png(stroke=False))) == ["blank"]
    assert errors(form_class, data_url(png(stroke=False, mode="RGB"))) == ["blank"]


def corrupted(raw: bytes) -> bytes:
    """The PNG with bytes in the middle of its image data overwritten."""
    middle = raw.index(b"IDAT") + 40
    return raw[:middle] + b"\xff" * 16 + raw[middle + 16 :]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 50), "black").save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (data_url(jpeg(), "image/jpeg"), "not_png"),
        (data_url(jpeg()), "not_png"),  # says PNG, is not
        (data_url(b"GIF89a" + b"\0" * 40), "not_png"),
        ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "not_png"),
        ("https://example.com/signature.png", "not_png"),
        ("data:image/png,%89PNG", "not_png"),  # not base64
        ("data:image/png;base64,!!!not base64!!!", "unreadable"),
        ("data:image/png;base64,iVBORw0KGgo", "unreadable"),  # cut short
        (data_url(png()[:60]), "unreadable"),  # truncated PNG
        (data_url(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), "unreadable"),
        (data_url(corrupted(png())), "unreadable"),
    ],
)
@pytest.mark.parametrize("load_truncated_images", [False, True])
def test_what_is_not_a_png_signature_is_refused(value, code, load_truncated_images, monkeypatch):
    # WeasyPrint turns LOAD_TRUNCATED_IMAGES on for the whole process when it is imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated_images)
    assert errors(ConsentForm, value) == [code]


def test_an_oversize_signature_is_refused():
    noisy = Image.frombytes("RGBA", (400, 400), random.Random(1).randbytes(400 * 400 * 4))
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    assert len(out.getvalue()) > MAX_BYTES
    assert errors(ConsentForm, data_url(out.getvalue())) == ["too_large"]
    # Refused before decoding: far too long a string.
    assert errors(ConsentForm, "data:image/png;base64," + "A" * 1_000_000) == ["too_large"]


def test_a_small_file_unpacking_to_a_huge_image_is_refused():
    raw = png(size=(5000, 200))
    assert len(raw) < MAX_BYTES
    assert errors(ConsentForm, data_url(raw)) == ["too_large"]


def test_thai_messages():
    with translation.override("th"):
        form = ConsentForm(data={"signature": data_url(png(stroke=False))})
        assert not form.is_valid()
        assert form.errors["signature"]  # the Thai catalogue supplies the words


def test_widget_markup():
    html = ConsentForm().as_div()

    assert "data-signature" in html
    assert '<canvas class="signature-pad" role="img" aria-label="Signature box"></canvas>' in html
    assert '<button type="button" class="button" data-signature-clear>Clear</button>' in html
    assert '<input type="hidden" name="signature" id="id_signature">' in html
    assert "required" not in html.split("<input", 1)[1].split(">", 1)[0]
    media = str(ConsentForm().media)
    assert "vendor/signature_pad/signature_pad.umd.min.js" in media
    assert "js/signature.js" in media


def test_widget_keeps_a_drawing_sent_back_but_not_other_values():
    value = data_url(png())
    assert f'value="{value}"' in SignatureWidget().render("signature", value)
    assert "value=" not in SignatureWidget().render("signature", "javascript:alert(1)")
    assert "value=" not in SignatureWidget().render("signature", ContentFile(b"x", name="s.png"))


def test_invalid_form_redisplays_the_drawing():
    value = data_url(png())

    class Form(forms.Form):
        name = forms.CharField()
        signature = SignatureField()

    form = Form(data={"signature": value})
    assert not form.is_valid()
    assert f'value="{value}"' in str(form["signature"])
