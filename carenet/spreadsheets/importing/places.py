"""Where rows are: subdistricts and villages by code or by name, and the actor's scope.

Areas are resolved in memory (`Areas`): the subdistrict by its code, or by its names read
with geothai.match and matched against Carenet's own Area table; then the village by หมู่ที่.
`Scope` asks accounts.access once per area.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geothai
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level
from carenet.areas.names import NearSpellings, did_you_mean, places_above, subdistricts_named
from carenet.core.people import thai_spelling
from carenet.spreadsheets.importing.common import Problem


@dataclass(frozen=True)
class _Place:
    code: str
    name: str  # geothai.normalize'd Thai name
    name_en: str
    district: str  # the code of the district above


class Areas:
    """Carenet's subdistricts and villages, held in memory for one import.

    A subdistrict is found by its code or by its names. Names are read by geothai.match
    (which knows ต./อ./จ., "เมือง" and English names) and, for areas geothai does not list,
    compared with Carenet's own names; only areas Carenet holds count. A name shared by
    subdistricts in several districts, with no district to tell them apart, is an error that
    names the candidates.
    """

    PLACES_SHOWN = 5

    def __init__(self) -> None:
        self.names: dict[str, tuple[str, str]] = {}  # code -> (Thai name, English name)
        self.subdistricts: dict[str, list[_Place]] = {}  # normalized name -> places
        self.villages: dict[str, dict[int, str]] = {}  # subdistrict code -> moo -> village code
        self.level: dict[str, str] = {}
        self.village_names: dict[str, str] = {}  # village code -> "หมู่ 1 บ้านท่าตะเภา"
        rows = Area.objects.values_list("code", "level", "name_th", "name_en", "parent_id", "moo")
        for code, level, name_th, name_en, parent, moo in rows.iterator(chunk_size=10_000):
            self.level[code] = level
            if level == Level.VILLAGE:
                if parent and moo:
                    self.villages.setdefault(parent, {})[moo] = code
                    self.village_names[code] = f"หมู่ {moo} {name_th}".strip()
                continue
            self.names[code] = (name_th, name_en)
            if level == Level.SUBDISTRICT:
                place = _Place(code, geothai.normalize(name_th), name_en, parent or "")
                for key in {place.name, geothai.normalize(name_en) if name_en else ""} - {""}:
                    self.subdistricts.setdefault(key, []).append(place)
        self._resolved: dict[tuple[str, str, str, str], str | Problem] = {}
        self._near = NearSpellings()

    def subdistrict(
        self,
        name: str,
        district: str,
        province: str,
        code: str,
        allowed: Callable[[str], bool] | None = None,
    ) -> str:
        """The subdistrict code a row names; raises Problem. A name several subdistricts
        have is the one of them `allowed` allows (the importer's scope), if only one."""
        key = (name, district, province, code)
        found = self._resolved.get(key)
        if found is None:
            try:
                found = self._subdistrict(name, district, province, code, allowed)
            except Problem as problem:
                found = problem
            self._resolved[key] = found
        if isinstance(found, Problem):
            # A fresh one each time: raising the remembered one again would lengthen its
            # traceback by every row that names the place, each row's frames kept with it
            # (a file of two million rows naming one wrong place took 20 GB).
            raise Problem(found.key, found.reason, found.value)
        return found

    def _subdistrict(
        self,
        name: str,
        district: str,
        province: str,
        code: str,
        allowed: Callable[[str], bool] | None,
    ) -> str:
        # "ตําบล" typed with ํ + า, as text copied from old systems and PDFs comes.
        name, district, province = map(thai_spelling, (name, district, province))
        code = re.sub(r"[\s\-]", "", code)
        if code:
            if not re.fullmatch(r"\d{6}", code):
                raise Problem(
                    "subdistrict_code", _("A subdistrict code has 6 digits, such as 860101.")
                )
            if self.level.get(code) != Level.SUBDISTRICT:
                raise Problem("subdistrict_code", self._not_loaded(code))
            if name and code not in self._named(name, district, province):
                raise Problem(
                    "subdistrict",
                    _(
                        "The subdistrict code %(code)s is %(official)s, not “%(name)s”. "
                        "Check which of the two is right."
                    )
                    % {"code": code, "official": self.names[code][0], "name": name},
                )
            return code
        if not name:
            raise Problem("subdistrict", _("Enter the subdistrict (ตำบล) or the subdistrict code."))
        matches = self._named(name, district, province)
        if not matches:
            if district or province:
                reason = _(
                    "No subdistrict with this name was found in the district or province "
                    "given. Check the spelling of each, or use the subdistrict code."
                )
            else:
                reason = _(
                    "No subdistrict with this name was found. Check the spelling, or use "
                    "the subdistrict code."
                )
            near = self._spelt_alike(name, allowed)
            if near:
                reason += " " + did_you_mean(self.describe(code) for code in near)
            raise Problem("subdistrict", reason)
        inside = [c for c in matches if allowed(c)] if allowed and len(matches) > 1 else []
        if len(inside) == 1:
            return inside[0]
        if 1 < len(inside) < len(matches):
            # Only those where the user may import: the others cannot be meant.
            raise Problem(
                "subdistrict",
                _(
                    "%(count)d subdistricts in your areas have this name (%(places)s). Fill in "
                    "the district, or use the subdistrict code."
                )
                % {"count": len(inside), "places": self._listed(inside)},
            )
        if len(matches) > 1:
            raise Problem(
                "subdistrict",
                _(
                    "%(count)d subdistricts have this name (%(places)s). Fill in the district "
                    "and the province, or use the subdistrict code."
                )
                % {"count": len(matches), "places": self._listed(matches)},
            )
        return matches[0]

    def _listed(self, codes: list[str]) -> str:
        places = "; ".join(self.describe(code) for code in codes[: self.PLACES_SHOWN])
        return places + ("; …" if len(codes) > self.PLACES_SHOWN else "")

    def _spelt_alike(self, name: str, allowed: Callable[[str], bool] | None) -> list[str]:
        """Up to three subdistricts, within `allowed`, whose name is spelt nearly the same
        (ท่าตะเพา for ท่าตะเภา): a clerk's typo, offered as the likely meaning."""
        names = (n for n, places in self.subdistricts.items()
                 if any(allowed is None or allowed(p.code) for p in places))  # fmt: skip
        codes = [
            place.code
            for near in self._near(name, names)
            for place in self.subdistricts[near]
            if allowed is None or allowed(place.code)
        ]
        return sorted(set(codes))[:3]

    def _named(self, name: str, district: str, province: str) -> list[str]:
        """The codes of the subdistricts Carenet holds that fit the names, sorted."""
        found = {
            address.subdistrict.code
            for address in subdistricts_named(name, district, province)
            if self.level.get(address.subdistrict.code) == Level.SUBDISTRICT
        }
        district_key = geothai.normalize(district) if district else ""
        province_key = geothai.normalize(province) if province else ""
        for place in self.subdistricts.get(geothai.normalize(name), ()):
            if district_key and district_key not in self._keys(place.district):
                continue
            if province_key and province_key not in self._keys(place.code[:2]):
                continue
            found.add(place.code)
        return sorted(found)

    def _keys(self, code: str) -> set[str]:
        name_th, name_en = self.names.get(code, ("", ""))
        return {geothai.normalize(name_th), geothai.normalize(name_en)} - {""}

    def describe(self, code: str) -> str:
        """ "860101 ต.ท่าตะเภา อ.เมืองชุมพร จ.ชุมพร" (a subdistrict's code is what a file may
        give), or "หมู่ 1 บ้านท่าตะเภา ต.ท่าตะเภา ..." for a village, to tell places apart."""
        above = places_above(code, lambda above: self.names.get(above, ("", ""))[0])
        return f"{self.village_names.get(code, code)} {above}".strip()

    def village(self, subdistrict: str, moo: int | None) -> str:
        """The area of an address: the village when villages are loaded, else the subdistrict."""
        villages = self.villages.get(subdistrict)
        if moo is None or not villages:
            return subdistrict
        code = villages.get(moo)
        if code is None:
            raise Problem(
                "moo",
                _(
                    "%(subdistrict)s has no village no. %(moo)d in Carenet (it has %(known)s). "
                    "Check the number."
                )
                % {
                    "subdistrict": self.describe(subdistrict),
                    "moo": moo,
                    "known": ", ".join(str(m) for m in sorted(villages)),
                },
            )
        return code

    @staticmethod
    def _not_loaded(code: str) -> str:
        return _(
            "There is no subdistrict with code %(code)s in Carenet. Check the code (six digits: "
            "province, district, subdistrict), or write the subdistrict's name instead. If the "
            "code is right, ask the Carenet administrator to load the areas."
        ) % {"code": code}


class Scope:
    """Whether the actor may import data at an area; the system (actor None) may anywhere."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self._allowed: dict[str, bool] = {}

    def allows(self, code: str) -> bool:
        if self.actor is None:
            return True
        allowed = self._allowed.get(code)
        if allowed is None:
            allowed = self._allowed[code] = access.can(self.actor, Perm.IMPORT_DATA, code)
        return allowed


def outside_scope_reason(areas: Areas, code: str) -> str:
    return _(
        "%(area)s is outside the areas where you may import data. Remove the row, or ask "
        "the coordinator of that area to import it."
    ) % {"area": areas.describe(code)}
