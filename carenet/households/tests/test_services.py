"""Every rule of the household services, one test each (or a few, parametrized)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from carenet.core import citizen_id
from carenet.core.models import AuditEvent
from carenet.core.people import name_key
from carenet.core.services import ConflictError
from carenet.households import cleaning, selectors, services
from carenet.households.cleaning import ConsentData, PersonData
from carenet.households.models import (
    Consent,
    ConsentBasis,
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    Person,
    PersonStatus,
    Relation,
)
from carenet.households.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    PersonFactory,
    VolunteerFactory,
    bad_checksum,
    new_citizen_id,
)
from carenet.households.vulnerability import WEIGHTS
from carenet.volunteers.models import VolunteerStatus

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CONSENT = ConsentData(basis=ConsentBasis.CONSENT, purpose="ดูแลสวัสดิการ", given_on=TODAY)


def somchai(**changes) -> PersonData:
    data = PersonData(
        title="นาย",
        first_name="สมชาย",
        last_name="ใจดี",
        citizen_id=new_citizen_id(),
        birth_date=date(1970, 3, 4),
        relation=Relation.HEAD,
    )
    return replace(data, **changes)


def audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def error_fields(excinfo: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(excinfo.value.message_dict)


# --- Registering households ----------------------------------------------------------------


def test_coordinator_registers_household_with_first_member(personas, area_tree):
    actor = personas["district_coordinator_a"]
    household = services.household_register(
        actor=actor,
        area=area_tree["86010101"],
        house_no="12/3",
        soi="ร่วมใจ",
        latitude="10.4930",
        longitude="99.1800",
        first_member=somchai(),
        consent=CONSENT,
    )
    assert household.moo == 1
    assert household.latitude == Decimal("10.493000")
    assert household.member_count == 1
    assert household.head.first_name == "สมชาย"
    person = household.head
    assert person.area_id == "86010101"
    assert person.name_key
    assert person.consents.get().recorded_by == actor
    assert [a.target_id for a in audits("household.register")] == [str(household.pk)]
    assert len(audits("person.add")) == 1
    assert len(audits("consent.record")) == 1
    assert not HouseholdAssignment.objects.exists()


def test_out_of_scope_area_is_refused_and_nothing_is_created(personas, area_tree):
    with pytest.raises(ValidationError) as excinfo:
        services.household_register(
            actor=personas["district_coordinator_b"], area=area_tree["86010101"], house_no="1"
        )
    assert "area" in error_fields(excinfo)
    assert not Household.objects.exists()
    assert not AuditEvent.objects.exists()


def test_auditor_cannot_register(personas, area_tree):
    with pytest.raises(ValidationError):
        services.household_register(actor=personas["auditor"], area=area_tree["86010101"])
    assert not Household.objects.exists()


def test_volunteer_who_registers_gets_the_household_assigned(personas, area_tree):
    volunteer = VolunteerFactory.create(user=personas["volunteer_a"], area_id="860101")
    household = services.household_register(
        actor=personas["volunteer_a"], area=area_tree["86010102"], house_no="5"
    )
    assert list(household.volunteers.all()) == [volunteer]
    assert len(audits("household.assign")) == 1


def test_volunteer_without_a_volunteer_record_cannot_register(personas, area_tree):
    with pytest.raises(ValidationError):
        services.household_register(
            actor=personas["volunteer_a"], area=area_tree["86010101"], house_no="5"
        )
    assert not Household.objects.exists()


def test_volunteer_cannot_assign_someone_else_when_registering(personas, area_tree):
    VolunteerFactory.create(user=personas["volunteer_a"], area_id="860101")
    other = VolunteerFactory.create(area_id="860101")
    with pytest.raises(PermissionDenied):
        services.household_register(
            actor=personas["volunteer_a"], area=area_tree["86010101"], volunteer=other
        )
    assert not Household.objects.exists()


def test_coordinator_may_assign_a_volunteer_when_registering(personas, area_tree):
    volunteer = VolunteerFactory.create(area_id="860101")
    household = services.household_register(
        actor=personas["district_coordinator_a"], area=area_tree["86010102"], volunteer=volunteer
    )
    assert list(household.volunteers.all()) == [volunteer]


def test_subdistrict_and_moo_resolve_to_the_listed_village(personas, area_tree):
    household = services.household_register(
        actor=personas["district_coordinator_a"], area=area_tree["860101"], moo=2
    )
    assert household.area_id == "86010102"
    unlisted = services.household_register(
        actor=personas["district_coordinator_a"], area=area_tree["860101"], moo=7
    )
    assert (unlisted.area_id, unlisted.moo) == ("860101", 7)


def test_a_house_no_typed_with_its_village_no_gives_the_village(personas, area_tree):
    actor = personas["district_coordinator_a"]
    household = services.household_register(
        actor=actor, area=area_tree["860101"], house_no="12 ม.๒"
    )
    assert (household.house_no, household.moo, household.area_id) == ("12", 2, "86010102")
    with pytest.raises(ValidationError) as excinfo:
        services.household_register(
            actor=actor, area=area_tree["860101"], house_no="12 หมู่ 2", moo=1
        )
    assert "house_no" in error_fields(excinfo)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("12 / 3", "12/3"), ("เลขที่ 12/3", "12/3"), ("บ้านเลขที่ ๑๒/๓", "12/3"), ("12/03", "12/03")],
)
def test_a_house_no_is_stored_without_spaces_or_the_words_house_no(
    personas, area_tree, typed, stored
):
    """The page shows "บ้านเลขที่" before it; zeros are kept, 12/03 is not assumed 12/3."""
    household = services.household_register(
        actor=personas["district_coordinator_a"], area=area_tree["86010101"], house_no=typed
    )
    assert household.house_no == stored


def test_district_is_not_a_household_area(personas, area_tree):
    with pytest.raises(ValidationError) as excinfo:
        services.household_register(actor=personas["national_admin"], area=area_tree["8601"])
    assert "area" in error_fields(excinfo)


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        ("48.85", "2.35", "latitude"),  # Paris
        ("13.75", "120.5", "longitude"),  # the Philippines
        ("100.5", "13.7", "latitude"),  # swapped
        ("13.75", "", "longitude"),  # only one
        ("สิบ", "99.1", "latitude"),  # not a number
        ("NaN", "99.1", "latitude"),
        ("1e1", "99.1", "latitude"),  # a number, but not as anyone writes a coordinate
        ("10.5", "9.9e1", "longitude"),
    ],
)
def test_gps_point_must_lie_in_thailand(lat, lon, field):
    with pytest.raises(ValidationError) as excinfo:
        cleaning.clean_gps(lat, lon)
    assert field in error_fields(excinfo)


def test_gps_accepts_thai_digits_and_rounds():
    assert cleaning.clean_gps("๑๐.๕", "99.12345678") == (Decimal("10.500000"), Decimal("99.123457"))
    assert cleaning.clean_gps("", None) == (None, None)


def test_gps_takes_a_point_pasted_whole_into_the_latitude():
    point = (Decimal("10.498600"), Decimal("99.180100"))
    assert cleaning.clean_gps("10.4986, 99.1801", "") == point  # as a map app copies it
    assert cleaning.clean_gps(" 10.4986 99.1801 ", None) == point


@pytest.mark.parametrize(
    ("lat", "lon", "point"),
    [
        ("10°29'N", "99°11'E", ("10.483333", "99.183333")),
        ("10°29'30\"N", "99°11′00″E", ("10.491667", "99.183333")),
        ("๑๐°๒๙'", "99° 11' E", ("10.483333", "99.183333")),  # no letter: north, east
        ("N10°29.5'", "e99°11'", ("10.491667", "99.183333")),
        ("10°29'30\"N 99°11'02\"E", "", ("10.491667", "99.183889")),  # pasted whole
        ("10° 29' N, 99° 11' E", None, ("10.483333", "99.183333")),
    ],
)
def test_gps_in_degrees_and_minutes_is_converted(lat, lon, point):
    assert cleaning.clean_gps(lat, lon) == tuple(Decimal(value) for value in point)


@pytest.mark.parametrize(
    ("lat", "lon", "field", "code"),
    [
        ("10°61'N", "99°11'E", "latitude", "gps_minutes"),
        ("10°29'70\"N", "99°11'E", "latitude", "gps_minutes"),
        ("10°29'E", "99°11'E", "latitude", "gps_hemisphere"),
        ("10°29'N", "99°11'N", "longitude", "gps_hemisphere"),
        ("N10°29'N", "99°11'E", "latitude", "gps_hemisphere"),
        ("10°29'S", "99°11'E", "latitude", "gps_outside"),  # south: not Thailand
        ("10°29'N", "99°11'W", "longitude", "gps_outside"),
        ("10°N29'", "99°11'E", "latitude", "gps_number"),
    ],
)
def test_gps_in_degrees_that_make_no_sense_are_refused(lat, lon, field, code):
    with pytest.raises(ValidationError) as excinfo:
        cleaning.clean_gps(lat, lon)
    assert [error.code for error in excinfo.value.error_dict[field]] == [code]


def test_a_longitude_that_is_no_number_gets_a_longitude_example():
    with pytest.raises(ValidationError) as excinfo:
        cleaning.clean_gps("10.5", "ร้อย")
    [message] = excinfo.value.message_dict["longitude"]
    assert "99.180" in message


def test_address_reasons_come_together(area_tree):
    with pytest.raises(ValidationError) as excinfo:
        cleaning.household_clean_address(
            area=area_tree["86010101"], house_no="ไม่มี", ownership="castle", moo=3
        )
    assert error_fields(excinfo) == {"house_no", "ownership", "moo"}


# --- Updating and status -------------------------------------------------------------------


def address_of(household: Household, **changes) -> dict:
    values = {name: getattr(household, name) for name in cleaning.ADDRESS_FIELDS}
    return {**values, **changes}


def test_stale_household_edit_is_a_conflict(world, personas):
    household = world.households["a1"]
    actor = personas["district_coordinator_a"]
    services.household_update(
        actor=actor, household=household, version=1, **address_of(household, road="ถนนใหม่")
    )
    stale = Household.objects.get(pk=household.pk)
    with pytest.raises(ConflictError):
        services.household_update(
            actor=actor, household=stale, version=1, **address_of(stale, soi="อื่น")
        )
    household.refresh_from_db()
    assert (household.road, household.soi, household.version) == ("ถนนใหม่", "", 2)


def test_moving_village_within_subdistrict_moves_people_and_consents(world, personas, area_tree):
    household = world.households["a1"]
    services.household_update(
        actor=personas["district_coordinator_a"],
        household=household,
        version=household.version,
        area=area_tree["86010102"],
        **address_of(household, moo=None),
    )
    person = world.people["a1"]
    person.refresh_from_db()
    assert person.area_id == "86010102"
    assert set(Consent.objects.filter(person=person).values_list("area_id", flat=True)) == {
        "86010102"
    }


def test_moving_to_another_subdistrict_by_edit_is_refused(world, personas, area_tree):
    household = world.households["a1"]
    with pytest.raises(ValidationError) as excinfo:
        services.household_update(
            actor=personas["district_coordinator_a"],
            household=household,
            version=household.version,
            area=area_tree["86010201"],
            **address_of(household, moo=None),
        )
    assert "area" in error_fields(excinfo)
    household.refresh_from_db()
    assert household.area_id == "86010101"


def test_volunteer_cannot_edit_a_household_not_assigned_to_them(world, personas):
    household = world.households["a2"]
    with pytest.raises(PermissionDenied):
        services.household_update(
            actor=personas["volunteer_a"],
            household=household,
            version=1,
            **address_of(household, road="x"),
        )
    household.refresh_from_db()
    assert household.road == ""


def test_status_changes_follow_the_table(world, personas):
    household = world.households["a1"]
    actor = personas["district_coordinator_a"]
    services.household_set_status(actor=actor, household=household, status="closed", reason="ย้าย")
    with pytest.raises(ValidationError):
        services.household_set_status(actor=actor, household=household, status="moved", reason="x")
    with pytest.raises(ValidationError):
        services.household_set_status(actor=actor, household=household, status="active", reason="")
    services.household_set_status(actor=actor, household=household, status="active", reason="กลับ")
    assert Household.objects.filter(pk=household.pk).exists()
    assert [e.details["to"] for e in audits("household.status")] == ["active", "closed"]


def test_members_move_away_with_their_household_and_come_back_with_it(world, personas):
    """Closed or moved, nobody lives there: its members are "moved away" too. Opened again
    by mistake or on return, the same members live there again, not one who left before."""
    household = world.households["a1"]
    actor = personas["district_coordinator_a"]
    PersonFactory.create_batch(2, household=household)
    living = list(household.members.filter(status=PersonStatus.ACTIVE).order_by("pk"))
    left_before = living[0]
    left_before.status = PersonStatus.MOVED
    left_before.save()
    services.household_set_status(
        actor=actor, household=household, status="closed", reason="ย้ายไปกรุงเทพฯ ทั้งบ้าน"
    )
    assert not household.members.filter(status=PersonStatus.ACTIVE).exists()
    household.refresh_from_db()
    assert household.member_count == 0
    [change, *_] = selectors.household_status_changes(household=household)
    assert (change.reason, change.by) == (
        "ย้ายไปกรุงเทพฯ ทั้งบ้าน",
        actor.get_full_name() or actor.username,
    )
    services.household_set_status(actor=actor, household=household, status="active", reason="กลับ")
    back = set(household.members.filter(status=PersonStatus.ACTIVE))
    assert back == set(living[1:])
    household.refresh_from_db()
    assert household.member_count == len(living) - 1
    # Moved away, then closed, then back: those who left with the move come back too.
    for status in ("moved", "closed", "active"):
        services.household_set_status(actor=actor, household=household, status=status, reason="x")
    assert set(household.members.filter(status=PersonStatus.ACTIVE)) == set(living[1:])


def test_a_head_who_moves_out_and_back_is_head_again(world, personas):
    household = world.households["a1"]
    head = household.head
    assert head is not None and head.relation == "head"
    actor = personas["district_coordinator_a"]
    services.person_set_status(actor=actor, person=head, status="moved", reason="ไปทำงาน")
    household.refresh_from_db()
    assert household.head_id is None
    head.refresh_from_db()
    services.person_set_status(actor=actor, person=head, status="active", reason="กลับมา")
    household.refresh_from_db()
    assert household.head_id == head.pk


# --- Assigning volunteers ------------------------------------------------------------------


def test_assign_and_unassign_a_volunteer(world, personas):
    household = world.households["a2"]
    volunteer = VolunteerFactory.create(area_id="860101")
    actor = personas["district_coordinator_a"]
    services.household_assign_volunteer(actor=actor, household=household, volunteer=volunteer)
    with pytest.raises(ValidationError):
        services.household_assign_volunteer(actor=actor, household=household, volunteer=volunteer)
    services.household_unassign_volunteer(actor=actor, household=household, volunteer=volunteer)
    assert not household.volunteers.exists()
    assert len(audits("household.assign")) == 1
    assert len(audits("household.unassign")) == 1


@pytest.mark.parametrize(
    ("area", "status"),
    [("860102", VolunteerStatus.ACTIVE), ("860101", VolunteerStatus.RESIGNED)],
)
def test_volunteer_must_serve_the_subdistrict_and_be_active(world, personas, area, status):
    volunteer = VolunteerFactory.create(area_id=area, status=status)
    with pytest.raises(ValidationError) as excinfo:
        services.household_assign_volunteer(
            actor=personas["district_coordinator_a"],
            household=world.households["a2"],
            volunteer=volunteer,
        )
    assert "volunteer" in error_fields(excinfo)
    assert not HouseholdAssignment.objects.filter(volunteer=volunteer).exists()


def test_a_volunteer_does_not_assign_volunteers(world, personas):
    colleague = VolunteerFactory.create(area_id="860101")
    with pytest.raises(PermissionDenied):
        services.household_assign_volunteer(
            actor=personas["volunteer_a"], household=world.households["a1"], volunteer=colleague
        )
    assert not HouseholdAssignment.objects.filter(volunteer=colleague).exists()


# --- People --------------------------------------------------------------------------------


def test_the_same_citizen_id_is_never_registered_twice(world, personas):
    digits = new_citizen_id()
    actor = personas["national_admin"]
    services.person_add(
        actor=actor, household=world.households["a1"], data=somchai(citizen_id=digits),
        consent=CONSENT,
    )  # fmt: skip
    dashed = citizen_id.formatted(digits)
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=actor,
            household=world.households["s1"],  # another province: still refused
            data=somchai(citizen_id=dashed, first_name="สมชัย"),
            consent=CONSENT,
        )
    assert "citizen_id" in error_fields(excinfo)
    assert Person.objects.filter(first_name="สมชัย").count() == 0


def test_bad_checksum_is_refused(world, personas):
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=personas["district_coordinator_a"],
            household=world.households["a1"],
            data=somchai(citizen_id=bad_checksum(new_citizen_id())),
            consent=CONSENT,
        )
    assert excinfo.value.error_dict["citizen_id"][0].code == "citizen_id_checksum"


def test_without_citizen_id_a_document_is_required(world, personas):
    actor, household = personas["district_coordinator_a"], world.households["a1"]
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=actor, household=household, data=somchai(citizen_id=""), consent=CONSENT
        )
    assert "document_type" in error_fields(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=actor,
            household=household,
            data=somchai(citizen_id="", document_type="passport"),
            consent=CONSENT,
        )
    assert "document_no" in error_fields(excinfo)
    with pytest.raises(ValidationError) as excinfo:  # a number of no document: which one?
        services.person_add(
            actor=actor,
            household=household,
            data=somchai(citizen_id="", document_type="none", document_no="ท.12345"),
            consent=CONSENT,
        )
    assert excinfo.value.error_dict["document_no"][0].code == "document_no_without_document"
    person = services.person_add(
        actor=actor,
        household=household,
        data=somchai(citizen_id="", document_type="none"),
        consent=CONSENT,
    )
    assert (person.citizen_id_hash, person.document_no) == ("", "")


def test_a_citizen_id_and_another_document_contradict_each_other(world, personas):
    actor, household = personas["district_coordinator_a"], world.households["a1"]
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=actor,
            household=household,
            data=somchai(document_type="pink_card", document_no="0-0000-00000-00-1"),
            consent=CONSENT,
        )
    assert "document_type" in error_fields(excinfo)
    person = services.person_add(
        actor=actor, household=household, data=somchai(document_type="none"), consent=CONSENT
    )
    assert person.citizen_id_hash and person.document_type in ("", "none")


@pytest.mark.parametrize("birth_year", [1957, 2020])
def test_a_pregnancy_at_an_implausible_age_is_questioned(world, personas, birth_year):
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=personas["district_coordinator_a"],
            household=world.households["a1"],
            data=somchai(
                title="", sex="unspecified", pregnant=True, birth_date=date(birth_year, 1, 1)
            ),
            consent=CONSENT,
        )
    assert "pregnant" in error_fields(excinfo)


def test_citizen_id_is_stored_encrypted_and_hashed(world, personas):
    digits = new_citizen_id()
    person = services.person_add(
        actor=personas["district_coordinator_a"],
        household=world.households["a1"],
        data=somchai(citizen_id=citizen_id.formatted(digits)),
        consent=CONSENT,
    )
    assert digits not in person.citizen_id_encrypted
    assert person.read_citizen_id() == digits
    assert person.citizen_id_hash == citizen_id.lookup_hash(digits)
    assert digits not in str(AuditEvent.objects.values_list("details", flat=True))


def test_person_fields_are_cleaned(world, personas):
    person = services.person_add(
        actor=personas["district_coordinator_a"],
        household=world.households["a1"],
        data=somchai(title="น.ส.", first_name="  มาลี ", sex="", phone="+66 81-234-5678"),
        consent=CONSENT,
    )
    assert (person.title, person.first_name, person.sex, person.phone) == (
        "นางสาว",
        "มาลี",
        "F",
        "0812345678",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": " "}, "first_name"),
        ({"birth_date": TODAY + timedelta(days=2)}, "birth_date"),
        ({"birth_date": date(1850, 1, 1)}, "birth_date"),
        ({"sex": "F"}, "sex"),  # นาย
        ({"phone": "12345"}, "phone"),
        ({"relation": "boss"}, "relation"),
        ({"pregnant": True}, "pregnant"),
        ({"disability_type": "flying"}, "disability_type"),
    ],
)
def test_person_rules(changes, field):
    with pytest.raises(ValidationError) as excinfo:
        cleaning.person_clean(somchai(**changes))
    assert field in error_fields(excinfo)


def test_consent_is_required(world, personas, area_tree):
    with pytest.raises(ValidationError):
        services.household_register(
            actor=personas["district_coordinator_a"],
            area=area_tree["86010101"],
            first_member=somchai(),
        )
    assert not Household.objects.filter(area_id="86010101").exclude(pk=world.households["a1"].pk)
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=personas["district_coordinator_a"],
            household=world.households["a1"],
            data=somchai(),
            consent=replace(CONSENT, purpose=" "),
        )
    assert "purpose" in error_fields(excinfo)


def test_a_young_child_needs_a_guardian_consent(world, personas):
    child = somchai(title="เด็กชาย", birth_date=TODAY.replace(year=TODAY.year - 5), relation="")
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=personas["district_coordinator_a"],
            household=world.households["a1"],
            data=child,
            consent=CONSENT,
        )
    assert "basis" in error_fields(excinfo)
    services.person_add(
        actor=personas["district_coordinator_a"],
        household=world.households["a1"],
        data=child,
        consent=replace(CONSENT, basis=ConsentBasis.GUARDIAN),
    )


def test_a_name_of_invisible_characters_is_no_name(world, personas):
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=personas["district_coordinator_a"],
            household=world.households["a1"],
            data=somchai(first_name="\u200b\u200d\ufeff"),
            consent=CONSENT,
        )
    assert "first_name" in error_fields(excinfo)
    kept = services.person_add(
        actor=personas["district_coordinator_a"],
        household=world.households["a1"],
        data=somchai(first_name="สม\u200bชาย", relation=""),
        consent=CONSENT,
    )
    assert kept.first_name == "สมชาย"  # as search and duplicate checks compare it


def test_a_consent_cannot_come_before_the_birth(world, personas):
    baby = somchai(title="เด็กชาย", birth_date=TODAY.replace(year=TODAY.year - 1), relation="")
    early = replace(CONSENT, basis=ConsentBasis.GUARDIAN, given_on=TODAY.replace(year=2017))
    with pytest.raises(ValidationError) as excinfo:
        services.person_add(
            actor=personas["district_coordinator_a"],
            household=world.households["a1"],
            data=baby,
            consent=early,
        )
    assert "given_on" in error_fields(excinfo)


def test_relation_head_makes_the_head(world, personas):
    household = world.households["a1"]
    old_head = world.people["a1"]
    new_head = services.person_add(
        actor=personas["district_coordinator_a"], household=household, data=somchai(),
        consent=CONSENT,
    )  # fmt: skip
    household.refresh_from_db()
    old_head.refresh_from_db()
    assert household.head == new_head
    assert old_head.relation == ""
    services.person_update(
        actor=personas["district_coordinator_a"],
        person=new_head,
        version=new_head.version,
        data=somchai(citizen_id=None, relation=Relation.SPOUSE),
    )
    household.refresh_from_db()
    assert household.head is None


def test_adding_to_a_closed_household_is_refused(world, personas):
    household = world.households["a1"]
    services.household_set_status(
        actor=personas["district_coordinator_a"], household=household, status="closed", reason="x"
    )
    with pytest.raises(ValidationError):
        services.person_add(
            actor=personas["district_coordinator_a"], household=household, data=somchai(),
            consent=CONSENT,
        )  # fmt: skip


def test_the_same_newcomer_sent_twice_is_added_once(world, personas):
    """Two tabs, or a retry on a weak signal, send the same member without a citizen ID."""
    household = world.households["a1"]
    actor = personas["volunteer_a"]
    first = services.person_add(
        actor=actor,
        household=household,
        data=somchai(citizen_id="", document_type="none"),
        consent=CONSENT,
    )
    before = Person.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.person_add(
            actor=actor,
            household=household,
            data=somchai(citizen_id="", document_type="none"),
            consent=CONSENT,
        )
    assert str(first.pk) in str(refused.value)
    assert Person.objects.count() == before
    services.person_add(  # another name in the same household is another person
        actor=actor,
        household=household,
        data=somchai(citizen_id="", document_type="none", first_name="สมศักดิ์"),
        consent=CONSENT,
    )


def test_volunteer_cannot_add_to_a_household_not_theirs(world, personas):
    before = Person.objects.count()
    with pytest.raises(PermissionDenied):
        services.person_add(
            actor=personas["volunteer_a"], household=world.households["a2"], data=somchai(),
            consent=CONSENT,
        )  # fmt: skip
    assert Person.objects.count() == before
    services.person_add(
        actor=personas["volunteer_a"], household=world.households["a1"], data=somchai(),
        consent=CONSENT,
    )  # fmt: skip


def test_stale_person_edit_is_a_conflict(world, personas):
    person = world.people["a1"]
    actor = personas["district_coordinator_a"]
    data = PersonData(first_name=person.first_name, citizen_id=None, document_type="none")
    services.person_update(
        actor=actor, person=person, version=1, data=replace(data, phone="0811111111")
    )
    stale = Person.objects.get(pk=person.pk)
    with pytest.raises(ConflictError):
        services.person_update(actor=actor, person=stale, version=1, data=data)
    stale.refresh_from_db()
    assert stale.phone == "0811111111"


def test_update_keeps_or_replaces_the_citizen_id(world, personas):
    person = world.people["a1"]
    actor = personas["district_coordinator_a"]
    digits = new_citizen_id()
    services.person_update(
        actor=actor, person=person, version=1, data=PersonData(first_name="ก", citizen_id=digits)
    )
    services.person_update(
        actor=actor, person=person, version=2, data=PersonData(first_name="ข", citizen_id=None)
    )
    person.refresh_from_db()
    assert person.read_citizen_id() == digits
    assert audits("person.update")[0].details["fields"] == ["first_name"]
    taken = world.people["a2"]
    with pytest.raises(ValidationError) as excinfo:
        services.person_update(
            actor=actor, person=taken, version=1, data=PersonData(first_name="ค", citizen_id=digits)
        )
    assert "citizen_id" in error_fields(excinfo)


# --- Recompute -----------------------------------------------------------------------------


def test_recompute_scores_the_active_members(world, personas):
    household = world.households["a2"]
    actor = personas["district_coordinator_a"]
    elderly = services.person_add(
        actor=actor,
        household=household,
        data=somchai(birth_date=date(1940, 1, 1), bedridden=True, lives_alone=True, relation=""),
        consent=CONSENT,
    )
    household.refresh_from_db()
    assert household.member_count == 2
    assert household.vulnerability[0] == "bedridden_alone"
    assert household.priority_score >= 10
    services.person_set_status(actor=actor, person=elderly, status=PersonStatus.DECEASED)
    household.refresh_from_db()
    assert household.member_count == 1  # the one left lives alone now
    assert household.priority_score == WEIGHTS["lives_alone"]
    assert household.vulnerability == ["lives_alone"]


def test_households_recompute_works_in_bulk(world):
    ids = [h.pk for h in world.households.values()]
    Household.objects.update(member_count=0)
    assert services.households_recompute(household_ids=ids) == len(ids)
    assert set(Household.objects.values_list("member_count", flat=True)) == {1}
    assert services.households_recompute(household_ids=ids) == 0  # nothing left to write


def test_the_nightly_run_catches_up_with_birthdays(world):
    services.households_recompute_all()  # the world's factories store no scores
    household = world.households["a1"]
    person = world.people["a1"]
    person.birth_date = TODAY.replace(year=TODAY.year - 60)  # turns 60 today
    person.save(update_fields=["birth_date"])
    before = Household.objects.get(pk=household.pk).vulnerability
    out = StringIO()
    with translation.override("en"):
        call_command("recompute_households", stdout=out)
    assert "elderly" in Household.objects.get(pk=household.pk).vulnerability
    assert "elderly" not in before
    assert out.getvalue().startswith("1 household changed")
    quiet = StringIO()
    call_command("recompute_households", "-v", "0", stdout=quiet)  # from cron: nothing to mail
    assert quiet.getvalue() == ""
    assert services.households_recompute_all() == 0


# --- Consent withdrawal --------------------------------------------------------------------


def test_withdrawal_restricts_the_record(world, personas):
    person = world.people["a1"]
    actor = personas["volunteer_a"]
    consent = person.consents.get()
    assert not services.person_is_restricted(person)
    services.consent_withdraw(actor=actor, consent=consent, withdrawn_on=TODAY, reason="ไม่ประสงค์")
    person = Person.objects.get(pk=person.pk)
    assert services.person_is_restricted(person)
    assert len(audits("consent.withdraw")) == 1
    with pytest.raises(ValidationError):
        services.person_update(
            actor=actor, person=person, version=person.version,
            data=PersonData(first_name="ใหม่", citizen_id=None),
        )  # fmt: skip
    person.refresh_from_db()
    assert person.first_name != "ใหม่"
    services.person_set_status(actor=actor, person=person, status=PersonStatus.MOVED)
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=actor, consent=consent, withdrawn_on=TODAY, reason="x")
    services.consent_record(actor=actor, person=person, data=CONSENT, note="ลงนามอีกครั้ง")
    assert not services.person_is_restricted(Person.objects.get(pk=person.pk))


def test_withdrawal_needs_a_sane_date_and_a_reason(world, personas):
    consent = world.people["a1"].consents.get()
    actor = personas["district_coordinator_a"]
    with pytest.raises(ValidationError) as excinfo:
        services.consent_withdraw(
            actor=actor, consent=consent, withdrawn_on=consent.given_on - timedelta(days=1),
            reason=" ",
        )  # fmt: skip
    assert error_fields(excinfo) == {"withdrawn_on", "reason"}
    consent.refresh_from_db()
    assert consent.is_active


def test_withdrawal_out_of_scope_is_refused(world, personas):
    consent = world.people["b1"].consents.get()
    with pytest.raises(PermissionDenied):
        services.consent_withdraw(
            actor=personas["district_coordinator_a"], consent=consent, withdrawn_on=TODAY,
            reason="x",
        )  # fmt: skip
    consent.refresh_from_db()
    assert consent.is_active


# --- Reads that are logged -----------------------------------------------------------------


def test_revealing_a_citizen_id_is_logged(world, personas):
    digits = new_citizen_id()
    person = world.people["a1"]
    person.set_citizen_id(digits)
    person.save()
    shown = services.person_reveal_citizen_id(actor=personas["volunteer_a"], person=person)
    assert shown == citizen_id.formatted(digits)
    event = audits("person.citizen_id.read")[0]
    assert (event.actor, event.target_id) == (personas["volunteer_a"], str(person.pk))
    with pytest.raises(PermissionDenied):
        services.person_reveal_citizen_id(actor=personas["volunteer_b"], person=person)


# --- Merge ---------------------------------------------------------------------------------


def test_merge_moves_data_and_audits(world, personas):
    survivor = world.people["a1"]
    duplicate = PersonFactory.create(
        household=world.households["a2"],
        first_name=survivor.first_name,
        last_name="",
        phone="0899999999",
        bedridden=True,
        birth_date=survivor.birth_date,
        citizen_id=new_citizen_id(),
    )
    ConsentFactory.create(person=duplicate, purpose="ส่งต่อหน่วยงาน")  # not the survivor's
    services.person_merge(
        actor=personas["district_coordinator_a"], survivor=survivor, duplicate=duplicate
    )
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (PersonStatus.MERGED, survivor)
    assert survivor.phone == "0899999999"
    assert survivor.bedridden
    assert survivor.last_name  # kept: the survivor's own values win
    assert survivor.consents.count() == 2
    assert survivor.read_citizen_id()  # taken from the duplicate
    assert duplicate.citizen_id_hash == ""
    event = audits("person.merge")[0]
    assert (event.details["survivor"], event.details["duplicate"]) == (survivor.pk, duplicate.pk)
    assert Person.objects.filter(pk=duplicate.pk).exists()
    for key in ("a1", "a2"):
        world.households[key].refresh_from_db()
    assert world.households["a1"].vulnerability  # the bedridden flag now counts here
    assert world.households["a2"].member_count == 1
    assert world.households["a2"].status == HouseholdStatus.ACTIVE  # someone still lives there


def test_merge_takes_the_values_chosen_from_the_other_record(world, personas):
    survivor = world.people["a1"]
    survivor.phone, survivor.last_name = "0811111111", "ศรีสุข"
    survivor.save()
    duplicate = PersonFactory.create(
        household=world.households["a2"],
        first_name=survivor.first_name,
        last_name="ศรีสุขใจ",
        phone="0822222222",
        birth_date=date(1950, 3, 1),
    )
    assert "phone" in services.merge_differences(survivor, duplicate)
    with pytest.raises(ValidationError):  # the relation is to another household's head
        services.person_merge(
            actor=personas["district_coordinator_a"],
            survivor=survivor,
            duplicate=duplicate,
            take=["relation"],
        )
    services.person_merge(
        actor=personas["district_coordinator_a"],
        survivor=survivor,
        duplicate=duplicate,
        take=["last_name", "birth_date"],
    )
    survivor.refresh_from_db()
    assert (survivor.last_name, survivor.birth_date) == ("ศรีสุขใจ", date(1950, 3, 1))
    assert survivor.phone == "0811111111"  # not chosen: the survivor's own
    assert survivor.name_key == name_key(survivor.first_name, "ศรีสุขใจ")
    assert audits("person.merge")[0].details["taken"] == ["last_name", "birth_date"]


def test_merge_does_not_give_the_survivor_a_consent_it_holds_already(world, personas):
    """The same consent recorded on both records shows once on the survivor's page; another
    consent of the duplicate moves to it."""
    survivor = world.people["a1"]
    survivor.consents.all().delete()
    held = ConsentFactory.create(person=survivor)
    duplicate = PersonFactory.create(
        household=world.households["a2"],
        first_name=survivor.first_name,
        birth_date=survivor.birth_date,
        citizen_id="",
    )
    same = ConsentFactory.create(person=duplicate)
    other = ConsentFactory.create(person=duplicate, purpose="ส่งต่อหน่วยงาน")
    services.person_merge(
        actor=personas["district_coordinator_a"], survivor=survivor, duplicate=duplicate
    )
    assert set(survivor.consents.all()) == {held, other}
    same.refresh_from_db()
    assert same.person_id == duplicate.pk  # kept, with the merged record
    assert audits("person.merge")[0].details["consents_moved"] == 1


def test_merge_keeps_a_citizen_id_without_a_stand_in_document(world, personas):
    survivor = world.people["a1"]
    survivor.set_citizen_id(new_citizen_id())
    survivor.save()
    duplicate = PersonFactory.create(
        household=world.households["a1"], document_type="none", phone="0899999999"
    )
    services.person_merge(
        actor=personas["district_coordinator_a"], survivor=survivor, duplicate=duplicate
    )
    survivor.refresh_from_db()
    assert (survivor.document_type, survivor.phone) == ("", "0899999999")
    assert "document_type" not in audits("person.merge")[0].details["filled"]


def test_merge_closes_the_household_it_leaves_empty(world, personas):
    survivor = world.people["a1"]
    alone = HouseholdFactory.create(area_id=survivor.area_id)
    duplicate = PersonFactory.create(household=alone, first_name=survivor.first_name)
    services.person_merge(
        actor=personas["district_coordinator_a"], survivor=survivor, duplicate=duplicate
    )
    alone.refresh_from_db()
    assert alone.status == HouseholdStatus.CLOSED
    [closed] = audits("household.status")
    assert closed.details["to"] == HouseholdStatus.CLOSED
    assert "merged" in closed.details["reason"] or "รวม" in closed.details["reason"]


def test_merge_with_the_same_citizen_id_frees_the_duplicates_hash(world, personas):
    digits = new_citizen_id()
    survivor = world.people["a1"]
    survivor.set_citizen_id(digits)
    survivor.save()
    duplicate = PersonFactory.create(household=world.households["a1"])
    Person.objects.filter(pk=duplicate.pk).update(citizen_id_encrypted=citizen_id.encrypt(digits))
    duplicate.refresh_from_db()
    services.person_merge(
        actor=personas["province_officer"], survivor=survivor, duplicate=duplicate
    )
    duplicate.refresh_from_db()
    assert duplicate.citizen_id_hash == ""
    assert Person.objects.filter(citizen_id_hash=citizen_id.lookup_hash(digits)).get() == survivor


def test_merge_refuses_different_citizen_ids(world, personas):
    first, second = world.people["a1"], world.people["a2"]
    for person in (first, second):
        person.set_citizen_id(new_citizen_id())
        person.save()
    with pytest.raises(ValidationError):
        services.person_merge(
            actor=personas["district_coordinator_a"], survivor=first, duplicate=second
        )
    second.refresh_from_db()
    assert second.status == PersonStatus.ACTIVE


@pytest.mark.parametrize("actor", ["district_coordinator_a", "volunteer_a", "auditor"])
def test_merge_out_of_scope_is_refused_and_changes_nothing(world, personas, actor):
    survivor, duplicate = world.people["a1"], world.people["b1"]
    before = (Person.objects.values().order_by("pk")[::1], Consent.objects.count())
    with pytest.raises(PermissionDenied):
        services.person_merge(actor=personas[actor], survivor=survivor, duplicate=duplicate)
    assert (Person.objects.values().order_by("pk")[::1], Consent.objects.count()) == before
    assert not audits("person.merge")


def test_merge_twice_or_with_itself_is_refused(world, personas):
    actor = personas["province_officer"]
    first, second = world.people["a1"], world.people["a2"]
    with pytest.raises(ValidationError):
        services.person_merge(actor=actor, survivor=first, duplicate=first)
    services.person_merge(actor=actor, survivor=first, duplicate=second)
    with pytest.raises(ValidationError):
        services.person_merge(actor=actor, survivor=first, duplicate=second)


def test_merge_with_a_stale_version_is_a_conflict(world, personas):
    with pytest.raises(ConflictError):
        services.person_merge(
            actor=personas["province_officer"],
            survivor=world.people["a1"],
            duplicate=world.people["a2"],
            survivor_version=7,
        )
    assert Person.objects.filter(status=PersonStatus.MERGED).count() == 0


def test_a_future_birth_date_is_one_error_not_three():
    future = date.today() + timedelta(days=30)
    consent = ConsentData(basis="consent", purpose="ดูแล", given_on=date.today())
    # The birth date itself is refused by person_clean; the consent is not blamed for it.
    assert cleaning.consent_clean(consent, birth_date=future) == consent


def test_a_withdrawal_withdraws_every_consent_the_person_had_given(world, personas):
    person = world.people["a1"]
    later = ConsentFactory.create(person=person, given_on=date(2025, 6, 1))
    first = person.consents.exclude(pk=later.pk).get()
    services.consent_withdraw(
        actor=personas["district_coordinator_a"],
        consent=first,
        withdrawn_on=date(2025, 7, 1),
        reason="ไม่ประสงค์ให้เก็บข้อมูล",
    )
    assert not any(c.is_active for c in person.consents.all())
    assert services.person_is_restricted(Person.objects.get(pk=person.pk))
    assert len(audits("consent.withdraw")) == 2


def test_a_consent_given_after_the_withdrawal_date_stays(world, personas):
    person = world.people["a1"]
    again = ConsentFactory.create(person=person, given_on=TODAY)
    first = person.consents.exclude(pk=again.pk).get()
    services.consent_withdraw(
        actor=personas["district_coordinator_a"],
        consent=first,
        withdrawn_on=TODAY - timedelta(days=30),
        reason="ไม่ประสงค์",
    )
    again.refresh_from_db()
    assert again.is_active and not services.person_is_restricted(person)


def test_a_withdrawn_record_is_not_merged_into_one_that_was_not(world, personas):
    coordinator = personas["district_coordinator_a"]
    survivor = world.people["a1"]
    duplicate = world.people["a2"]
    services.consent_withdraw(
        actor=coordinator,
        consent=duplicate.consents.get(),
        withdrawn_on=TODAY,
        reason="ไม่ประสงค์",
    )
    with pytest.raises(ValidationError):
        services.person_merge(actor=coordinator, survivor=survivor, duplicate=duplicate)
    assert Person.objects.get(pk=duplicate.pk).status == PersonStatus.ACTIVE
    services.consent_withdraw(
        actor=coordinator, consent=survivor.consents.get(), withdrawn_on=TODAY, reason="ไม่ประสงค์"
    )
    services.person_merge(actor=coordinator, survivor=survivor, duplicate=duplicate)
    assert services.person_is_restricted(Person.objects.get(pk=survivor.pk))
