"""Reads of areas: the province, district or subdistrict someone typed, by code or by name.

Names are read the way the imports read them (spreadsheets.importing.places): geothai puts a
name and what was typed in one form (case, spaces, dots, and จ./อ./ต. or the level written out
do not matter), and only the areas Carenet holds count. A level typed before the name (อ.ท่าแซะ)
keeps to that level, since a district and a subdistrict often share a name.
"""

import re
from collections.abc import Callable

import geothai
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from carenet.areas.models import LEVEL_BY_LENGTH, THAI_PREFIX, Area, Level
from carenet.areas.names import without_level
from carenet.core.people import thai_spelling
from carenet.core.text import THAI_DIGITS

# What may be typed before a name to say its level: the short forms with their dot (without
# it, "อ" is the first letter of อ่างทอง), the words, and Bangkok's เขต and แขวง.
LEVEL_WORDS = {
    Level.PROVINCE: (THAI_PREFIX[Level.PROVINCE], "จังหวัด"),
    Level.DISTRICT: (THAI_PREFIX[Level.DISTRICT], "อำเภอ", "กิ่งอำเภอ", "เขต"),
    Level.SUBDISTRICT: (THAI_PREFIX[Level.SUBDISTRICT], "ตำบล", "แขวง"),
}
PLACES_SHOWN = 8


def area_typed(typed: str, *, prefer: Callable[[str], bool] | None = None) -> Area:
    """The province, district or subdistrict `typed` names: its DOPA code, or its Thai or
    English name. A name several areas share is the one `prefer` allows (the user's own
    areas), if only one does; otherwise the ValidationError lists them with their codes."""
    text = thai_spelling(typed.translate(THAI_DIGITS)).strip()
    code = re.sub(r"[\s\-]", "", text)  # 85-01-04, as codes are sometimes written
    first = text.split()[0] if text.split() else ""
    if first.isascii() and first.isdigit() and not (code.isascii() and code.isdigit()):
        code = first  # a line of the choices below copied whole: "860102 ต.ปากน้ำ อ.เมือง…"
    if code.isascii() and code.isdigit():
        area = Area.objects.filter(code=code).exclude(level=Level.VILLAGE).first()
        if area is None:
            raise ValidationError(
                _("No province, district or subdistrict has the code %(code)s.") % {"code": code}
            )
        return area
    found = areas_named(text) or _named_within(text) or _capital_district(text)
    if not found:
        raise ValidationError(
            _(
                "No province, district or subdistrict in Carenet is named “%(name)s”. Check "
                "the spelling, or type the area's code."
            )
            % {"name": text}
        )
    preferred = [area for area in found if prefer(area.code)] if prefer else []
    if preferred and len(found) > 1:
        found = preferred
    if len(found) > 1:
        raise ValidationError(
            _("%(count)d areas have this name: %(places)s. Type the code of the one you mean.")
            % {"count": len(found), "places": described(found)}
        )
    return found[0]


def areas_named(text: str) -> list[Area]:
    """The provinces, districts and subdistricts Carenet holds that are called `text`, widest
    first."""
    key = geothai.normalize(text)
    if not key:
        return []
    level = _level_typed(text)
    codes = {
        result.area.code
        for result in geothai.search(text, limit=100_000)
        if (level is None or result.level == level)
        and key in (geothai.normalize(result.area.name_th), geothai.normalize(result.area.name_en))
    }
    if not codes:  # a name of initials, as ต.จ.ป.ร.: geothai takes its จ. for a province's
        typed, bare = text.strip(), without_level(text)
        # Compared without dots and spaces: "จ.ป.ร", "จ. ป. ร." (few names have dots).
        keys = {_initials(typed), _initials(bare)}
        dotted = Area.objects.filter(name_th__contains=".").exclude(level=Level.VILLAGE)
        codes = {
            area.code
            for area in dotted
            if _initials(area.name_th) in keys
            and (
                _initials(area.name_th) == _initials(typed)
                or level is None
                or LEVEL_BY_LENGTH[len(area.code)] == level
            )
        }
    areas = Area.objects.filter(code__in=codes).exclude(level=Level.VILLAGE)
    return sorted(areas, key=lambda area: (len(area.code), area.code))


def _initials(name: str) -> str:
    return re.sub(r"[.\s]", "", name)


def _named_within(text: str) -> list[Area]:
    """ "ต.ปากน้ำ อ.เมืองชุมพร", "บางหมาก ชุมพร": an area's name, then the names of areas it
    lies in, as the choices of a shared name are listed."""
    words = text.split()
    if len(words) < 2:
        return []
    head, *above = words
    wanted = {geothai.normalize(word) for word in above}
    found = []
    for area in areas_named(head):
        around = Area.objects.filter(code__in=area.ancestor_codes())
        if wanted <= {geothai.normalize(a.name_th) for a in around}:
            found.append(area)
    return found


def _capital_district(text: str) -> list[Area]:
    """ "อ.เมือง": the capital district, which every province names เมือง and its own name."""
    if geothai.normalize(text) != geothai.normalize("เมือง"):
        return []
    return list(Area.objects.filter(level=Level.DISTRICT, name_th__startswith="เมือง"))


def _level_typed(text: str) -> Level | None:
    start = text.lstrip()
    for level, words in LEVEL_WORDS.items():
        if start.startswith(words):
            return level
    return None


def described(areas: list[Area]) -> str:
    """ "8602 อ.ท่าแซะ จ.ชุมพร; 860201 ต.ท่าแซะ อ.ท่าแซะ จ.ชุมพร": each with the areas above
    it, to tell them apart."""
    shown = areas[:PLACES_SHOWN]
    above = {code for area in shown for code in area.ancestor_codes()}
    labels = {a.code: a.label for a in Area.objects.filter(code__in=above)}
    places = []
    for area in shown:
        around = [labels[code] for code in reversed(area.ancestor_codes()) if code in labels]
        places.append(" ".join([area.code, area.label, *around]))
    return "; ".join(places) + ("; …" if len(areas) > PLACES_SHOWN else "")


def area_examples(code: str) -> list[Area]:
    """The area of `code` and, down to a subdistrict, the first area inside each: examples a
    form's help can give from its reader's own area (85 จ.ระนอง, 8501 อ.เมืองระนอง, ...)."""
    chain: list[Area] = []
    area = Area.objects.filter(code=code).exclude(level=Level.VILLAGE).first()
    while area is not None:
        chain.append(area)
        if area.level == Level.SUBDISTRICT:
            break
        area = area.children.exclude(level=Level.VILLAGE).order_by("code").first()
    return chain
