"""Writes about volunteers, their status and accounts, and the coordination centres.

Every function here takes the acting user as `actor`, checks that the actor may manage
volunteers at the record's area (accounts.access decides), validates the whole request before
writing anything, and writes its audit row in the same transaction. A failed check raises
ValidationError, keyed by the form field it concerns, so a page can show the reason beside that
field; nothing has been written by then.

`actor=None` means the system itself (management commands, imports and the demo); it skips the
scope check but is still audited. Views always pass `request.user`, which is never None.

Citizen IDs are checked and normalized, stored encrypted and compared by keyed hash. They never
go into audit details: an audit row says that an ID was changed or read, not what it is.
"""

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access, disclosure
from carenet.accounts.access import Perm
from carenet.accounts.models import AreaAssignment, Role, User
from carenet.accounts.services import (
    assignment_grant,
    assignment_revoke,
    password_check,
    password_set,
    user_create,
)
from carenet.areas.models import BANGKOK, Area, Level
from carenet.core import citizen_id as cid
from carenet.core import thaidate
from carenet.core.models import AuditEvent
from carenet.core.people import (
    PHONE_NUMBER,
    PHONE_RULE,
    SEX_OF_TITLE,
    Sex,
    age_on,
    clean_name,
    name_key,
    normalize_title,
)
from carenet.core.services import audit_record, save_versioned
from carenet.core.text import THAI_DIGITS, visible
from carenet.volunteers.history import LEAVING, standing_changes
from carenet.volunteers.models import (
    SINGLE_SEATS,
    STATUS_MOVES,
    Centre,
    CommitteeMembership,
    OtherRole,
    Position,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)

OLDEST_AGE = 110  # older than any volunteer: a mistyped year
MINIMUM_AGE = 18  # the Ministry's rule for registering an อพม.
# Committee terms outside these bounds are mistyped years: the Ministry dates from 2545 BE.
FIRST_TERM = date(2002, 1, 1)
LONGEST_TERM_YEARS = 10
REGISTRATION_NO = re.compile(r"^(\d{1,6})\s*/\s*(\d{4}|\d{2})$")
YEAR_FIRST = re.compile(r"^(25\d\d)\s*/\s*(\d{1,6})$")
# "ชพ." or "ชพ " before the number: a province's letters, as some offices print them.
PROVINCE_LETTERS = re.compile(r"^[ก-ฮ]{1,4}\.?\s*(?=\d)")


@dataclass(frozen=True, kw_only=True)
class VolunteerData:
    """What a coordinator types about a volunteer, for registering and for editing."""

    citizen_id: str  # as typed; on edit, "" keeps the stored ID
    title: str
    first_name: str
    last_name: str
    area_code: str  # the subdistrict served
    village_codes: tuple[str, ...] = ()
    birth_date: date | None = None
    sex: str = ""  # "" takes it from the title when the title says it
    phone: str = ""
    line_id: str = ""
    house_no: str = ""
    address_moo: int | None = None
    address_area_code: str = ""
    registration_no: str = ""
    registration_date: date | None = None
    other_roles: tuple[str, ...] = field(default_factory=tuple)


# --- checks shared by the services ----------------------------------------------------------


def _require_manage(actor: Any, area_code: str) -> None:
    """The actor may manage volunteers at this area (the system, actor None, always may)."""
    if actor is not None and not access.can(actor, Perm.MANAGE_VOLUNTEERS, area_code):
        raise PermissionDenied(_("You cannot manage volunteers in this area."))


def _house_no(data: VolunteerData) -> str:
    return data.house_no.strip().translate(cid.THAI_DIGITS)  # searched and matched as 12/3


def _raise_if(errors: dict[str, list[str]]) -> None:
    if any(errors.values()):
        raise ValidationError({name: messages for name, messages in errors.items() if messages})


def normalize_phone(raw: str) -> str:
    """0812345678 from "081-234-5678", "081 234 5678", "+66 81 234 5678" or Thai digits."""
    digits = re.sub(r"\D", "", raw.translate(THAI_DIGITS))
    if digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    return digits


def check_phone(raw: str) -> str:
    """The phone's digits, or "" when none was typed; ValidationError when it is not a phone."""
    digits = normalize_phone(raw)
    if raw.strip() and not PHONE_NUMBER.fullmatch(digits):
        raise ValidationError(PHONE_RULE)
    return digits


def check_registration_no(raw: str, today: date | None = None) -> str:
    """ "123/2568", also typed as "123 / 2568", "123/68", "001/2568", "ชพ.123/2568" (the
    province's letters, which every number of the province shares) or in Thai digits; "" when
    none was typed. Kept as number/year: "001/2568" is number 1 of 2568. The year may be next
    year's: the fiscal year starts in October."""
    cleaned = PROVINCE_LETTERS.sub("", raw.translate(THAI_DIGITS).strip())
    if not cleaned:
        return ""
    this_year = (today or timezone.localdate()).year + thaidate.BE_OFFSET
    years = range(FIRST_TERM.year + thaidate.BE_OFFSET, this_year + 2)  # since the network began
    if match := REGISTRATION_NO.match(cleaned):
        number, year = int(match.group(1)), int(match.group(2))
        year += 2500 if len(match.group(2)) == 2 else 0  # 68 is 2568, as dates read it
        if number > 0 and year in years:
            return f"{number}/{year}"
    # "2569/16", as some offices write it: the 16th of 2569 (a year 2516 is none).
    match = YEAR_FIRST.match(cleaned)
    if match and int(match.group(1)) in years and int(match.group(2)) > 0:
        return f"{int(match.group(2))}/{match.group(1)}"
    raise ValidationError(_("Write the registration number as number/BE year, e.g. 123/2568."))


def check_birth_date(value: date | None) -> None:
    today = timezone.localdate()
    if value is None:
        return
    if value > today:
        raise ValidationError(_("The birth date cannot be in the future."))
    age = age_on(value, today) or 0
    if age < MINIMUM_AGE:
        raise ValidationError(
            _("A volunteer must be at least %(age)d years old.") % {"age": MINIMUM_AGE}
        )
    if age > OLDEST_AGE:
        raise ValidationError(
            _("Check the year: this would make the volunteer %(age)d.") % {"age": age}
        )


def service_date_refused(day: date, birth_date: date | None) -> str:
    """Why a date of a volunteer's service (registration, a change of status) cannot be
    right, or "": before the network existed, or before they could join it, it is a mistyped
    year (a CE year read as BE, or the other way, gives a date centuries back)."""
    age = age_on(birth_date, day) if birth_date else MINIMUM_AGE
    if day >= FIRST_TERM and (age or 0) >= MINIMUM_AGE:
        return ""
    return _(
        "Check the year: on that date the volunteer network did not exist yet, or this "
        "volunteer was not yet %(age)d."
    ) % {"age": MINIMUM_AGE}


def check_not_future(value: date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))


def _collect(errors: dict[str, list[str]], name: str, check: Any, *args: Any) -> Any:
    """Runs one check; its ValidationError becomes the field's errors."""
    try:
        return check(*args)
    except ValidationError as error:
        errors[name] = list(error.messages)
        return None


def _clean_data(
    *, actor: Any, data: VolunteerData, current: Volunteer | None
) -> tuple[dict[str, Any], str, list[Area]]:
    """Checks everything typed; returns the field values, the ID digits ("" = keep) and villages.

    Collects every problem before raising, so the form shows them all at once.
    """
    errors: dict[str, list[str]] = {}

    digits = ""
    if data.citizen_id.strip() or current is None:
        try:
            digits = cid.normalize(data.citizen_id)
        except ValidationError as error:
            errors["citizen_id"] = list(error.messages)
        else:
            errors["citizen_id"] = _citizen_id_clash(actor=actor, digits=digits, current=current)

    title = normalize_title(data.title)
    first_name, last_name = clean_name(data.first_name), clean_name(data.last_name)
    errors["title"] = [] if title else [_("Enter the title (นาย, นาง, นางสาว …).")]
    errors["first_name"] = [] if first_name else [_("Enter the first name.")]
    errors["last_name"] = [] if last_name else [_("Enter the last name.")]

    sex = data.sex or SEX_OF_TITLE.get(title, Sex.UNSPECIFIED)
    errors["sex"] = [] if sex in Sex.values else [_("Choose a sex from the list.")]

    _collect(errors, "birth_date", check_birth_date, data.birth_date)
    phone = _collect(errors, "phone", check_phone, data.phone) or ""

    area, villages, errors["area"], errors["villages"] = _served_area(
        actor=actor, area_code=data.area_code, village_codes=data.village_codes
    )

    address_area: Area | None = None
    errors["address_area"] = []
    if data.address_area_code:
        address_area = Area.objects.filter(
            code=data.address_area_code, level=Level.SUBDISTRICT
        ).first()
        if address_area is None:
            errors["address_area"].append(_("Choose the home subdistrict from the list."))
    errors["address_moo"] = []
    if data.address_moo is not None and not 1 <= data.address_moo <= 99:
        errors["address_moo"].append(_("A village number (หมู่ที่) is between 1 and 99."))

    registration_no = (
        _collect(errors, "registration_no", check_registration_no, data.registration_no) or ""
    )
    if registration_no and area is not None:
        errors["registration_no"] = _registration_no_clash(registration_no, area, current)
    _collect(errors, "registration_date", check_not_future, data.registration_date)
    if data.registration_date and data.birth_date and data.registration_date < data.birth_date:
        errors.setdefault("registration_date", []).append(
            _("The registration date cannot be before the birth date.")
        )
    elif (
        data.registration_date
        and not errors.get("birth_date")
        and (refused := service_date_refused(data.registration_date, data.birth_date))
    ):
        errors.setdefault("registration_date", []).append(refused)

    # Imports call this service too: a cell longer than its column is refused, not truncated.
    for name, value in [
        ("title", title),
        ("first_name", first_name),
        ("last_name", last_name),
        ("line_id", data.line_id.strip()),
        ("house_no", _house_no(data)),
    ]:
        limit = getattr(Volunteer._meta.get_field(name), "max_length", None) or 0
        if len(value) > limit and not errors.get(name):
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]

    unknown_roles = set(data.other_roles) - set(OtherRole.values)
    errors["other_roles"] = [_("Choose other roles from the list.")] if unknown_roles else []

    _raise_if(errors)
    assert area is not None  # _served_area reported an error otherwise
    values = {
        "title": title,
        "first_name": first_name,
        "last_name": last_name,
        "name_key": name_key(first_name, last_name),
        "birth_date": data.birth_date,
        "sex": sex,
        "phone": phone,
        "line_id": data.line_id.strip(),
        "house_no": _house_no(data),
        "address_moo": data.address_moo,
        "address_area": address_area,
        "area": area,
        "registration_no": registration_no,
        "registration_date": data.registration_date,
        "other_roles": [code for code in OtherRole.values if code in set(data.other_roles)],
    }
    return values, digits, villages


def _registration_no_clash(number: str, area: Area, current: Volunteer | None) -> list[str]:
    """The province registers its volunteers: a number is one volunteer's in the province."""
    clash = Volunteer.objects.filter(registration_no=number, area__code__startswith=area.code[:2])
    if current is not None:
        clash = clash.exclude(pk=current.pk)
    if not clash.exists():
        return []
    return [
        _("Registration no. %(number)s already belongs to another volunteer of this province.")
        % {"number": number}
    ]


def _citizen_id_clash(*, actor: Any, digits: str, current: Volunteer | None) -> list[str]:
    """A clear message when another volunteer holds this ID; names them only if visible.

    A new ID typed on an edit follows accounts.disclosure, as registration does in its view
    (views._likely_same): telling that a volunteer outside the actor's areas holds it is
    counted and logged, and past the day's answers every new ID is refused, held or not."""
    hashed = cid.lookup_hash(digits)
    changing = current if actor and current and hashed != current.citizen_id_hash else None
    clash = Volunteer.objects.filter(citizen_id_hash=hashed)
    if current is not None:
        clash = clash.exclude(pk=current.pk)
    other = clash.select_related("area").first()
    if other is not None and (
        actor is None
        or access.visible_to(
            actor,
            Volunteer.objects.filter(pk=other.pk),
            perm=Perm.VIEW_VOLUNTEERS,
            own=Q(user=actor),
        ).exists()
    ):
        return [
            _("This citizen ID is already registered to %(name)s (%(area)s).")
            % {"name": other.full_name, "area": other.area.label}
        ]
    if changing and not disclosure.elsewhere_allowed(actor):
        return [
            _(
                "Today you have been told of many people registered outside your areas, so a "
                "new citizen ID cannot be checked against them until tomorrow. Change this "
                "volunteer's citizen ID tomorrow, or ask your coordination centre or the "
                "provincial office to."
            )
        ]
    if other is None:
        return []
    if changing:
        disclosure.elsewhere_told(
            actor, by="volunteer_citizen_id", area_code=changing.area_id, record=other
        )
    return [
        _(
            "This citizen ID is already registered to a volunteer outside your area. "
            "Contact the provincial office."
        )
    ]


def _served_area(
    *, actor: Any, area_code: str, village_codes: Iterable[str]
) -> tuple[Area | None, list[Area], list[str], list[str]]:
    """The subdistrict served and its villages, with the errors for each."""
    area = None
    if area_code:
        area = Area.objects.filter(code=area_code, level=Level.SUBDISTRICT).first()
    if area is None:
        return None, [], [_("Choose the subdistrict the volunteer serves.")], []
    if actor is not None and not access.can(actor, Perm.MANAGE_VOLUNTEERS, area.code):
        return None, [], [_("This subdistrict is outside the area you manage.")], []
    wanted = sorted(set(village_codes))
    villages = list(Area.objects.filter(code__in=wanted, level=Level.VILLAGE, parent=area))
    strangers = sorted(set(wanted) - {v.code for v in villages})
    if strangers:
        return (
            area,
            villages,
            [],
            [
                _("These are not villages of %(area)s: %(codes)s.")
                % {"area": area.label, "codes": ", ".join(strangers)}
            ],
        )
    return area, villages, [], []


# --- volunteers ------------------------------------------------------------------------------


@transaction.atomic
def volunteer_register(
    *, actor: Any, data: VolunteerData, status: str = VolunteerStatus.ACTIVE
) -> Volunteer:
    """Registers a new volunteer, with the first row of their status history."""
    if status not in VolunteerStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    values, digits, villages = _clean_data(actor=actor, data=data, current=None)
    volunteer = Volunteer(status=status, **values)
    volunteer.set_citizen_id(digits)
    try:
        with transaction.atomic():  # a savepoint: the race with a concurrent registration
            volunteer.save()
    except IntegrityError:
        raise ValidationError(
            {"citizen_id": _("This citizen ID has just been registered by someone else.")}
        ) from None
    volunteer.villages.set(villages)
    VolunteerStatusChange.objects.create(
        volunteer=volunteer,
        from_status="",
        to_status=status,
        effective_date=volunteer.registration_date or timezone.localdate(),
        reason=_("Registered"),
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="volunteer.register",
        target=volunteer,
        area_code=volunteer.area_id,
        details={"registration_no": volunteer.registration_no, "status": status},
    )
    return volunteer


EDITABLE_FIELDS = [
    "title",
    "first_name",
    "last_name",
    "name_key",
    "birth_date",
    "sex",
    "phone",
    "line_id",
    "house_no",
    "address_moo",
    "address_area",
    "area",
    "registration_no",
    "registration_date",
    "other_roles",
]


def volunteer_update(
    *, actor: Any, volunteer: Volunteer, data: VolunteerData, version: int
) -> Volunteer:
    """Saves an edit made on `version` of the record; a stale version raises ConflictError.

    The edit is checked before the transaction, so that what the check told of a volunteer
    outside the actor's areas stays in the audit log when the edit is refused."""
    _require_manage(actor, volunteer.area_id)
    values, digits, villages = _clean_data(actor=actor, data=data, current=volunteer)
    with transaction.atomic():
        changed = [name for name in EDITABLE_FIELDS if getattr(volunteer, name) != values[name]]
        # Work on a copy, so that the caller's instance stays as it was if the save is refused.
        draft = copy.copy(volunteer)
        for name, value in values.items():
            setattr(draft, name, value)
        fields = list(EDITABLE_FIELDS)
        if digits and cid.lookup_hash(digits) != volunteer.citizen_id_hash:
            draft.set_citizen_id(digits)
            fields += ["citizen_id_encrypted", "citizen_id_hash"]
            changed.append("citizen_id")
        try:
            with transaction.atomic():  # a savepoint: the race with a concurrent registration
                save_versioned(draft, version, fields)  # ConflictError when the edit is stale
        except IntegrityError:
            raise ValidationError(
                {"citizen_id": _("This citizen ID has just been registered by someone else.")}
            ) from None
        before = set(volunteer.villages.values_list("code", flat=True))
        if before != {v.code for v in villages}:
            volunteer.villages.set(villages)
            changed.append("villages")
        for name in [*fields, "version"]:
            setattr(volunteer, name, getattr(draft, name))
        if "area" in changed:
            login_follows_area(actor=actor, volunteer=volunteer)
        audit_record(
            actor=actor,
            action="volunteer.update",
            target=volunteer,
            area_code=volunteer.area_id,
            details={"fields": changed},
        )
        return volunteer


@dataclass(frozen=True)
class SeatClosed:
    """A committee seat that ended with its holder's leaving; `cancelled` when its term had not
    started, and the seat is deleted (it keeps its centre, position and dates in memory)."""

    seat: CommitteeMembership
    cancelled: bool
    term_end_before: date | None  # the end the term had before (None: open)


def seat_records(closed: list[SeatClosed]) -> list[dict[str, Any]]:
    """What `VolunteerStatusChange.seats_ended` keeps of the seats a change closed."""
    return [
        {
            "seat": None if item.cancelled else item.seat.pk,
            "centre": item.seat.centre_id,
            "position": item.seat.position,
            "term_start": item.seat.term_start.isoformat(),
            "term_end": item.term_end_before and item.term_end_before.isoformat(),
        }
        for item in closed
    ]


@dataclass(frozen=True)
class StatusChanged:
    """A status change and what followed from it, for the page to tell the coordinator."""

    change: VolunteerStatusChange
    seats_closed: tuple[SeatClosed, ...] = ()
    # Taking a change back: the seats it seats again, and those it cannot (and why).
    seats_restored: tuple[CommitteeMembership, ...] = ()
    seats_kept_ended: tuple[tuple[CommitteeMembership, str], ...] = ()  # (seat, why)
    login: str = ""  # what became of their login (login_follows_status)


def last_status_dates(volunteer_ids: Iterable[int]) -> dict[int, date]:
    """The date of each volunteer's last status change, which a new one may not precede (one
    query). Registered without a date, their first entry is dated the day it was typed: what
    old paper records tell may have happened before that, so it does not count. Nor does a
    change taken back as a mistake, nor its taking back: the date it carried was wrong."""
    rows = (
        standing_changes()
        .filter(volunteer_id__in=list(volunteer_ids))
        .exclude(from_status="", volunteer__registration_date__isnull=True)
        .order_by()
        .values("volunteer_id")
        .annotate(last=Max("effective_date"))
    )
    return {row["volunteer_id"]: row["last"] for row in rows}


def status_date_refused(
    day: date,
    *,
    birth_date: date | None,
    registered: date | None,
    last: date | None,
    today: date | None = None,
) -> str:
    """Why `day` cannot be the date of a change of a volunteer's status, or "": in the future,
    before they could serve, before their registration or their last change (`last`, see
    last_status_dates). The status form and the volunteers import ask the same."""
    if day > (today or timezone.localdate()):
        return _("The date cannot be in the future.")
    if refused := service_date_refused(day, birth_date):
        return refused
    if registered is not None and day < registered:
        return _(
            "The date of the change cannot be before the volunteer's registration (%(date)s)."
        ) % {"date": thaidate.format_short(registered)}
    if last is not None and day < last:
        return _("The date cannot be before the last status change (%(date)s).") % {
            "date": thaidate.format_short(last)
        }
    return ""


@transaction.atomic
def volunteer_change_status(
    *, actor: Any, volunteer: Volunteer, to_status: str, effective_date: date | None, reason: str
) -> StatusChanged:
    """Moves a volunteer to another status along STATUS_MOVES, with the date and reason.

    Leaving the network (resigned, removed, deceased) also ends their committee seats, and
    cancels those not started yet: the result says which, since the coordinator did not ask.
    """
    _require_manage(actor, volunteer.area_id)
    # Read the status again under a row lock: two coordinators may act at the same time.
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    errors: dict[str, list[str]] = {"to_status": [], "effective_date": [], "reason": []}
    if to_status not in STATUS_MOVES.get(locked.status, set()):
        errors["to_status"].append(
            _("A volunteer who is %(current)s cannot become %(new)s.")
            % {
                "current": VolunteerStatus(locked.status).label,
                "new": VolunteerStatus(to_status).label
                if to_status in VolunteerStatus.values
                else to_status,
            }
        )
    if effective_date is None:
        errors["effective_date"].append(_("Enter the date of the change."))
    elif refused := status_date_refused(
        effective_date,
        birth_date=locked.birth_date,
        registered=locked.registration_date,
        last=last_status_dates([locked.pk]).get(locked.pk),
    ):
        errors["effective_date"].append(refused)
    reason = visible(reason)
    if not reason:
        errors["reason"].append(_("Give the reason for the change."))
    _raise_if(errors)
    assert effective_date is not None

    change = VolunteerStatusChange.objects.create(
        volunteer=locked,
        from_status=locked.status,
        to_status=to_status,
        effective_date=effective_date,
        reason=reason,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    volunteer.status = to_status
    closed = seats_follow_status(actor=actor, volunteer=locked, day=effective_date)
    if closed:
        change.seats_ended = seat_records(closed)
        change.save(update_fields=["seats_ended"])
    login = login_follows_status(actor=actor, volunteer=locked, was=change.from_status)
    audit_record(
        actor=actor,
        action="volunteer.status",
        target=locked,
        area_code=locked.area_id,
        details={
            "from": change.from_status,
            "to": to_status,
            "effective": effective_date.isoformat(),
            "seats_ended": len(closed),
            "login": login,
        },
    )
    return StatusChanged(change=change, seats_closed=tuple(closed), login=login)


# How long a status change recorded by mistake can be taken back. Later, the history stands
# and a new change is recorded instead (deceased, being final, then stays).
UNDO_WITHIN = timedelta(days=30)
UNDO_ACTION = "volunteer.status_undone"


def undoable_change(volunteer: Volunteer) -> VolunteerStatusChange | None:
    """The volunteer's last status change, when it can still be taken back."""
    last = volunteer.status_changes.order_by("-id").first()
    if last is None or not last.from_status or last.to_status != volunteer.status:
        return None  # registration itself, or a history out of step with the status
    if timezone.now() - last.created_at > UNDO_WITHIN:
        return None
    taken_back = AuditEvent.objects.filter(
        action=UNDO_ACTION,
        target_type=volunteer._meta.label_lower,
        target_id=str(volunteer.pk),
        created_at__gte=last.created_at,
    )
    if taken_back.exists():
        return None  # itself the taking back of a mistake: not a change to take back
    return last


@transaction.atomic
def volunteer_undo_status(
    *, actor: Any, volunteer: Volunteer, change_id: int, reason: str
) -> StatusChanged:
    """Takes back the last status change, recorded by mistake (the wrong volunteer marked
    deceased, say): the volunteer is again what they were, from the same date. Nothing is
    erased: the history gains an entry that says so, with the reason. The committee seats the
    mistake ended are theirs again, unless someone holds them now; the login follows.
    """
    _require_manage(actor, volunteer.area_id)
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    last = undoable_change(locked)
    if last is None or last.pk != change_id:
        raise ValidationError(
            _(
                "This change can no longer be taken back: the status was changed again, or "
                "it was recorded more than 30 days ago. Record a new status change instead."
            )
        )
    reason = visible(reason)
    if not reason:
        raise ValidationError({"reason": _("Say what was recorded by mistake.")})
    change = VolunteerStatusChange.objects.create(
        volunteer=locked,
        from_status=locked.status,
        to_status=last.from_status,
        effective_date=last.effective_date,
        reason=_("Taken back (recorded by mistake): %(reason)s") % {"reason": reason},
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    locked.status = volunteer.status = last.from_status
    locked.save(update_fields=["status", "updated_at"])
    restored, kept = _seats_back(actor=actor, volunteer=locked, change=last)
    login = login_follows_status(actor=actor, volunteer=locked, was=change.from_status)
    audit_record(
        actor=actor,
        action=UNDO_ACTION,
        target=locked,
        area_code=locked.area_id,
        details={
            "undone": last.pk,
            "from": change.from_status,
            "to": change.to_status,
            "login": login,
            "seats_restored": len(restored),
            "seats_kept_ended": len(kept),
        },
    )
    return StatusChanged(
        change=change, seats_restored=tuple(restored), seats_kept_ended=tuple(kept), login=login
    )


def _seats_back(
    *, actor: Any, volunteer: Volunteer, change: VolunteerStatusChange
) -> tuple[list[CommitteeMembership], list[tuple[CommitteeMembership, str]]]:
    """Seats again the committee seats a change taken back had ended or cancelled, as they
    were, unless the seat was changed since or someone else holds it now."""
    restored: list[CommitteeMembership] = []
    kept: list[tuple[CommitteeMembership, str]] = []
    centres = Centre.objects.in_bulk({record["centre"] for record in change.seats_ended})
    for record in change.seats_ended:
        centre = centres.get(record["centre"])
        if centre is None:
            continue
        seat, reason = _seat_back(
            volunteer=volunteer, centre=centre, record=record, day=change.effective_date
        )
        if seat is None:
            kept.append((CommitteeMembership(centre=centre, position=record["position"]), reason))
            continue
        audit_record(
            actor=actor,
            action="committee.seat_restore",
            target=seat,
            area_code=centre.area_id,
            details={"volunteer": volunteer.pk, "position": seat.position, "undone": change.pk},
        )
        restored.append(seat)
    return restored, kept


def _seat_back(
    *, volunteer: Volunteer, centre: Centre, record: dict[str, Any], day: date
) -> tuple[CommitteeMembership | None, str]:
    """One seat of `seats_ended` given back (or None, and why not)."""
    start = date.fromisoformat(record["term_start"])
    end = record["term_end"] and date.fromisoformat(record["term_end"])
    seat = None
    if record["seat"] is not None:
        seat = CommitteeMembership.objects.filter(pk=record["seat"], volunteer=volunteer).first()
        if seat is None or seat.term_end != day:
            return None, _("its term was changed since.")
    errors = _seat_taken(
        centre_id=centre.pk,
        volunteer=volunteer,
        position=record["position"],
        start=start if seat is None else day,
        end=end,
        exclude=None if seat is None else seat.pk,
    )
    if taken := errors["position"] + errors["volunteer"]:
        return None, taken[0]
    if seat is None:
        seat = CommitteeMembership.objects.create(
            centre=centre,
            volunteer=volunteer,
            position=record["position"],
            term_start=start,
            term_end=end,
        )
    else:
        seat.term_end = end
        seat.save(update_fields=["term_end"])
    return seat, ""


def login_follows_status(*, actor: Any, volunteer: Volunteer, was: str) -> str:
    """A volunteer's login keeps up with their status; says what changed ("" for nothing).

    Someone who leaves the network (resigned, removed, deceased) must no longer open the
    households they looked after: their login loses the volunteer role, and is closed when it
    holds no other role ("closed"; "role_removed" otherwise). A volunteer taken back as active
    gets the role back, and a closed login is opened again ("reopened"); so does one who
    comes back from leaving (`was`) as inactive, whose login worked before they left.
    """
    user = volunteer.user
    if user is None:
        return ""
    if volunteer.status in LEAVING:
        roles = list(AreaAssignment.objects.filter(user=user, role=Role.VOLUNTEER))
        for assignment in roles:
            assignment_revoke(actor=actor, assignment=assignment)
        if AreaAssignment.objects.filter(user=user).exists():
            return "role_removed" if roles else ""
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            return "closed"
        return ""
    if volunteer.status != VolunteerStatus.ACTIVE and was not in LEAVING:
        return ""
    changed = ""
    if not AreaAssignment.objects.filter(user=user, role=Role.VOLUNTEER).exists():
        assignment_grant(actor=actor, user=user, role=Role.VOLUNTEER, area=volunteer.area)
        changed = "role_given"
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        changed = "reopened"
    return changed


def login_follows_area(*, actor: Any, volunteer: Volunteer) -> None:
    """A volunteer moved to another subdistrict takes their login's volunteer role with them:
    they open the households of the area they now serve, no longer those of the old one."""
    user = volunteer.user
    if user is None:
        return
    roles = AreaAssignment.objects.filter(user=user, role=Role.VOLUNTEER)
    stale = [a for a in roles if a.area_id != volunteer.area_id]
    for assignment in stale:
        assignment_revoke(actor=actor, assignment=assignment)
    if stale and volunteer.status not in LEAVING:
        assignment_grant(actor=actor, user=user, role=Role.VOLUNTEER, area=volunteer.area)


def seats_follow_status(*, actor: Any, volunteer: Volunteer, day: date) -> list[SeatClosed]:
    """A volunteer who has left the network (their status just changed, by the form or by an
    import) leaves their committee seats on `day`; nothing happens for any other status."""
    if volunteer.status not in LEAVING:
        return []
    return _end_open_seats(actor=actor, volunteer=volunteer, day=day)


def _end_open_seats(*, actor: Any, volunteer: Volunteer, day: date) -> list[SeatClosed]:
    """Ends the seats a leaving volunteer holds on `day`, and cancels those due to start
    after it."""
    closed = []
    seats = CommitteeMembership.objects.filter(volunteer=volunteer).filter(
        Q(term_end__isnull=True) | Q(term_end__gt=day)
    )
    for seat in seats.select_related("centre").order_by("term_start", "id"):
        cancelled, before = seat.term_start > day, seat.term_end
        if cancelled:
            _cancel_seat(actor=actor, seat=seat, area_code=seat.centre.area_id)
        else:
            seat.term_end = day
            seat.save(update_fields=["term_end"])
        closed.append(SeatClosed(seat=seat, cancelled=cancelled, term_end_before=before))
    return closed


@transaction.atomic
def volunteer_citizen_id_read(*, actor: Any, volunteer: Volunteer) -> str:
    """The full citizen ID, for someone who asked to see it. Each read is logged."""
    digits = volunteer.read_citizen_id()
    audit_record(
        actor=actor,
        action="volunteer.citizen_id_read",
        target=volunteer,
        area_code=volunteer.area_id,
    )
    return digits


def may_get_login(volunteer: Volunteer) -> bool:
    """No login yet, and still in the network (see `login_refused`)."""
    return volunteer.user_id is None and not login_refused(volunteer)


def login_refused(volunteer: Volunteer) -> str:
    """Why a volunteer who has left may not be given a login ("" when they may): it would be
    closed at once (login_follows_status)."""
    if volunteer.status not in LEAVING:
        return ""
    return _("A volunteer who is %(status)s cannot be given a login.") % {
        "status": VolunteerStatus(volunteer.status).label
    }


def link_refused(actor: Any, volunteer: Volunteer, user: User) -> str:
    """Why an account made already may not become this volunteer's login ("" when it may).

    It may when it is nobody else's login: no volunteer record of its own, no staff role (an
    officer's account stays its owner's), switched on, and holding the volunteer role only
    where the actor manages volunteers (one of another area is that centre's). Such an account
    is what `grant_access USER volunteer AREA` used to make. An account with no role at all is
    nobody's to claim from a page. Whose an account is, and of which kind, is not said beyond
    the actor's areas: "taken" is all the username box may tell.
    """
    if user.is_demo:
        return _("The demo logins stay as they are, for everyone who tries the demo.")
    roles = list(user.assignments.all())
    beyond = (
        user.is_staff
        or user.is_superuser
        or any(a.role != Role.VOLUNTEER for a in roles)
        or (
            actor is not None
            and (
                not roles
                or any(
                    not access.can(actor, Perm.MANAGE_VOLUNTEERS, a.area_id or "") for a in roles
                )
            )
        )
    )
    if beyond:
        return _("This username is taken by another account. Choose another username.")
    if Volunteer.objects.filter(user=user).exclude(pk=volunteer.pk).exists():
        return _("This account already belongs to a volunteer.")
    if not user.is_active:
        return _(
            "This login is switched off. The officer who manages accounts on the Users page "
            "can switch it on; or choose another username."
        )
    return ""


@transaction.atomic
def volunteer_link_user(
    *,
    actor: Any,
    volunteer: Volunteer,
    user: User | None = None,
    username: str = "",
    password: str = "",
) -> User:
    """Gives a volunteer a login: links `user`, an account made already (see link_refused),
    or creates an account from username/password.

    Either way the account gets the volunteer role at the subdistrict the volunteer serves
    (a linked account's volunteer role elsewhere moves here).
    """
    _require_manage(actor, volunteer.area_id)
    if volunteer.user_id is not None:
        raise ValidationError({"username": _("This volunteer already has a user account.")})
    if refused := login_refused(volunteer):
        raise ValidationError(refused)
    existing = user is not None
    if user is None:
        username = username.strip()
        if not username:
            raise ValidationError({"username": _("Enter a username.")})
        if not password:
            raise ValidationError({"password": _("Enter a password for the new login.")})
        candidate = User(
            username=username, first_name=volunteer.first_name, last_name=volunteer.last_name
        )
        password_check(password, candidate)
        user = user_create(
            actor=actor,
            username=username,
            password=password,
            first_name=volunteer.first_name,
            last_name=volunteer.last_name,
            area_code=volunteer.area_id,
        )
    elif refused := link_refused(actor, volunteer, user):
        raise ValidationError({"username": refused})
    renamed_from = ""
    named = (volunteer.first_name, volunteer.last_name)
    if existing and (user.first_name, user.last_name) != named:
        # The login is the volunteer's now: its pages and prints name them, not who made it.
        renamed_from = user.get_full_name()
        user.first_name, user.last_name = volunteer.first_name, volunteer.last_name
        user.save(update_fields=["first_name", "last_name"])
    volunteer.user = user
    volunteer.save(update_fields=["user", "updated_at"])
    login_follows_area(actor=actor, volunteer=volunteer)
    assignment_grant(actor=actor, user=user, role=Role.VOLUNTEER, area=volunteer.area)
    audit_record(
        actor=actor,
        action="volunteer.link_user",
        target=volunteer,
        area_code=volunteer.area_id,
        details={"user": user.pk, **({"existing": True} if existing else {})},
    )
    if existing:
        # In the account's own history too, as the Users page's changes to an account are.
        audit_record(
            actor=actor,
            action="user.link_volunteer",
            target=user,
            area_code=volunteer.area_id,
            details={
                "username": user.username,
                "volunteer": volunteer.pk,
                **({"renamed_from": renamed_from} if renamed_from else {}),
            },
        )
    return user


def password_refused(volunteer: Volunteer) -> str:
    """Why a coordinator may not set a new password on this volunteer's login ("" when they
    may). A login that holds another role besides volunteer (a coordinator's, an officer's) is
    not theirs to take over: its owner changes its password on their own page."""
    user = volunteer.user
    if user is None:
        return _("This volunteer has no login yet.")
    if user.is_demo:
        return _("The demo logins keep the password everyone uses.")
    if volunteer.status in LEAVING:
        # Their login was closed when they left: a new password would open nothing.
        return _(
            "A volunteer who is %(status)s has no working login: a new password would open "
            "nothing. If they serve again, change their status first."
        ) % {"status": VolunteerStatus(volunteer.status).label}
    other_roles = AreaAssignment.objects.filter(user=user).exclude(role=Role.VOLUNTEER)
    if user.is_staff or user.is_superuser or other_roles.exists():
        return _(
            "This login also holds another role, so its password is not set here: its owner "
            "changes it on their own password page."
        )
    return ""


@transaction.atomic
def volunteer_password_set(*, actor: Any, volunteer: Volunteer, password: str) -> User:
    """Sets a new password on a volunteer's login, for a volunteer who forgot theirs (the
    sign-in page sends them to their centre). Their other sessions end; see password_set."""
    _require_manage(actor, volunteer.area_id)
    if refused := password_refused(volunteer):
        raise ValidationError(refused)
    assert volunteer.user is not None  # password_refused says so otherwise
    return password_set(
        actor=actor, user=volunteer.user, password=password, area_code=volunteer.area_id
    )


# --- coordination centres and their committees -----------------------------------------------

CENTRE_LEVELS = {Level.PROVINCE, Level.DISTRICT, Level.SUBDISTRICT}


def centre_name(area: Area) -> str:
    """ศูนย์ประสานงาน อพม. อำเภอเมืองชุมพร: the area's level written out, the way letters do."""
    if area.code.startswith(BANGKOK):
        level_word = {Level.PROVINCE: "", Level.DISTRICT: "เขต", Level.SUBDISTRICT: "แขวง"}
    else:
        level_word = {Level.PROVINCE: "จังหวัด", Level.DISTRICT: "อำเภอ", Level.SUBDISTRICT: "ตำบล"}
    return f"ศูนย์ประสานงาน อพม. {level_word[Level(area.level)]}{area.name_th}"


@transaction.atomic
def centre_ensure(*, actor: Any, area_code: str, phone: str = "") -> Centre:
    """The centre of a province or district (a subdistrict may have one too); made if missing."""
    area = Area.objects.filter(code=area_code).first()
    if area is None or area.level not in CENTRE_LEVELS:
        raise ValidationError(
            {"area": _("A centre belongs to a province, a district or a subdistrict.")}
        )
    _require_manage(actor, area.code)
    try:
        phone = check_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    centre, created = Centre.objects.get_or_create(
        area=area, defaults={"name": centre_name(area), "phone": phone}
    )
    if created:
        audit_record(actor=actor, action="centre.create", target=centre, area_code=area.code)
    return centre


@transaction.atomic
def centre_set_phone(*, actor: Any, centre: Centre, phone: str) -> Centre:
    """The phone a centre is reached at, shown on its page and on its volunteers' own
    profiles; "" takes it off."""
    _require_manage(actor, centre.area_id)
    try:
        digits = check_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    if digits != centre.phone:
        details = {"phone": [centre.phone, digits]}
        centre.phone = digits
        centre.save(update_fields=["phone"])
        audit_record(
            actor=actor,
            action="centre.update",
            target=centre,
            area_code=centre.area_id,
            details=details,
        )
    return centre


@transaction.atomic
def committee_seat_add(
    *,
    actor: Any,
    centre: Centre,
    volunteer: Volunteer,
    position: str,
    term_start: date | None,
    term_end: date | None = None,
) -> CommitteeMembership:
    """Seats an active volunteer of the centre's area on its committee for a term.

    A centre has one chair and one secretary at a time (SINGLE_SEATS), and a volunteer holds
    one seat of a centre at a time.
    """
    _require_manage(actor, centre.area_id)
    # Seats of one centre are decided one at a time: lock the centre row.
    Centre.objects.select_for_update().filter(pk=centre.pk).first()
    errors: dict[str, list[str]] = {"volunteer": [], "position": [], "term_start": []}
    errors["term_end"] = []
    if not volunteer.area_id.startswith(centre.area_id):
        errors["volunteer"].append(_("The volunteer must serve in the centre's area."))
    elif volunteer.status != VolunteerStatus.ACTIVE:
        errors["volunteer"].append(_("Only an active volunteer can hold a committee seat."))
    if position not in Position.values:
        errors["position"].append(_("Choose a position from the list."))
    if term_start is None:
        errors["term_start"].append(_("Enter the date the term starts."))
    elif term_end is not None and term_end < term_start:
        errors["term_end"].append(_("The term cannot end before it starts."))
    else:
        errors["term_start"] += _implausible_start(term_start)
        errors["term_end"] += _implausible_end(term_start, term_end)
        registered = volunteer.registration_date
        if registered is not None and term_start < registered and not errors["term_start"]:
            errors["term_start"].append(
                _("The term cannot start before the volunteer was registered (%(date)s).")
                % {"date": thaidate.format_short(registered)}
            )
    _raise_if(errors)
    assert term_start is not None

    _raise_if(
        _seat_taken(
            centre_id=centre.pk,
            volunteer=volunteer,
            position=position,
            start=term_start,
            end=term_end,
        )
    )
    seat = CommitteeMembership.objects.create(
        centre=centre,
        volunteer=volunteer,
        position=position,
        term_start=term_start,
        term_end=term_end,
    )
    audit_record(
        actor=actor,
        action="committee.seat_add",
        target=seat,
        area_code=centre.area_id,
        details={"volunteer": volunteer.pk, "position": position},
    )
    return seat


def _seat_taken(
    *,
    centre_id: int,
    volunteer: Volunteer,
    position: str,
    start: date,
    end: date | None,
    exclude: int | None = None,
) -> dict[str, list[str]]:
    """Why the volunteer cannot hold `position` on the centre's committee from `start` to
    `end`: a volunteer holds one seat of a centre at a time, and SINGLE_SEATS one holder.
    A term may start on the day another ends: a handover."""
    errors: dict[str, list[str]] = {"volunteer": [], "position": []}
    overlapping = CommitteeMembership.objects.filter(centre_id=centre_id).filter(
        Q(term_end__isnull=True) | Q(term_end__gt=start)
    )
    if end is not None:
        overlapping = overlapping.filter(term_start__lt=end)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    if overlapping.filter(volunteer=volunteer).exists():
        errors["volunteer"].append(
            _("This volunteer already holds a seat on this committee during that term.")
        )
    if position in SINGLE_SEATS:
        holder = overlapping.filter(position=position).select_related("volunteer").first()
        if holder is not None:
            errors["position"].append(
                _(
                    "The centre already has a %(position)s in that term: %(name)s. End that "
                    "term first."
                )
                % {"position": Position(position).label, "name": holder.volunteer.full_name}
            )
    return errors


def _implausible_start(term_start: date) -> list[str]:
    """A term that starts before the network's committees existed, or more than a year ahead,
    is a mistyped year (a CE year read as BE, or the other way)."""
    today = timezone.localdate()
    if term_start < FIRST_TERM or term_start > today + timedelta(days=366):
        return [
            _("Check the year: a term starts between %(first)s and a year from today.")
            % {"first": thaidate.format_short(FIRST_TERM)}
        ]
    return []


def _implausible_end(term_start: date, term_end: date | None) -> list[str]:
    if term_end is not None and term_end > term_start + timedelta(days=366 * LONGEST_TERM_YEARS):
        return [
            _("Check the year: a term lasts at most %(years)d years.")
            % {"years": LONGEST_TERM_YEARS}
        ]
    return []


@transaction.atomic
def committee_seat_end(
    *, actor: Any, seat: CommitteeMembership, term_end: date | None
) -> CommitteeMembership | None:
    """Ends a seat's term on `term_end`: a past date, today, or a planned end no later than
    the one it has. A term that has not started yet and is ended before its start is
    cancelled: the seat is deleted (and None returned)."""
    centre_area = Centre.objects.values_list("area_id", flat=True).get(pk=seat.centre_id)
    _require_manage(actor, centre_area)
    today = timezone.localdate()
    if seat.term_end is not None and seat.term_end < today:
        raise ValidationError({"term_end": _("This term has already ended.")})
    if term_end is None:
        raise ValidationError({"term_end": _("Enter the date the term ends.")})
    if term_end < seat.term_start and seat.term_start <= today:
        raise ValidationError({"term_end": _("The term cannot end before it starts.")})
    # A seat whose term has run long already (kept open for years) can always end today.
    if term_end > today and (too_long := _implausible_end(seat.term_start, term_end)):
        raise ValidationError({"term_end": too_long})
    if seat.term_end is not None and term_end > seat.term_end:
        raise ValidationError(
            {
                "term_end": _(
                    "The term is planned to end on %(date)s: it can end then or earlier. "
                    "A longer term is a new seat."
                )
                % {"date": thaidate.format_short(seat.term_end)}
            }
        )
    if term_end < seat.term_start:
        _cancel_seat(actor=actor, seat=seat, area_code=centre_area)
        return None
    seat.term_end = term_end
    seat.save(update_fields=["term_end"])
    audit_record(
        actor=actor,
        action="committee.seat_end",
        target=seat,
        area_code=centre_area,
        details={"term_end": term_end.isoformat()},
    )
    return seat


def _cancel_seat(*, actor: Any, seat: CommitteeMembership, area_code: str) -> None:
    """Deletes a seat whose term never started, with its audit record."""
    audit_record(
        actor=actor,
        action="committee.seat_cancel",
        target=seat,
        area_code=area_code,
        details={
            "volunteer": seat.volunteer_id,
            "position": seat.position,
            "term_start": seat.term_start.isoformat(),
        },
    )
    seat.delete()
