"""Subdistrict names as files type them: when no subdistrict has a name, the ones spelt nearly
the same (ท่าตะเพา for ท่าตะเภา, หาดส้มแป้ม for หาดส้มแป้น) are offered as its likely meaning.
The imports of villages, households and volunteers all say it the same way."""

import difflib
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import geothai
from django.utils.translation import gettext as _

SUGGESTIONS = 50  # unknown names one import looks up near spellings for

# The level a name may be typed with: ต.ท่าตะเภา, ตำบล ท่าตะเภา, แขวงวังบูรพาภิรมย์, อ.เมือง ...
_LEVEL = re.compile(r"^\s*(?:ต\.|ตำบล|แขวง|อ\.|อำเภอ|กิ่งอำเภอ|เขต|จ\.|จังหวัด)\s*")


def without_level(text: str) -> str:
    """ "จ.ป.ร." for "ต.จ.ป.ร.": the name without the level typed before it. geothai strips
    the level itself, except from a name that is made of initials, as จ.ป.ร. (Kra Buri)
    is: there it also strips the "จ." of the name."""
    return _LEVEL.sub("", text, count=1).strip()


@lru_cache(maxsize=16384)
def subdistricts_named(name: str, district: str = "", province: str = "") -> tuple[Any, ...]:
    """geothai's addresses of the subdistricts called `name` (inside the district and province
    named, when given), asked once per name: a province's file repeats each one on every row."""
    found = geothai.match(name, district=district or None, province=province or None)
    bare = without_level(name)
    if not found and bare and bare != name.strip():
        found = geothai.match(bare, district=district or None, province=province or None)
    return tuple(found)


class NearSpellings:
    """The look-ups of one import, at most SUGGESTIONS: a file of thousands of unknown names
    stays quick."""

    def __init__(self) -> None:
        self.left = SUGGESTIONS

    def __call__(self, name: str, names: Iterable[str]) -> list[str]:
        """Up to three of `names` (geothai.normalize'd) spelt nearly as `name`."""
        key = geothai.normalize(name)
        if len(key) < 3 or self.left <= 0:
            return []
        self.left -= 1
        return difflib.get_close_matches(key, list(names), n=3, cutoff=0.75)


def did_you_mean(places: Iterable[str]) -> str:
    """The sentence an "unknown subdistrict" reason ends with, naming the near spellings."""
    return _("Did you mean %(places)s?") % {"places": "; ".join(places)}


def places_above(code: str, name_of: Callable[[str], str]) -> str:
    """ "ต.ท่าตะเภา อ.เมืองชุมพร จ.ชุมพร": the subdistrict, district and province `code` lies
    in, by the Thai names `name_of` gives ("" for one it does not know)."""
    parts = []
    for prefix, length in (("ต.", 6), ("อ.", 4), ("จ.", 2)):
        name = name_of(code[:length]) if len(code) >= length else ""
        if name:
            parts.append(f"{prefix}{name}")
    return " ".join(parts)
