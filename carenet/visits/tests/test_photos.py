"""Visit photos: shrunk, upright, stripped of EXIF; anything else refused with a reason."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from carenet.visits import photos
from carenet.visits.forms import VisitForm


def jpeg(width: int, height: int, *, orientation: int | None = None, gps: bool = True) -> bytes:
    """A real photo-like JPEG with EXIF: the camera's make, the GPS, and an orientation."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    # The left half blue, so that a rotation can be seen in the pixels.
    image.paste((30, 30, 200), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (10.0, 29.0, 30.0), 3: "E", 4: (99.0, 10.0, 0.0)}
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def opened(content: bytes) -> Image.Image:
    return Image.open(BytesIO(content))


def test_a_large_photo_is_shrunk_to_1600_and_stripped_of_exif():
    original = jpeg(4000, 3000)
    assert opened(original).getexif()  # the original carries EXIF
    prepared = photos.photo_prepare(upload(original))
    result = opened(prepared.content)
    assert result.format == "JPEG"
    assert result.size == (1600, 1200) == (prepared.width, prepared.height)
    assert not result.getexif()
    assert "exif" not in result.info
    assert len(prepared.content) < len(original)


def test_the_camera_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera was held upright; the stored pixels lie on their side.
    prepared = photos.photo_prepare(upload(jpeg(3200, 2400, orientation=6)))
    result = opened(prepared.content).convert("RGB")
    assert result.size == (1200, 1600)  # now portrait
    assert not result.getexif()
    # Rotated 90° clockwise: the blue left half is now on top.
    top = result.getpixel((600, 100))
    bottom = result.getpixel((600, 1500))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[2] > top[0] and bottom[0] > bottom[2]


def test_a_small_photo_keeps_its_size():
    prepared = photos.photo_prepare(upload(jpeg(800, 600)))
    assert (prepared.width, prepared.height) == (800, 600)


def test_a_png_with_transparency_becomes_a_jpeg_on_white():
    image = Image.new("RGBA", (100, 50), (0, 0, 0, 0))
    out = BytesIO()
    image.save(out, "PNG")
    prepared = photos.photo_prepare(upload(out.getvalue(), "shot.png", "image/png"))
    result = opened(prepared.content)
    assert result.format == "JPEG"
    assert result.convert("RGB").getpixel((10, 10)) == (255, 255, 255)


def test_a_text_file_named_jpg_is_refused_with_a_reason():
    with pytest.raises(ValidationError) as caught:
        photos.photo_prepare(upload(b"this is not a photo\n" * 20, "notes.jpg"))
    assert caught.value.code == "photo_not_image"
    assert "notes.jpg" in caught.value.messages[0]


def test_a_cut_off_photo_is_refused_with_a_reason():
    with pytest.raises(ValidationError) as caught:
        photos.photo_prepare(upload(jpeg(2000, 1500)[:3000], "cut.jpg"))
    assert caught.value.code in {"photo_damaged", "photo_not_image"}


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as caught:
        photos.photo_prepare(upload(b"", "empty.jpg"))
    assert caught.value.code == "photo_empty"


def test_a_50_mb_photo_is_refused_before_it_is_read(settings):
    class Huge:
        name = "big.jpg"
        size = 50 * 1024 * 1024

        def seek(self, *args):
            raise AssertionError("a file over the limit must not be read")

    with pytest.raises(ValidationError) as caught:
        photos.photo_prepare(Huge())
    assert caught.value.code == "photo_too_large"
    assert "50" in caught.value.messages[0] and "20" in caught.value.messages[0]


def test_the_limit_follows_the_setting(settings):
    settings.CARENET_PHOTO_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        photos.photo_prepare(upload(jpeg(800, 600)))
    assert caught.value.code == "photo_too_large"


@pytest.mark.parametrize(
    ("side", "said"),
    [
        (10_000, "10,000 × 10,000"),  # 100 megapixels
        (20_000, "far too large"),  # past Pillow's own limit: refused as it opens
        (4_500, "4,500 × 4,500"),  # 20 megapixels: a JPEG may, a PNG is decoded whole
    ],
)
def test_a_decompression_bomb_is_refused_as_too_large(side, said):
    image = Image.new("1", (side, side))
    out = BytesIO()
    image.save(out, "PNG", optimize=True)  # a small file
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        photos.photo_prepare(upload(out.getvalue(), "bomb.png", "image/png"))
    assert caught.value.code == "photo_pixels" and said in caught.value.messages[0]


def test_a_pdf_is_not_a_photo():
    image = Image.new("RGB", (10, 10))
    out = BytesIO()
    image.save(out, "PDF")
    with pytest.raises(ValidationError) as caught:
        photos.photo_prepare(upload(out.getvalue(), "scan.pdf", "application/pdf"))
    assert caught.value.code == "photo_not_image"


def test_the_field_gives_every_bad_photos_reason_and_limits_the_count():
    field = VisitForm.base_fields["photos"]
    with pytest.raises(ValidationError) as caught:
        field.clean([upload(jpeg(100, 100)), upload(b"x", "a.jpg"), upload(b"y", "b.jpg")])
    assert len(caught.value.messages) == 2
    with pytest.raises(ValidationError):
        field.clean([upload(jpeg(10, 10)) for _ in range(photos.MAX_PHOTOS + 1)])
    assert field.clean([]) == []
    assert len(field.clean([upload(jpeg(10, 10))])) == 1
