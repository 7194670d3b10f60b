"""Thailand's administrative areas, from province down to village.

DOPA codes nest: a province has 2 digits (86 ชุมพร), a district 4 (8601 เมืองชุมพร), a subdistrict
6 (860101 ท่าตะเภา), and a village 8 (the subdistrict code and its 2-digit หมู่ที่). So "everything
inside area X" is "every code that starts with X's code". Carenet asks that question as a range,
code >= "8601" AND code < "8602", because a range is served by the primary-key b-tree on both
SQLite and PostgreSQL, whatever the collation, where LIKE '8601%' would not be on PostgreSQL.
Every record with personal data carries its area code for the same reason: scoping is one range
on one indexed column, never a join chain.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from carenet.core.models import BilingualName


class Level(models.TextChoices):
    PROVINCE = "province", _("province")
    DISTRICT = "district", _("district")
    SUBDISTRICT = "subdistrict", _("subdistrict")
    VILLAGE = "village", _("village")


CODE_LENGTH = {Level.PROVINCE: 2, Level.DISTRICT: 4, Level.SUBDISTRICT: 6, Level.VILLAGE: 8}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
THAI_PREFIX = {
    Level.PROVINCE: "จ.",
    Level.DISTRICT: "อ.",
    Level.SUBDISTRICT: "ต.",
    Level.VILLAGE: "หมู่ ",
}

BANGKOK = "10"


def code_upper_bound(code: str) -> str | None:
    """The first code after every code that starts with `code` ("8609" -> "8610")."""
    following = int(code) + 1
    return None if len(str(following)) > len(code) else str(following).zfill(len(code))


def within(code: str, field: str = "code") -> Q:
    """Q for rows whose `field` (an area code, or a foreign key to Area) lies inside `code`."""
    if not code:
        return Q()
    if not (code.isascii() and code.isdigit() and len(code) <= 8):
        return Q(pk__in=[])  # no area lies inside what is not an area code ("abc", "ชุมพร")
    upper = code_upper_bound(code)
    q = Q(**{f"{field}__gte": code})
    return q & Q(**{f"{field}__lt": upper}) if upper else q


class Area(BilingualName, models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    name_th = models.CharField(_("Thai name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("inside"),
    )
    # The village number (หมู่ที่), for villages only.
    moo = models.PositiveSmallIntegerField(_("village no."), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level="province", code__regex=r"^[0-9]{2}$")
                    | Q(level="district", code__regex=r"^[0-9]{4}$")
                    | Q(level="subdistrict", code__regex=r"^[0-9]{6}$")
                    | Q(level="village", code__regex=r"^[0-9]{8}$")
                ),
                name="area_code_fits_level",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """ "ต.ท่าตะเภา", "หมู่ 3 บ้านนา" - the name the way Thai forms write it."""
        if self.level == Level.VILLAGE:
            number = "Moo" if (get_language() or "th").startswith("en") else "หมู่"
            return f"{number} {self.moo} {self.name_th}".strip()
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        prefix = self.thai_prefix
        if self.name_th.startswith(prefix):  # geothai names Bangkok's districts "เขตพระนคร"
            return self.name_th
        return f"{prefix}{self.name_th}"

    @property
    def thai_prefix(self) -> str:
        # Bangkok is not a province in name, and has เขต and แขวง for อำเภอ and ตำบล.
        if self.code.startswith(BANGKOK):
            return {Level.DISTRICT: "เขต", Level.SUBDISTRICT: "แขวง"}.get(Level(self.level), "")
        return THAI_PREFIX[Level(self.level)]

    def ancestor_codes(self) -> list[str]:
        """Codes of the areas above this one, province first."""
        return [self.code[:n] for n in (2, 4, 6) if n < len(self.code)]
