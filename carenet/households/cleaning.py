"""What household and person data must look like: pure functions, no database access.

`household_clean_address`, `clean_gps`, `clean_phone`, `person_clean` and `consent_clean`
return cleaned values or raise a ValidationError whose keys are field names (house_no,
latitude, citizen_id, birth_date ...), so a form puts each reason beside its field and an
import reports it against its column. The services (services.py) and the registry import
(spreadsheets) both use them.
"""

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.areas.models import Area, Level
from carenet.core import citizen_id
from carenet.core.people import (
    PHONE_NUMBER,
    PHONE_RULE,
    SEX_OF_TITLE,
    Sex,
    age_on,
    clean_name,
    normalize_title,
)
from carenet.households import vulnerability
from carenet.households.models import (
    Condition,
    ConsentBasis,
    DisabilityType,
    DocumentType,
    Ownership,
    Relation,
)

# Ages at which a pregnancy is plausible enough to record; outside them it is a mistyped
# birth year or a flag ticked on the wrong member.
PREGNANCY_AGES = (10, 55)
# Roughly Thailand, with a margin for the islands: a point outside is a typo (or swapped).
LATITUDE_RANGE = (Decimal("5.5"), Decimal("20.5"))
LONGITUDE_RANGE = (Decimal("97.3"), Decimal("105.7"))
GPS_PLACES = Decimal("0.000001")

OLDEST_AGE = 130
_HOUSE_NO_SEPARATOR = re.compile(r"\s*([/-])\s*")
# "บ้านเลขที่ 12/3" copied from a paper form: the page already says บ้านเลขที่ before it.
_HOUSE_NO_WORD = re.compile(r"^(?:บ้าน)?เลขที่\.?\s*")
_HOUSE_WITH_MOO = re.compile(r"(.*\d.*?)\s*(?:หมู่(?:ที่)?|ม\.)\s*(\d{1,2})")
# PDPA s.20: a minor under 10 cannot give consent; a parent or guardian gives it.
OWN_CONSENT_FROM_AGE = 10

FLAGS = vulnerability.RECORDED_FLAGS
WELFARE = ("welfare_card", "elderly_allowance", "disability_allowance", "newborn_grant")
PERSON_FIELDS = [
    "document_type",
    "document_no",
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "relation",
    "phone",
    "disability_type",
    "disability_card_no",
    *FLAGS,
    *WELFARE,
]
ADDRESS_FIELDS = [
    "house_no",
    "moo",
    "soi",
    "road",
    "latitude",
    "longitude",
    "ownership",
    "condition",
]


@dataclass(frozen=True)
class PersonData:
    """What a form or an import row says about a person, before cleaning.

    `citizen_id` is as typed (dashes, spaces, Thai digits are fine). In `person_update`, None
    keeps the stored ID (forms never show it in full, so they cannot send it back).
    """

    first_name: str
    last_name: str = ""
    title: str = ""
    citizen_id: str | None = ""
    document_type: str = ""
    document_no: str = ""
    birth_date: date | None = None
    sex: str = ""
    relation: str = ""
    phone: str = ""
    disability: bool = False
    disability_type: str = ""
    disability_card_no: str = ""
    bedridden: bool = False
    lives_alone: bool = False
    chronic_illness: bool = False
    pregnant: bool = False
    single_parent: bool = False
    homeless: bool = False
    disadvantaged: bool = False
    disaster_affected: bool = False
    welfare_card: bool = False
    elderly_allowance: bool = False
    disability_allowance: bool = False
    newborn_grant: bool = False


@dataclass(frozen=True)
class ConsentData:
    basis: str
    purpose: str
    given_on: date
    given_by: str = ""  # a parent's, guardian's or representative's name and relation


class Errors:
    """Collects every reason at once, so a form or an import row shows them all together.

    Each reason keeps its code (citizen_id_checksum, phone, ...) for tests and the import.
    """

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.by_field.setdefault(field, []).append(ValidationError(message, code=code))

    def add_from(self, field: str, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.by_field.setdefault(name, []).extend(errors)
        else:
            self.by_field.setdefault(field, []).extend(error.error_list)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


# --- Cleaning: pure functions, shared with the import --------------------------------------


_DEGREES = re.compile(r"[+-]?\d{1,3}(?:\.\d+)?")  # decimal degrees, as a map app shows them
_PASTED_POINT = re.compile(r"(\S+?)\s*[,;\s]\s*(\S+)")
# Degrees, minutes and seconds, as paper forms and some phones give them: 10°29'30"N.
_NUMBER = r"\d+(?:\.\d+)?"
_DMS = re.compile(
    rf"""(?P<before>[NSEW])?\s*(?P<deg>{_NUMBER})\s*[°º]\s*
    (?:(?P<min>{_NUMBER})\s*['′’]\s*)?
    (?:(?P<sec>{_NUMBER})\s*(?:["″”]|'')\s*)?(?P<after>[NSEW])?""",
    re.VERBOSE | re.IGNORECASE,
)
_PASTED_DMS = re.compile(r"(.*?°.*?[NS])\s*[,;]?\s*(.*?°.*[EW])", re.IGNORECASE)
_HEMISPHERES = {"latitude": "NS", "longitude": "EW"}


def household_move_refused(area: str, new_area: str) -> str:
    """Why a household may not move from `area` to `new_area` ("" when it may): only within
    its subdistrict, so that its visits and cases stay with the coordinators of its area."""
    if new_area[:6] == area[:6]:
        return ""
    return _(
        "A household can only change village within its subdistrict. If it moved further, "
        "mark it as moved and register it at the new address."
    )


def house_no_and_moo(text: str) -> tuple[str, int | None]:
    """A house no. typed with its village no. ("12 ม.3", "12/3 หมู่ที่ ๔"): the house no. and
    the หมู่; the text and None when it holds no หมู่."""
    found = _HOUSE_WITH_MOO.fullmatch(text.strip().translate(citizen_id.THAI_DIGITS))
    if found is None:
        return text, None
    return found[1], int(found[2])


def moo_contradicted(said: int, moo: int) -> str:
    """Why a house no. written with one หมู่ and a village no. of another is refused."""
    return _("The house no. says หมู่ %(said)d, the village no. says %(moo)d.") % {
        "said": said,
        "moo": moo,
    }


def numbered_no_document() -> str:
    """Why "no document" with a document no. is refused: which document is the number of?"""
    return _(
        "“No document” was chosen, yet a document no. is given: choose the document it "
        "belongs to, or clear the number."
    )


# Document types that have no number: no document at all, and a Thai citizen ID not known yet.
NUMBERLESS = frozenset({DocumentType.NONE, DocumentType.ID_UNKNOWN})


def numbered_id_unknown() -> str:
    """Why "ID not known yet" with a document no. is refused: the number is the ID, or
    belongs to another document."""
    return _(
        "“ID not known yet” was chosen, yet a number is given: a citizen ID goes in Citizen ID "
        "(then clear Other document); another document's number needs that document chosen."
    )


def document_key(raw: str) -> str:
    """A document no. as stored and searched: in capitals, without the spaces, dashes and
    dots people type between its groups, so that the same number always matches itself."""
    return citizen_id.without_separators(clean_name(raw)).upper()


def clean_document_no(document_type: str, raw: str) -> str:
    """A pink card's 13 digits (ValidationError when they are not a valid card number), or
    any other document's `document_key`."""
    if document_type == DocumentType.PINK_CARD and raw.strip():
        return citizen_id.card_normalize(raw)
    return document_key(raw)


def card_in_citizen_id_field() -> str:
    """Why a 13-digit number starting with 0 is refused as a citizen ID, and where it goes."""
    return _(
        "A citizen ID cannot start with 0. A number starting with 0 is the card of a person "
        "without Thai nationality: choose Other document = pink card and enter it as the "
        "document no."
    )


def first_name_refused(first_name: str) -> str:
    """Why a first name is refused though given ("" when it is not): one without a letter
    ("12345") is a number typed in the wrong box."""
    # The first character settles nearly every name (an import asks a million times).
    if not first_name or first_name[0].isalpha() or any(c.isalpha() for c in first_name):
        return ""
    return _("A first name has letters: this looks like a number typed in the wrong box.")


def house_number(text: str) -> str:
    """A house no. as it is stored, searched and compared: 12/3, whether typed "๑๒/๓",
    "12 / 3" or "เลขที่ 12/3". Zeros stay: "12/03" is not assumed to be 12/3."""
    number = clean_name(text).translate(citizen_id.THAI_DIGITS)
    return _HOUSE_NO_SEPARATOR.sub(r"\1", _HOUSE_NO_WORD.sub("", number))


def house_no_as_stored(text: str, moo: int | None) -> tuple[str, int | None]:
    """The house no. and หมู่ that registering would store from what was typed (before the
    village is resolved), for comparing with the households already stored."""
    house, said_moo = house_no_and_moo(text)
    return house_number(house), said_moo if moo is None else moo


def split_pasted_point(latitude: str, longitude: str) -> tuple[str, str]:
    """A point copied from a map app ("10.4986, 99.1801") and pasted whole into the latitude,
    the longitude left empty, as the two; else both as typed, stripped."""
    latitude, longitude = latitude.strip(), longitude.strip()
    pasted = _PASTED_DMS.fullmatch(latitude) or _PASTED_POINT.fullmatch(latitude)
    if pasted and not longitude:
        return pasted[1].strip(), pasted[2].strip()
    return latitude, longitude


def clean_gps(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    """Both or neither; decimal degrees (or degrees, minutes and seconds, converted);
    roughly inside Thailand. A point copied from a map app ("10.4986, 99.1801") may be pasted
    whole into the latitude."""
    errors = Errors()
    values: dict[str, Decimal | None] = {}
    lat_text, lon_text = split_pasted_point(
        "" if latitude is None else str(latitude), "" if longitude is None else str(longitude)
    )
    texts = {"latitude": lat_text, "longitude": lon_text}
    for name, text in texts.items():
        if not text:
            values[name] = None
            continue
        text = text.translate(citizen_id.THAI_DIGITS)
        try:
            value = Decimal(text) if _DEGREES.fullmatch(text) else dms_degrees(text, name)
        except ValidationError as error:
            errors.add_from(name, error)
            continue
        if value is None:
            example = "10.493" if name == "latitude" else "99.180"
            errors.add(
                name,
                _("Write the coordinate as a decimal number, e.g. %(example)s.")
                % {"example": example},
                code="gps_number",
            )
            continue
        values[name] = value.quantize(GPS_PLACES)
    errors.raise_any()
    lat, lon = values["latitude"], values["longitude"]
    if (lat is None) != (lon is None):
        missing = "longitude" if lon is None else "latitude"
        errors.add(missing, _("Give both latitude and longitude, or neither."), code="gps_pair")
        errors.raise_any()
    if lat is None or lon is None:
        return None, None
    lat_ok = LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1]
    lon_ok = LONGITUDE_RANGE[0] <= lon <= LONGITUDE_RANGE[1]
    if not lat_ok and not lon_ok and LATITUDE_RANGE[0] <= lon <= LATITUDE_RANGE[1]:
        errors.add(
            "latitude",
            _("Latitude and longitude look swapped: latitude comes first."),
            code="gps_swapped",
        )
        errors.raise_any()
    if not lat_ok:
        errors.add(
            "latitude",
            _("This point is not in Thailand (latitude 5.5 to 20.5)."),
            code="gps_outside",
        )
    if not lon_ok:
        errors.add(
            "longitude",
            _("This point is not in Thailand (longitude 97.3 to 105.7)."),
            code="gps_outside",
        )
    errors.raise_any()
    return lat, lon


def dms_degrees(text: str, name: str) -> Decimal | None:
    """A coordinate written in degrees, minutes and seconds (10°29'N, 10°29'30"N), in
    decimal degrees; None when it is not written so; ValidationError when it makes no sense.
    `name` is latitude or longitude, which says the hemisphere letters it may carry."""
    found = _DMS.fullmatch(text.strip())
    if found is None:
        return None
    letters = [found[side].upper() for side in ("before", "after") if found[side]]
    hemispheres = _HEMISPHERES[name]
    if len(letters) > 1 or (letters and letters[0] not in hemispheres):
        raise ValidationError(
            _("A latitude ends with N or S, a longitude with E or W."), code="gps_hemisphere"
        )
    minutes, seconds = Decimal(found["min"] or 0), Decimal(found["sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        raise ValidationError(
            _("Minutes and seconds are below 60, e.g. 10°29'30\"N."), code="gps_minutes"
        )
    value = Decimal(found["deg"]) + minutes / 60 + seconds / 3600
    return -value if letters and letters[0] in "SW" else value


def clean_phone(raw: str) -> str:
    """A Thai phone number as digits (0812345678); +66 becomes 0. Empty stays empty."""
    digits = re.sub(r"[\s\-().]", "", raw.translate(citizen_id.THAI_DIGITS))
    if not digits:
        return ""
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    if not PHONE_NUMBER.fullmatch(digits):
        raise ValidationError(PHONE_RULE, code="phone")
    return digits


def household_clean_address(
    *,
    area: Area,
    house_no: str = "",
    moo: int | None = None,
    soi: str = "",
    road: str = "",
    latitude: Any = None,
    longitude: Any = None,
    ownership: str = "",
    condition: str = "",
) -> dict[str, Any]:
    """The cleaned address fields, with `area` resolved to the village when it is known.

    `area` is a village, or a subdistrict when the village is not in the area list; a
    subdistrict with a `moo` whose village is listed becomes that village.
    """
    errors = Errors()
    house_no, said_moo = house_no_and_moo(house_no)
    if said_moo is not None and moo is not None and moo != said_moo:
        errors.add("house_no", moo_contradicted(said_moo, moo), code="moo_mismatch")
    moo = said_moo if moo is None else moo
    if area.level == Level.VILLAGE:
        if moo not in (None, area.moo):
            errors.add(
                "moo", _("The village no. does not match the village chosen."), code="moo_mismatch"
            )
        moo = area.moo
    elif area.level == Level.SUBDISTRICT:
        if moo is not None:
            village = Area.objects.filter(parent=area, level=Level.VILLAGE, moo=moo).first()
            area = village or area
    else:
        errors.add(
            "area",
            _("Choose a village, or a subdistrict when the village is not listed."),
            code="area_level",
        )
    if moo is not None and not 1 <= moo <= 99:
        errors.add("moo", _("A village no. is between 1 and 99."), code="moo_range")
    house_no = house_number(house_no)
    if len(house_no) > 20:
        errors.add("house_no", _("A house no. has at most 20 characters."), code="too_long")
    elif house_no and not re.search(r"\d", house_no):
        errors.add("house_no", _("A house no. has digits, e.g. 12/3."), code="house_no")
    soi, road = clean_name(soi), clean_name(road)
    for name, value in (("soi", soi), ("road", road)):
        if len(value) > 100:
            errors.add(name, _("At most 100 characters."), code="too_long")
    if ownership and ownership not in Ownership.values:
        errors.add("ownership", _("Choose one of the listed kinds of housing."), code="choice")
    if condition and condition not in Condition.values:
        errors.add("condition", _("Choose one of the listed house conditions."), code="choice")
    try:
        lat, lon = clean_gps(latitude, longitude)
    except ValidationError as error:
        errors.add_from("latitude", error)
        lat = lon = None
    errors.raise_any()
    return {
        "area": area,
        "house_no": house_no,
        "moo": moo,
        "soi": soi,
        "road": road,
        "latitude": lat,
        "longitude": lon,
        "ownership": ownership,
        "condition": condition,
    }


def person_clean(
    data: PersonData, *, today: date | None = None, has_stored_id: bool = False
) -> PersonData:
    """A cleaned copy of `data`, or ValidationError with every reason keyed by field.

    The citizen ID comes back as its 13 digits (or "" / None as given). Without one, a
    document type is required (`none` says the person has no document at all, `id_unknown`
    that the person is a Thai citizen whose ID is not known yet), and a document no. unless
    the type is one of those. Once the ID is given, `id_unknown` is cleared: it is known now.
    `has_stored_id` says an update keeps an ID already stored.
    """
    today = today or timezone.localdate()
    errors = Errors()
    first_name, last_name = clean_name(data.first_name), clean_name(data.last_name)
    title = normalize_title(data.title)
    if not first_name:
        errors.add("first_name", _("Enter the first name."), code="required")
    elif refused := first_name_refused(first_name):
        errors.add("first_name", refused, code="first_name_letters")
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value) > 100:
            errors.add(name, _("At most 100 characters."), code="too_long")
    if len(title) > 40:
        errors.add("title", _("At most 40 characters."), code="too_long")

    digits = data.citizen_id
    if digits:
        try:
            digits = citizen_id.normalize(digits)
        except ValidationError as error:
            if error.code == "citizen_id_leading":
                errors.add("citizen_id", card_in_citizen_id_field(), code="citizen_id_leading")
            else:
                errors.add_from("citizen_id", error)
    document_type, document_no = data.document_type, document_key(data.document_no)
    try:
        document_no = clean_document_no(document_type, data.document_no)
    except ValidationError as error:
        errors.add_from("document_no", error)
    has_id = bool(digits) or (digits is None and has_stored_id)
    if document_type == DocumentType.ID_UNKNOWN and digits:
        document_type = ""
    if document_type and document_type not in DocumentType.values:
        errors.add("document_type", _("Choose one of the listed documents."), code="choice")
    if not has_id and not document_type:
        errors.add(
            "document_type",
            _("Without a citizen ID, choose the document the person holds, or “no document”."),
            code="document_required",
        )
    if document_type and document_type not in NUMBERLESS and not document_no:
        errors.add("document_no", _("Enter the document no."), code="document_no_required")
    elif bool(digits) and document_type and document_type != DocumentType.NONE:
        errors.add(
            "document_type",
            _(
                "The other document is for people without a Thai citizen ID: clear the "
                "citizen ID or the other document."
            ),
            code="document_with_citizen_id",
        )
    if document_type == DocumentType.NONE and document_no:
        errors.add("document_no", numbered_no_document(), code="document_no_without_document")
    if document_type == DocumentType.ID_UNKNOWN and document_no:
        errors.add("document_no", numbered_id_unknown(), code="document_no_without_document")
    if len(document_no) > 40:
        errors.add("document_no", _("At most 40 characters."), code="too_long")

    if data.birth_date is not None:
        if data.birth_date > today:
            errors.add(
                "birth_date", _("The birth date cannot be in the future."), code="date_future"
            )
        elif (age_on(data.birth_date, today) or 0) > OLDEST_AGE:
            errors.add(
                "birth_date",
                _("Check the year: this person would be over 130."),
                code="date_too_old",
            )

    sex = data.sex or SEX_OF_TITLE.get(title, Sex.UNSPECIFIED)
    if sex not in Sex.values:
        errors.add("sex", _("Choose male, female or not specified."), code="choice")
    expected = SEX_OF_TITLE.get(title)
    if expected is not None and sex not in (expected, Sex.UNSPECIFIED):
        errors.add(
            "sex",
            _("The sex does not match the title “%(title)s”.") % {"title": title},
            code="sex_title",
        )
    if data.relation and data.relation not in Relation.values:
        errors.add("relation", _("Choose one of the listed relations."), code="choice")
    phone = ""
    try:
        phone = clean_phone(data.phone)
    except ValidationError as error:
        errors.add_from("phone", error)

    disability = data.disability or bool(data.disability_type) or bool(data.disability_card_no)
    if data.disability_type and data.disability_type not in DisabilityType.values:
        errors.add(
            "disability_type", _("Choose one of the listed disability types."), code="choice"
        )
    if data.pregnant and sex == Sex.MALE:
        errors.add("pregnant", _("Only a woman can be recorded as pregnant."), code="pregnant_sex")
    elif data.pregnant and data.birth_date is not None and data.birth_date <= today:
        age = age_on(data.birth_date, today) or 0
        if not PREGNANCY_AGES[0] <= age <= PREGNANCY_AGES[1]:
            errors.add(
                "pregnant",
                _("Check the birth date or the pregnancy: this person is %(age)d.") % {"age": age},
                code="pregnant_age",
            )
    errors.raise_any()
    return replace(
        data,
        first_name=first_name,
        last_name=last_name,
        title=title,
        citizen_id=digits,
        document_type=document_type,
        document_no=document_no,
        sex=sex,
        phone=phone,
        disability=disability,
        disability_card_no=clean_name(data.disability_card_no),
    )


def consent_clean(
    data: ConsentData, *, birth_date: date | None = None, today: date | None = None
) -> ConsentData:
    today = today or timezone.localdate()
    if birth_date is not None and birth_date > today:
        birth_date = None  # refused beside the birth date: no second and third error from it
    errors = Errors()
    if data.basis not in ConsentBasis.values:
        errors.add("basis", _("Choose the consent or the lawful basis used."), code="choice")
    purpose = data.purpose.strip()
    if not purpose:
        errors.add("purpose", _("Say what the data will be used for."), code="required")
    if data.given_on is None:
        errors.add("given_on", _("Enter the date."), code="required")
    elif data.given_on > today:
        errors.add("given_on", _("The date cannot be in the future."), code="date_future")
    elif birth_date is not None and data.given_on < birth_date:
        errors.add(
            "given_on",
            _("The consent cannot come before the person was born. Check the date."),
            code="date_before_birth",
        )
    age = age_on(birth_date, today)
    if data.basis == ConsentBasis.CONSENT and age is not None and age < OWN_CONSENT_FROM_AGE:
        errors.add(
            "basis",
            _("A child under 10 cannot give consent: record the consent of a parent or guardian."),
            code="consent_guardian",
        )
    errors.raise_any()
    # Only a guardian's consent is given by someone else: the person's own, or a lawful
    # basis, names nobody (a form may keep what was typed before the basis changed).
    given_by = " ".join(data.given_by.split()) if data.basis == ConsentBasis.GUARDIAN else ""
    return replace(data, purpose=purpose, given_by=given_by)
