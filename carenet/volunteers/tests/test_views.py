"""Volunteer and centre pages: the access matrix, the forms, and fixed query counts.

In scope: 200. Out of scope: 404, the same page as a record that does not exist. Anonymous: sent
to sign in. A refused POST changes nothing.
"""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from carenet.accounts import disclosure
from carenet.accounts.models import AreaAssignment, Role, User
from carenet.accounts.tests.factories import PASSWORD, AreaAssignmentFactory, UserFactory
from carenet.areas.models import Area, Level
from carenet.core import citizen_id as cid
from carenet.core import thaidate
from carenet.core.models import AuditEvent
from carenet.volunteers.models import (
    Centre,
    CommitteeMembership,
    Position,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)
from carenet.volunteers.tests.factories import (
    CentreFactory,
    CommitteeMembershipFactory,
    VolunteerFactory,
    VolunteerStatusChangeFactory,
    valid_citizen_id,
)
from conftest import PERSONAS, login, page_body

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ต้นไม้สูงใหญ่-2569"


def in_thai(msgid: str) -> str:
    """A message as the pages show it by default (English until the catalogue has its Thai)."""
    with translation.override("th"):
        return translation.gettext(msgid)


def told(response) -> list[str]:
    """The messages a response left for the next page, in the active language."""
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def world(area_tree, personas):
    """A volunteer in ท่าตะเภา (volunteer_a's own record), one in ท่าแซะ, and two centres."""
    own = VolunteerFactory(
        area=area_tree["860101"],
        user=personas["volunteer_a"],
        villages=[area_tree["86010101"]],
        first_name="มาลี",
        last_name="ศรีสุข",
    )
    VolunteerStatusChangeFactory(volunteer=own)
    thasae = VolunteerFactory(area=area_tree["860201"], first_name="สมชาย", last_name="ท่าแซะ")
    centre_a = CentreFactory(area=area_tree["8601"])
    centre_b = CentreFactory(area=area_tree["8602"])
    seat = CommitteeMembershipFactory(centre=centre_a, volunteer=own, position=Position.CHAIR)
    return {
        "own": own,
        "thasae": thasae,
        "centre_a": centre_a,
        "centre_b": centre_b,
        "seat": seat,
    }


VIEWERS = {
    # persona: which of the world's volunteers they may open
    "national_admin": {"own", "thasae"},
    "auditor": {"own", "thasae"},
    "province_officer": {"own", "thasae"},
    "district_coordinator_a": {"own"},
    "district_coordinator_b": {"thasae"},
    "volunteer_a": {"own"},
    "volunteer_b": set(),
}
MANAGERS = {
    "national_admin": {"own", "thasae"},
    "province_officer": {"own", "thasae"},
    "district_coordinator_a": {"own"},
    "district_coordinator_b": {"thasae"},
}
CENTRE_VIEWERS = {
    "national_admin": {"centre_a", "centre_b"},
    "auditor": {"centre_a", "centre_b"},
    "province_officer": {"centre_a", "centre_b"},
    "district_coordinator_a": {"centre_a"},
    "district_coordinator_b": {"centre_b"},
}


def test_required_url_names_resolve():
    assert reverse("volunteers:list") == "/volunteers/"
    assert reverse("volunteers:me") == "/volunteers/me/"
    assert reverse("volunteers:create") == "/volunteers/new/"
    assert reverse("volunteers:centre_list") == "/volunteers/centres/"
    assert reverse("reports:centre", args=[1]) == "/volunteers/centres/1/"
    for name in ("detail", "edit", "status"):
        assert reverse(f"volunteers:{name}", args=[1])


# --- the access matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_volunteer_page_in_scope_opens_and_out_of_scope_looks_missing(client, world, persona):
    login(client, persona)
    missing_path = reverse("volunteers:detail", args=[999_999])
    missing = client.get(missing_path)
    assert missing.status_code == 404
    for name in ("own", "thasae"):
        path = reverse("volunteers:detail", args=[world[name].pk])
        response = client.get(path)
        if name in VIEWERS[persona]:
            assert response.status_code == 200, name
            assert response.context["volunteer"] == world[name]
        else:
            assert response.status_code == 404, name
            assert page_body(response, path) == page_body(missing, missing_path)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["edit", "status", "password"])
def test_change_pages_open_for_managers_in_scope_only(client, world, persona, page):
    login(client, persona)
    for name in ("own", "thasae"):
        response = client.get(reverse(f"volunteers:{page}", args=[world[name].pk]))
        if persona not in MANAGERS:
            assert response.status_code == 403  # the role changes nothing anywhere
        elif name in MANAGERS[persona]:
            assert response.status_code == 200
        else:
            assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_only_the_volunteers_in_scope(client, world, persona):
    login(client, persona)
    response = client.get(reverse("volunteers:list"))
    assert response.status_code == 200
    shown = set(response.context["page"].object_list)
    assert shown == {world[name] for name in VIEWERS[persona]}
    assert ('data-testid="register"' in response.text) == (persona in MANAGERS)


def test_the_list_links_to_an_export_of_its_area_and_status(client, world):
    login(client, "district_coordinator_a")
    response = client.get(reverse("volunteers:list"), {"area": "860101", "status": "active"})
    links = re.findall(r'href="([^"]+)"', response.text.split('data-testid="export-list"')[1][:600])
    assert links[0].endswith("volunteers.xlsx?area=860101&amp;status=active")
    assert links[1].endswith("volunteers.csv?area=860101&amp;status=active")
    # A name search is not part of an export: no link that would say otherwise.
    searched = client.get(reverse("volunteers:list"), {"q": "มาลี"})
    assert 'data-testid="export-list"' not in searched.text
    login(client, "volunteer_a")
    assert 'data-testid="export-list"' not in client.get(reverse("volunteers:list")).text


@pytest.fixture
def leavers(world, area_tree):
    """Besides world's two active volunteers: one inactive, resigned and deceased in ท่าตะเภา."""
    return {
        status: VolunteerFactory(area=area_tree["860101"], status=status)
        for status in (
            VolunteerStatus.INACTIVE,
            VolunteerStatus.RESIGNED,
            VolunteerStatus.DECEASED,
        )
    }


def test_the_list_shows_the_network_unless_asked_for_every_status(client, world, leavers):
    login(client, "district_coordinator_a")
    response = client.get(reverse("volunteers:list"))
    shown = set(response.context["page"].object_list)
    assert shown == {world["own"], leavers[VolunteerStatus.INACTIVE]}
    assert 'data-testid="in-network"' in response.text
    [more] = re.findall(r'data-testid="outside-network">([^<]*)<', response.text)
    assert "2" in more
    assert not response.context["filtered"]
    response = client.get(reverse("volunteers:list"), {"status": "all"})
    assert len(response.context["page"].object_list) == 4
    assert 'data-testid="outside-network"' not in response.text
    response = client.get(reverse("volunteers:list"), {"status": "resigned"})
    assert list(response.context["page"].object_list) == [leavers[VolunteerStatus.RESIGNED]]
    # What is downloaded is what is listed.
    response = client.get(reverse("volunteers:list"), {"area": "860101"})
    assert "status=network" in response.text.split('data-testid="export-list"')[1][:600]


def test_a_name_found_only_by_its_sound_is_said_to_sound_alike(client, world):
    login(client, "district_coordinator_a")
    response = client.get(reverse("volunteers:list"), {"q": "มาลี ศรีสุข"})
    assert 'data-testid="sound-alike"' not in response.text
    response = client.get(reverse("volunteers:list"), {"q": "มาลี ศรีสุก"})
    assert list(response.context["page"].object_list) == [world["own"]]
    assert 'data-testid="sound-alike"' in response.text
    # Out of scope stays out, by sound too; an anonymous visitor is sent to sign in.
    login(client, "district_coordinator_b")
    response = client.get(reverse("volunteers:list"), {"q": "มาลี ศรีสุก"})
    assert not response.context["page"].object_list
    assert 'data-testid="sound-alike"' not in response.text
    response = client.get(reverse("volunteers:list"), {"q": "สมชาย ทาแซ"})
    assert list(response.context["page"].object_list) == [world["thasae"]]
    client.logout()
    response = client.get(reverse("volunteers:list"), {"q": "มาลี ศรีสุก"})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_narrows_to_a_village_once_a_subdistrict_is_chosen(client, world, area_tree):
    other = VolunteerFactory(area=area_tree["860101"], villages=[area_tree["86010102"]])
    login(client, "district_coordinator_a")
    response = client.get(reverse("volunteers:list"))
    assert 'name="village"' not in response.text
    response = client.get(reverse("volunteers:list"), {"area": "860101"})
    assert 'name="village"' in response.text
    response = client.get(reverse("volunteers:list"), {"area": "860101", "village": "86010102"})
    assert list(response.context["page"].object_list) == [other]
    # Out of scope: the subdistrict is refused, and no village of it is offered.
    login(client, "district_coordinator_b")
    response = client.get(reverse("volunteers:list"), {"area": "860101", "village": "86010102"})
    assert 'name="village"' not in response.text
    assert other not in response.context["page"].object_list
    client.logout()
    response = client.get(reverse("volunteers:list"), {"area": "860101"})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_sorts_by_name_or_latest_registration(client, world, area_tree):
    late = VolunteerFactory(
        area=area_tree["860101"], first_name="กมล", registration_date=date(2025, 1, 1)
    )
    early = VolunteerFactory(
        area=area_tree["860101"], first_name="อรุณ", registration_date=date(2020, 1, 1)
    )
    login(client, "district_coordinator_a")
    response = client.get(reverse("volunteers:list"), {"order": "registered"})
    assert list(response.context["page"].object_list) == [late, world["own"], early]
    response = client.get(reverse("volunteers:list"), {"order": "name"})
    names = [v.first_name for v in response.context["page"].object_list]
    assert names.index("กมล") < names.index("มาลี") < names.index("อรุณ")


@pytest.mark.parametrize("persona", PERSONAS)
def test_centre_pages_are_scoped(client, world, persona):
    login(client, persona)
    response = client.get(reverse("volunteers:centre_list"))
    assert response.status_code == 200
    allowed = CENTRE_VIEWERS.get(persona, set())
    assert {c.pk for c in response.context["centres"]} == {world[n].pk for n in allowed}
    missing_path = reverse("reports:centre", args=[999_999])
    missing = client.get(missing_path)
    for name in ("centre_a", "centre_b"):
        path = reverse("reports:centre", args=[world[name].pk])
        response = client.get(path)
        if name in allowed:
            assert response.status_code == 200
        else:
            assert response.status_code == 404
            assert page_body(response, path) == page_body(missing, missing_path)


def every_url(world) -> list[str]:
    own, centre, seat = world["own"].pk, world["centre_a"].pk, world["seat"].pk
    return [
        reverse("volunteers:list"),
        reverse("volunteers:create"),
        reverse("volunteers:me"),
        reverse("volunteers:villages") + "?area=860101",
        reverse("volunteers:detail", args=[own]),
        reverse("volunteers:edit", args=[own]),
        reverse("volunteers:status", args=[own]),
        reverse("volunteers:status_undo", args=[own]),
        reverse("volunteers:citizen_id", args=[own]),
        reverse("volunteers:account", args=[own]),
        reverse("volunteers:password", args=[own]),
        reverse("volunteers:centre_list"),
        reverse("volunteers:centre_create"),
        reverse("reports:centre", args=[centre]),
        reverse("volunteers:centre_phone", args=[centre]),
        reverse("volunteers:seat_add", args=[centre]),
        reverse("volunteers:seat_end", args=[seat]),
    ]


def test_anonymous_users_are_sent_to_sign_in(client, world):
    for url in every_url(world):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url


def test_a_user_without_a_role_is_refused(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_user("norole", password="x"))
    for url in every_url(world):
        expected = 200 if url == reverse("volunteers:me") else 403
        assert client.get(url).status_code in (expected, 405), url


# --- refused writes change nothing ------------------------------------------------------------


def state(volunteer: Volunteer) -> tuple:
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    return (
        volunteer.first_name,
        volunteer.status,
        volunteer.version,
        volunteer.user_id,
        Volunteer.objects.filter(pk=volunteer.pk).values_list("user__password", flat=True).get(),
        VolunteerStatusChange.objects.count(),
        CommitteeMembership.objects.count(),
        Centre.objects.count(),
        AuditEvent.objects.count(),
    )


def edit_post(volunteer: Volunteer, **changes: object) -> dict[str, object]:
    data = {
        "citizen_id": "",
        "title": volunteer.title,
        "first_name": "เปลี่ยนแล้ว",
        "last_name": volunteer.last_name,
        "area": volunteer.area_id,
        "version": volunteer.version,
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_coordinator_b", 404),
        ("auditor", 403),
        ("volunteer_a", 403),  # their own record: they see it but do not change it
        ("volunteer_b", 403),
    ],
)
def test_denied_posts_change_nothing(client, world, persona, expected):
    login(client, persona)
    own = world["own"]
    before = state(own)
    posts = [
        (reverse("volunteers:edit", args=[own.pk]), edit_post(own)),
        (
            reverse("volunteers:status", args=[own.pk]),
            {"to_status": "deceased", "effective_date": "01/01/2568", "reason": "x"},
        ),
        (reverse("volunteers:status_undo", args=[own.pk]), {"change": 1, "reason": "x"}),
        (reverse("volunteers:account", args=[own.pk]), {"username": "u", "password": "p" * 12}),
        (
            reverse("volunteers:password", args=[own.pk]),
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ),
        (
            reverse("volunteers:seat_add", args=[world["centre_a"].pk]),
            {"volunteer": own.pk, "position": "member", "term_start": "01/01/2568"},
        ),
        (reverse("volunteers:seat_end", args=[world["seat"].pk]), {"term_end": "01/01/2568"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == expected, url
    # Registering in another district: the form says why (the page itself is theirs to open).
    response = client.post(reverse("volunteers:create"), register_post())
    assert response.status_code == (200 if persona in MANAGERS else 403)
    assert state(own) == before
    assert Volunteer.objects.count() == 2


def test_citizen_id_read_out_of_scope_is_404_and_not_logged(client, world):
    login(client, "district_coordinator_b")
    before = AuditEvent.objects.count()
    response = client.post(reverse("volunteers:citizen_id", args=[world["own"].pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("area", ["8602", "860201", "86010101"])
def test_centre_create_out_of_scope_creates_nothing(client, world, area_tree, area):
    world["centre_b"].delete()
    login(client, "district_coordinator_a")
    before = Centre.objects.count()
    response = client.post(reverse("volunteers:centre_create"), {"area": area})
    assert response.status_code == 302
    assert Centre.objects.count() == before
    assert told(response) == [
        in_thai("A centre can be opened only for a province, district or subdistrict you manage.")
    ]


# --- pages at work ----------------------------------------------------------------------------


def test_detail_masks_the_citizen_id_until_asked(client, world):
    own = world["own"]
    digits = own.read_citizen_id()
    login(client, "district_coordinator_a")
    page = client.get(reverse("volunteers:detail", args=[own.pk]))
    assert cid.masked(digits) in page.text
    assert digits not in page.text and cid.formatted(digits) not in page.text
    assert not AuditEvent.objects.filter(action="volunteer.citizen_id_read").exists()
    assert client.get(reverse("volunteers:citizen_id", args=[own.pk])).status_code == 405

    shown = client.post(reverse("volunteers:citizen_id", args=[own.pk]))
    assert shown.status_code == 200
    assert cid.formatted(digits) in shown.text
    assert shown["Cache-Control"] == "no-store"
    fragment = client.post(
        reverse("volunteers:citizen_id", args=[own.pk]), headers={"HX-Request": "true"}
    )
    assert cid.formatted(digits) in fragment.text
    assert "<html" not in fragment.text
    assert AuditEvent.objects.filter(action="volunteer.citizen_id_read").count() == 2


def test_detail_shows_history_villages_roles_and_seats(client, world):
    own = world["own"]
    own.other_roles = ["vhv"]
    own.save()
    login(client, "district_coordinator_a")
    response = client.get(reverse("volunteers:detail", args=[own.pk]))
    assert "หมู่ 1 บ้านท่าตะเภา" in response.text
    assert 'data-testid="status-history"' in response.text
    assert str(own.get_other_roles_display()[0]) in response.text
    assert world["centre_a"].name in response.text


def test_a_deceased_volunteers_age_stops_at_their_death(client, world):
    own = world["own"]
    Volunteer.objects.filter(pk=own.pk).update(
        birth_date=date(1969, 1, 4), status=VolunteerStatus.DECEASED
    )
    VolunteerStatusChangeFactory(
        volunteer=own,
        from_status=VolunteerStatus.ACTIVE,
        to_status=VolunteerStatus.DECEASED,
        effective_date=date(2024, 7, 19),
    )
    login(client, "district_coordinator_a")
    response = client.get(reverse("volunteers:detail", args=[own.pk]))
    assert response.context["age"] == 55
    [age] = re.findall(r'data-testid="age">([^<]*)<', response.text)
    assert "55" in age and age != "(55 ปี)"
    VolunteerStatusChange.objects.filter(to_status=VolunteerStatus.DECEASED).delete()
    response = client.get(reverse("volunteers:detail", args=[own.pk]))
    assert response.context["age"] is None  # no date of death: no age rather than a wrong one


def test_a_death_recorded_by_mistake_can_be_taken_back_from_the_volunteers_page(client, world):
    """Deceased has no move onward, so no "Change status": the page links to the undo instead."""
    own = world["own"]
    Volunteer.objects.filter(pk=own.pk).update(status=VolunteerStatus.DECEASED)
    change = VolunteerStatusChangeFactory(
        volunteer=own, from_status=VolunteerStatus.ACTIVE, to_status=VolunteerStatus.DECEASED
    )
    login(client, "district_coordinator_a")
    page = client.get(reverse("volunteers:detail", args=[own.pk])).text
    assert 'data-testid="change-status"' not in page
    assert 'data-testid="undo-status"' in page
    assert 'data-testid="undo"' in client.get(reverse("volunteers:status", args=[own.pk])).text
    VolunteerStatusChange.objects.filter(pk=change.pk).update(
        created_at=change.created_at - timedelta(days=31)
    )
    page = client.get(reverse("volunteers:detail", args=[own.pk])).text
    assert 'data-testid="undo-status"' not in page  # too late to take back


def test_my_profile_shows_the_volunteers_own_record(client, world):
    login(client, "volunteer_a")
    response = client.get(reverse("volunteers:me"))
    assert response.status_code == 200
    assert response.context["volunteer"] == world["own"]
    assert "มาลี" in response.text
    assert 'data-testid="edit"' not in response.text


def test_my_profile_shows_my_centres_and_their_committees(client, world):
    # A volunteer may not open a centre's page, but sees whom to turn to: the district's
    # centre with its chair, and not the other district's.
    login(client, "volunteer_a")
    response = client.get(reverse("volunteers:me"))
    assert [centre for centre, _seats in response.context["my_centres"]] == [world["centre_a"]]
    [(_centre, [chair])] = response.context["my_centres"]
    assert chair.volunteer == world["own"]
    assert 'data-testid="my-centres"' in response.text
    assert world["centre_b"].name not in response.text
    listing = client.get(reverse("volunteers:centre_list"))
    assert reverse("volunteers:me") in listing.text  # pointed to the profile, not "no centre"
    assert client.get(reverse("reports:centre", args=[world["centre_a"].pk])).status_code == 404


def test_my_profile_without_a_record_is_a_friendly_page(client, world):
    login(client, "district_coordinator_a")
    response = client.get(reverse("volunteers:me"))
    assert response.status_code == 200
    assert 'data-testid="no-volunteer-record"' in response.text
    # What to tell the centre, which links the login by typing it on the volunteer's page.
    assert "<strong>district_coordinator_a</strong>" in response.text


def register_post(**changes: object) -> dict[str, object]:
    data = {
        "citizen_id": cid.formatted(valid_citizen_id()),
        "title": "นาง",
        "first_name": "บุญมี",
        "last_name": "ใจงาม",
        "sex": "",
        "birth_date": "17/05/2523",
        "phone": "081 234 5678",
        "area": "860101",
        "villages": ["86010101", "86010102"],
        "registration_no": "45/2568",
        "registration_date": "26/02/2568",
        "other_roles": ["vhv", "civil_defence"],
        "address_area": "860101",
        "address_moo": "2",
    }
    return {**data, **changes}


def test_register_form_creates_a_volunteer(client, world):
    login(client, "district_coordinator_a")
    assert client.get(reverse("volunteers:create") + "?area=860101").status_code == 200
    response = client.post(reverse("volunteers:create"), register_post())
    volunteer = Volunteer.objects.get(first_name="บุญมี")
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:detail", args=[volunteer.pk])
    assert volunteer.birth_date == date(1980, 5, 17)  # typed in BE
    assert volunteer.registration_date == date(2025, 2, 26)
    assert volunteer.villages.count() == 2
    assert volunteer.sex == "F"


def test_ids_of_volunteers_outside_the_scope_are_told_logged_and_limited(
    client, world, monkeypatch
):
    """Told once and logged; past the day's allowance no registration with an ID goes on,
    registered elsewhere or not (accounts.disclosure)."""
    monkeypatch.setattr(disclosure, "ELSEWHERE_PER_DAY", 1)
    login(client, "district_coordinator_a")
    taken = register_post(citizen_id=world["thasae"].read_citizen_id())
    response = client.post(reverse("volunteers:create"), taken)
    assert "นอกพื้นที่ของท่าน" in " ".join(response.context["form"].errors["citizen_id"])
    [told] = AuditEvent.objects.filter(action=disclosure.AUDIT_ACTION)
    assert (told.target_type, told.target_id) == ("volunteers.volunteer", str(world["thasae"].pk))
    for payload in (taken, register_post()):
        response = client.post(reverse("volunteers:create"), payload)
        [reason] = response.context["form"].errors["citizen_id"]
        assert "จนถึงพรุ่งนี้" in reason
    assert not Volunteer.objects.filter(first_name="บุญมี").exists()
    assert AuditEvent.objects.filter(action=disclosure.AUDIT_ACTION).count() == 1


def test_a_likely_same_volunteer_is_shown_before_registering(client, world):
    """Same birth date, a name that sounds the same, another citizen ID (a mistyped one)."""
    same = VolunteerFactory(
        area=world["own"].area, first_name="บุญมี", last_name="ใจงาม", birth_date=date(1980, 5, 17)
    )
    login(client, "district_coordinator_a")
    response = client.post(reverse("volunteers:create"), register_post())
    assert response.status_code == 200
    assert 'data-testid="likely-same"' in response.text
    assert reverse("volunteers:detail", args=[same.pk]) in response.text
    assert 'data-testid="likely-elsewhere"' not in response.text
    assert Volunteer.objects.filter(first_name="บุญมี").count() == 1
    response = client.post(reverse("volunteers:create"), register_post(confirm_distinct="1"))
    assert response.status_code == 302
    assert Volunteer.objects.filter(first_name="บุญมี").count() == 2


def test_a_likely_same_volunteer_out_of_scope_is_not_named(client, world):
    other = VolunteerFactory(
        area=world["thasae"].area, first_name="บุญมี", last_name="ใจงาม", birth_date=date(1980, 5, 17)
    )
    login(client, "district_coordinator_a")
    response = client.post(reverse("volunteers:create"), register_post())
    assert 'data-testid="likely-elsewhere"' in response.text
    assert reverse("volunteers:detail", args=[other.pk]) not in response.text
    assert "ท่าแซะ" not in response.text.split('data-testid="likely-same"')[1].split("</section>")[0]
    login(client, "province_officer")  # who sees both may open the record
    response = client.post(reverse("volunteers:create"), register_post())
    assert reverse("volunteers:detail", args=[other.pk]) in response.text
    assert Volunteer.objects.filter(first_name="บุญมี").count() == 1


def test_another_birth_date_or_the_same_citizen_id_is_not_a_likely_match(client, world):
    digits = valid_citizen_id()
    VolunteerFactory(
        area=world["own"].area, first_name="บุญมี", last_name="ใจงาม", birth_date=date(1981, 5, 17)
    )
    VolunteerFactory(
        area=world["own"].area,
        first_name="บุญมี",
        last_name="ใจงาม",
        birth_date=date(1980, 5, 17),
        citizen_id=digits,
    )
    login(client, "district_coordinator_a")
    response = client.post(reverse("volunteers:create"), register_post(citizen_id=digits))
    assert 'data-testid="likely-same"' not in response.text
    assert "citizen_id" in response.context["form"].errors  # registered already: its own reason


def test_the_home_village_no_takes_thai_digits(client, world):
    login(client, "district_coordinator_a")
    page = client.get(reverse("volunteers:create") + "?area=860101").content.decode()
    [box] = re.findall(r'<input[^>]*name="address_moo"[^>]*>', page)
    assert 'type="text"' in box  # a number box would refuse ๓
    client.post(reverse("volunteers:create"), register_post(address_moo="๓"))
    assert Volunteer.objects.get(first_name="บุญมี").address_moo == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"citizen_id": "1234567890123"}, "citizen_id"),
        ({"citizen_id": "abc"}, "citizen_id"),
        ({"birth_date": "31/02/2568"}, "birth_date"),
        ({"birth_date": "เมื่อวาน"}, "birth_date"),
        ({"address_moo": "abc"}, "address_moo"),
        ({"area": "999999"}, "area"),
        ({"area": "860201"}, "area"),  # outside the coordinator's district
        ({"villages": ["86010201"]}, "villages"),  # a village of another subdistrict
        ({"registration_no": "สี่สิบห้า"}, "registration_no"),
        ({"phone": "โทรมา"}, "phone"),
        ({"phone": "081-234-567"}, "phone"),  # a mobile has 10 digits
        ({"first_name": ""}, "first_name"),
        ({"other_roles": ["king"]}, "other_roles"),
    ],
)
def test_bad_input_is_shown_beside_the_field_never_a_500(client, world, changes, field):
    login(client, "district_coordinator_a")
    before = Volunteer.objects.count()
    response = client.post(reverse("volunteers:create"), register_post(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'class="field-error"' in response.text
    assert Volunteer.objects.count() == before


def test_every_problem_shows_in_one_round(client, world):
    login(client, "district_coordinator_a")
    response = client.post(
        reverse("volunteers:create"),
        register_post(
            citizen_id="1234567890123",
            first_name="",
            phone="12",
            registration_no="x",
            birth_date="01/01/2565",  # a child
            registration_date="01/01/2600",
        ),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "citizen_id",
        "first_name",
        "phone",
        "registration_no",
        "birth_date",
        "registration_date",
    }


def test_a_title_typed_in_the_first_name_is_asked_about_before_saving(client, world):
    """ "นายแดง" with the title นาย would be saved as นายนายแดง: refused until confirmed."""
    login(client, "district_coordinator_a")
    doubled = register_post(title="นาย", first_name="นายแดง", last_name="คำลือ")
    response = client.post(reverse("volunteers:create"), doubled)
    assert response.status_code == 200
    [reason] = response.context["form"].errors["first_name"]
    assert "“นาย”" in reason
    assert 'data-testid="keep-title"' in response.text
    assert not Volunteer.objects.filter(last_name="คำลือ").exists()

    response = client.post(reverse("volunteers:create"), {**doubled, "keep_title": "on"})
    assert response.status_code == 302
    assert Volunteer.objects.get(last_name="คำลือ").full_name == "นายนายแดง คำลือ"


def test_a_stored_name_that_begins_like_a_title_is_not_asked_again(client, world):
    own = world["own"]
    own.first_name = "นางนวล"
    own.save(update_fields=["first_name"])
    login(client, "district_coordinator_a")
    unchanged = edit_post(own, first_name="นางนวล")
    assert client.post(reverse("volunteers:edit", args=[own.pk]), unchanged).status_code == 302
    changed = edit_post(own, first_name="นายนวล", version=own.version + 1)
    response = client.post(reverse("volunteers:edit", args=[own.pk]), changed)
    assert "first_name" in response.context["form"].errors


def test_duplicate_citizen_id_on_the_form_names_the_volunteer(client, world):
    login(client, "district_coordinator_a")
    taken = world["own"].read_citizen_id()
    response = client.post(reverse("volunteers:create"), register_post(citizen_id=taken))
    assert response.status_code == 200
    assert "มาลี ศรีสุข" in " ".join(response.context["form"].errors["citizen_id"])


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (VolunteerStatus.RESIGNED, True),
        (VolunteerStatus.REMOVED, True),
        (VolunteerStatus.INACTIVE, True),
        (VolunteerStatus.ACTIVE, False),
        (VolunteerStatus.DECEASED, False),
    ],
)
def test_a_registered_citizen_id_links_to_the_record_and_its_way_back(client, world, status, hint):
    own = world["own"]
    Volunteer.objects.filter(pk=own.pk).update(status=status)
    login(client, "district_coordinator_a")
    response = client.post(
        reverse("volunteers:create"), register_post(citizen_id=own.read_citizen_id())
    )
    assert 'data-testid="registered-already"' in response.text
    assert reverse("volunteers:detail", args=[own.pk]) in response.text
    assert f"status-{status}" in response.text.split('data-testid="registered-already"')[1]
    assert ('data-testid="reactivate-hint"' in response.text) is hint
    assert (reverse("volunteers:status", args=[own.pk]) in response.text) is hint
    assert not Volunteer.objects.filter(first_name="บุญมี").exists()


def test_a_registered_citizen_id_out_of_scope_stays_unnamed_and_unlinked(client, world):
    other = world["thasae"]
    Volunteer.objects.filter(pk=other.pk).update(status=VolunteerStatus.RESIGNED)
    login(client, "district_coordinator_a")
    taken = register_post(citizen_id=other.read_citizen_id())
    response = client.post(reverse("volunteers:create"), taken)
    assert "citizen_id" in response.context["form"].errors
    assert 'data-testid="registered-already"' not in response.text
    assert reverse("volunteers:detail", args=[other.pk]) not in response.text
    assert other.first_name not in response.text


def test_an_edit_to_a_citizen_id_held_by_another_links_to_them(client, world, area_tree):
    own, other = world["own"], VolunteerFactory(area=area_tree["860101"])
    login(client, "district_coordinator_a")
    data = edit_post(own, citizen_id=other.read_citizen_id())
    response = client.post(reverse("volunteers:edit", args=[own.pk]), data)
    assert reverse("volunteers:detail", args=[other.pk]) in response.text
    response = client.post(reverse("volunteers:edit", args=[own.pk]), edit_post(own))
    assert response.status_code == 302


def test_an_edit_tells_of_ids_outside_the_scope_as_registration_does(
    client, world, area_tree, personas, monkeypatch
):
    """A new citizen ID on the edit form follows accounts.disclosure: one held in the user's
    areas is named, as before; one held outside is told, counted and logged; past the day's
    answers every new ID is refused, held or not, and the record keeps its own."""
    monkeypatch.setattr(disclosure, "ELSEWHERE_PER_DAY", 1)
    own, thasae = world["own"], world["thasae"]
    neighbour = VolunteerFactory(area=area_tree["860101"], first_name="สมศรี")
    url = reverse("volunteers:edit", args=[own.pk])
    login(client, "district_coordinator_a")
    named = client.post(url, edit_post(own, citizen_id=neighbour.read_citizen_id()))
    assert "สมศรี" in " ".join(named.context["form"].errors["citizen_id"])
    assert not AuditEvent.objects.filter(action=disclosure.AUDIT_ACTION).exists()
    response = client.post(url, edit_post(own, citizen_id=thasae.read_citizen_id()))
    assert "นอกพื้นที่ของท่าน" in " ".join(response.context["form"].errors["citizen_id"])
    assert thasae.first_name not in response.text
    [told] = AuditEvent.objects.filter(action=disclosure.AUDIT_ACTION)
    assert told.actor == personas["district_coordinator_a"] and told.area_code == own.area_id
    assert (told.target_type, told.target_id) == ("volunteers.volunteer", str(thasae.pk))
    for typed in (thasae.read_citizen_id(), valid_citizen_id()):
        response = client.post(url, edit_post(own, citizen_id=typed))
        [reason] = response.context["form"].errors["citizen_id"]
        assert "จนถึงพรุ่งนี้" in reason and "ขึ้นทะเบียนผู้ที่" not in reason  # an edit
    # One held in the user's own areas is still named: it tells nothing outside them.
    inside = client.post(url, edit_post(own, citizen_id=neighbour.read_citizen_id()))
    [reason] = inside.context["form"].errors["citizen_id"]
    assert "สมศรี" in reason and "พรุ่งนี้" not in reason
    assert AuditEvent.objects.filter(action=disclosure.AUDIT_ACTION).count() == 1
    assert Volunteer.objects.get(pk=own.pk).version == own.version  # nothing saved
    # Its own ID typed again asks nothing: the edit goes on.
    again = client.post(url, edit_post(own, citizen_id=cid.formatted(own.read_citizen_id())))
    assert again.status_code == 302


def test_edit_form_saves_and_a_stale_version_is_a_conflict(client, world):
    own = world["own"]
    login(client, "district_coordinator_a")
    form_page = client.get(reverse("volunteers:edit", args=[own.pk]))
    assert form_page.status_code == 200
    assert 'name="version"' in form_page.text
    assert own.read_citizen_id() not in form_page.text

    opened = edit_post(own, first_name="ครั้งแรก")
    assert client.post(reverse("volunteers:edit", args=[own.pk]), opened).status_code == 302
    own.refresh_from_db()
    assert (own.first_name, own.version) == ("ครั้งแรก", 2)

    stale = edit_post(own, first_name="ทับของคนอื่น", version=1)
    before = state(own)
    response = client.post(reverse("volunteers:edit", args=[own.pk]), stale)
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert response.context["conflict"] is True
    assert state(own) == before


def test_edit_without_a_version_is_refused(client, world):
    own = world["own"]
    login(client, "district_coordinator_a")
    data = edit_post(own)
    del data["version"]
    response = client.post(reverse("volunteers:edit", args=[own.pk]), data)
    assert response.status_code == 400  # refused, as every other form
    assert "version" in response.context["form"].errors


def test_status_form_changes_status_and_refuses_illegal_moves(client, world):
    own = world["own"]
    login(client, "district_coordinator_a")
    page = client.get(reverse("volunteers:status", args=[own.pk]))
    assert [c[0] for c in page.context["form"].fields["to_status"].choices] == [
        "inactive",
        "resigned",
        "removed",
        "deceased",
    ]
    today = timezone.localdate().strftime("%d/%m/") + str(timezone.localdate().year + 543)
    response = client.post(
        reverse("volunteers:status", args=[own.pk]),
        {"to_status": "deceased", "effective_date": today, "reason": "ถึงแก่กรรม"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == VolunteerStatus.DECEASED
    page = client.get(reverse("volunteers:status", args=[own.pk]))
    assert 'data-testid="no-moves"' in page.text
    response = client.post(
        reverse("volunteers:status", args=[own.pk]),
        {"to_status": "active", "effective_date": today, "reason": "ผิดพลาด"},
    )
    assert response.status_code == 400
    assert "to_status" in response.context["form"].errors
    own.refresh_from_db()
    assert own.status == VolunteerStatus.DECEASED


def test_a_status_recorded_by_mistake_is_taken_back(client, world):
    """The wrong volunteer marked deceased: the change is taken back within 30 days, with
    the history kept; their login, closed by the mistake, opens again."""
    own = world["own"]
    login(client, "district_coordinator_a")
    url = reverse("volunteers:status", args=[own.pk])
    page = client.get(url)
    assert 'data-testid="leaving-note"' in page.text
    assert 'data-testid="undo"' not in page.text  # registration is not a change to take back
    today = thaidate.format_numeric(timezone.localdate())
    client.post(url, {"to_status": "deceased", "effective_date": today, "reason": "ถึงแก่กรรม"})
    own.refresh_from_db()
    assert own.status == VolunteerStatus.DECEASED and not own.user.is_active
    page = client.get(url)
    assert 'data-testid="no-moves"' in page.text and 'data-testid="undo"' in page.text
    wrong = own.status_changes.order_by("-id").first()
    undo = reverse("volunteers:status_undo", args=[own.pk])
    blank = client.post(undo, {"change": wrong.pk, "reason": " "})
    assert blank.status_code == 400
    response = client.post(undo, {"change": wrong.pk, "reason": "บันทึกผิดคน"}, follow=True)
    assert "สถานะกลับเป็น" in response.text
    assert "ตำแหน่งกรรมการที่ถูกยุติเพราะการบันทึกผิดกลับคืนแล้ว" in response.text  # the chair
    assert 'data-testid="undo"' not in client.get(url).text  # no taking back the taking back
    own.refresh_from_db()
    own.user.refresh_from_db()
    assert own.status == VolunteerStatus.ACTIVE and own.user.is_active
    last = own.status_changes.order_by("-id").first()
    assert (last.from_status, last.to_status, last.effective_date) == (
        "deceased",
        "active",
        wrong.effective_date,
    )
    assert "บันทึกผิดคน" in last.reason
    assert AuditEvent.objects.filter(action="volunteer.status_undone").count() == 1
    again = client.post(undo, {"change": wrong.pk, "reason": "อีกครั้ง"})
    assert again.status_code == 400
    assert "ย้อนการเปลี่ยนแปลงนี้ไม่ได้แล้ว" in again.text
    # A change older than 30 days stands: a new change is recorded instead.
    client.post(url, {"to_status": "inactive", "effective_date": today, "reason": "ไม่ได้มา"})
    latest = own.status_changes.order_by("-id").first()
    VolunteerStatusChange.objects.filter(pk=latest.pk).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    assert 'data-testid="undo"' not in client.get(url).text
    assert client.post(undo, {"change": latest.pk, "reason": "x"}).status_code == 400


def test_taking_back_a_mistaken_leaving_opens_the_login_again_whatever_the_status(client, world):
    """Inactive, then resigned by mistake: taken back, they are inactive again, and so is
    their login open again, with the role, as it was before the mistake."""
    own = world["own"]
    login(client, "district_coordinator_a")
    url = reverse("volunteers:status", args=[own.pk])
    today = thaidate.format_numeric(timezone.localdate())
    client.post(url, {"to_status": "inactive", "effective_date": today, "reason": "ไม่มา"})
    own.user.refresh_from_db()
    assert own.user.is_active
    client.post(url, {"to_status": "resigned", "effective_date": today, "reason": "ลาออก"})
    own.user.refresh_from_db()
    assert not own.user.is_active
    wrong = own.status_changes.order_by("-id").first()
    undo = reverse("volunteers:status_undo", args=[own.pk])
    response = client.post(undo, {"change": wrong.pk, "reason": "ผิดคน"}, follow=True)
    own.refresh_from_db()
    own.user.refresh_from_db()
    assert own.status == VolunteerStatus.INACTIVE and own.user.is_active
    assert AreaAssignment.objects.filter(user=own.user, role=Role.VOLUNTEER).exists()
    with translation.override("th"):
        assert translation.gettext("Their login is open again, with the volunteer role.") in (
            response.text
        )


def test_reasons_carenet_wrote_are_shown_in_the_pages_language(client, world):
    """Registered from an English page, the history still reads Thai on a Thai page; a
    taking back keeps the reason typed, in the page's words around it."""
    own = world["own"]
    VolunteerStatusChange.objects.filter(volunteer=own).update(reason="Registered")
    VolunteerStatusChangeFactory(
        volunteer=own,
        from_status="deceased",
        to_status="active",
        reason="Taken back (recorded by mistake): ผิดคน",
    )
    login(client, "district_coordinator_a")
    page = client.get(reverse("volunteers:detail", args=[own.pk])).text
    history = page.split('data-testid="status-history"')[1].split("</ol>")[0]
    with translation.override("th"):
        registered = translation.gettext("Registered")
        taken_back = translation.gettext("Taken back (recorded by mistake): %(reason)s")
    assert registered in history and "Registered" not in history
    assert taken_back % {"reason": "ผิดคน"} in history


def test_the_history_ends_with_the_registration_whatever_its_date(client, world):
    """Registered without a date, the first entry is dated the day it was typed; changes
    that old records tell of come earlier, yet it stays the history's start."""
    own = world["own"]
    own.registration_date = None
    own.save()
    VolunteerStatusChange.objects.filter(volunteer=own).update(effective_date=date(2026, 11, 30))
    VolunteerStatusChangeFactory(
        volunteer=own, from_status="active", to_status="inactive", effective_date=date(2026, 11, 20)
    )
    login(client, "district_coordinator_a")
    page = client.get(reverse("volunteers:detail", args=[own.pk]))
    history = list(page.context["volunteer"].status_changes.all())
    assert [c.from_status for c in history] == ["active", ""]


def test_a_status_changed_in_another_tab_is_a_conflict_not_a_bad_choice(client, world):
    own = world["own"]
    login(client, "district_coordinator_a")
    url = reverse("volunteers:status", args=[own.pk])
    today = timezone.localdate().strftime("%d/%m/") + str(timezone.localdate().year + 543)
    shown = {"from_status": "active", "effective_date": today}
    first = client.post(url, {**shown, "to_status": "resigned", "reason": "ลาออก"})
    assert first.status_code == 302
    second = client.post(url, {**shown, "to_status": "removed", "reason": "พ้นสภาพ"})
    assert second.status_code == 400
    form = second.context["form"]
    assert "ถูกเปลี่ยนเป็น" in form.non_field_errors()[0]
    assert "to_status" not in form.errors
    assert 'name="from_status" value="resigned"' in second.text  # the next try is fresh
    own.refresh_from_db()
    assert own.status == VolunteerStatus.RESIGNED


def test_a_conflict_shows_the_date_and_reason_as_typed_and_they_save_as_typed(client, world):
    """The form sent back after a conflict holds what was typed, not its list ("['…']"), so
    that sending it again stores the reason as typed."""
    own = world["own"]
    login(client, "district_coordinator_a")
    url = reverse("volunteers:status", args=[own.pk])
    today = timezone.localdate().strftime("%d/%m/") + str(timezone.localdate().year + 543)
    first = client.post(
        url,
        {
            "from_status": "active",
            "effective_date": today,
            "to_status": "resigned",
            "reason": "ลาออก",
        },
    )
    assert first.status_code == 302
    typed = {"effective_date": today, "reason": "ไม่ได้ปฏิบัติงาน 6 เดือน"}
    second = client.post(url, {"from_status": "active", "to_status": "inactive", **typed})
    assert second.status_code == 400
    form = second.context["form"]
    assert form["effective_date"].value() == today
    assert form["reason"].value() == typed["reason"]
    assert "['" not in second.text
    assert f'value="{today}"' in second.text
    # Sent again as the page now shows it, it is checked against the new status and saved.
    again = client.post(url, {"from_status": "resigned", "to_status": "active", **typed})
    assert again.status_code == 302
    last = own.status_changes.order_by("-id").first()
    assert (last.to_status, last.reason) == ("active", typed["reason"])


def test_a_volunteer_who_leaves_is_told_about_and_loses_their_login(client, world):
    own = world["own"]  # volunteer_a's record
    login(client, "district_coordinator_a")
    today = timezone.localdate().strftime("%d/%m/") + str(timezone.localdate().year + 543)
    response = client.post(
        reverse("volunteers:status", args=[own.pk]),
        {"to_status": "resigned", "effective_date": today, "reason": "ลาออกตามคำร้อง"},
        follow=True,
    )
    assert "เปิดดูครัวเรือนที่เคยดูแลไม่ได้อีกแล้ว" in response.text
    client.logout()
    login(client, "volunteer_a")
    response = client.get(reverse("volunteers:me"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_account_form_gives_the_volunteer_a_login(client, world):
    thasae = world["thasae"]
    login(client, "district_coordinator_b")
    response = client.post(
        reverse("volunteers:account", args=[thasae.pk]),
        {"username": "somchai", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    thasae.refresh_from_db()
    assert thasae.user is not None and thasae.user.username == "somchai"
    client.logout()
    client.force_login(thasae.user)
    # The centre chose the password: the volunteer chooses their own first.
    assert client.get(reverse("volunteers:me"))["Location"] == reverse("accounts:password_change")
    type(thasae.user).objects.filter(pk=thasae.user_id).update(must_change_password=False)
    assert client.get(reverse("volunteers:me")).context["volunteer"] == thasae


# --- a login made already, linked on the volunteer's page -------------------------------------


def server_login(username: str, *roles: tuple[str, str]) -> User:
    """An account made at the server (grant_access USER volunteer AREA, as it once did)."""
    user: Any = UserFactory(username=username, first_name="ยุพิน", last_name="บุญช่วย")
    for role, code in roles:
        AreaAssignmentFactory(user=user, role=role, area_id=code)
    return user


def test_a_login_made_at_the_server_is_offered_then_linked(client, world):
    user = server_login("vol_yupin", (Role.VOLUNTEER, "860102"))
    volunteer = VolunteerFactory(first_name="ยุพิน", last_name="บุญช่วย")  # ต.ท่าตะเภา
    url = reverse("volunteers:account", args=[volunteer.pk])
    login(client, "district_coordinator_a")
    # The coordinator types the username it has, as for a new login: Carenet says what
    # linking does, and links nothing yet.
    offer = client.post(url, {"username": "vol_yupin", "password": NEW_PASSWORD})
    assert offer.status_code == 200
    assert offer.context["link_offer"] == user
    assert 'data-testid="link-offer"' in offer.text and "ยุพิน บุญช่วย" in offer.text
    volunteer.refresh_from_db()
    assert volunteer.user is None
    done = client.post(url, {"username": "vol_yupin", "link": "on"})
    assert done.status_code == 302 and done["Location"] == volunteer_url(volunteer)
    assert told(done) == [
        in_thai(
            "%(username)s is now this volunteer's login. They sign in with its password, as before."
        )
        % {"username": "vol_yupin"}
    ]
    volunteer.refresh_from_db()
    user.refresh_from_db()
    assert volunteer.user == user and user.check_password(PASSWORD)  # the typed one unused
    assert list(user.assignments.values_list("role", "area_id")) == [("volunteer", "860101")]
    assert AuditEvent.objects.filter(action="user.link_volunteer", target_id=str(user.pk)).exists()
    client.force_login(user)
    assert client.get(reverse("volunteers:me")).context["volunteer"] == volunteer


def test_a_login_named_for_someone_else_is_flagged_then_renamed_when_linked(client, world):
    """The login's name shows on every page it opens and on each print: once it is this
    volunteer's, it carries their name, and the offer says so before."""
    user = server_login("vol_yupin", (Role.VOLUNTEER, "860102"))
    User.objects.filter(pk=user.pk).update(first_name="ยุพิน", last_name="บุญช่วย")
    volunteer = VolunteerFactory(first_name="กษิดิฐ", last_name="ดุษฎีวนิช")
    url = reverse("volunteers:account", args=[volunteer.pk])
    login(client, "district_coordinator_a")
    offer = client.post(url, {"username": "vol_yupin", "password": NEW_PASSWORD})
    assert 'data-testid="link-other-name"' in offer.text and "กษิดิฐ ดุษฎีวนิช" in offer.text
    assert client.post(url, {"username": "vol_yupin", "link": "on"}).status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("กษิดิฐ", "ดุษฎีวนิช")
    event = AuditEvent.objects.get(action="user.link_volunteer", target_id=str(user.pk))
    assert event.details["renamed_from"] == "ยุพิน บุญช่วย"


def volunteer_url(volunteer: Volunteer) -> str:
    return reverse("volunteers:detail", args=[volunteer.pk])


def test_another_centre_links_its_own_volunteers_login(client, world):
    """In scope for ท่าแซะ's coordinator: volunteer_b's login, made with the role at 860201."""
    thasae = world["thasae"]
    login(client, "district_coordinator_b")
    url = reverse("volunteers:account", args=[thasae.pk])
    assert client.post(url, {"username": "volunteer_b"}).context["link_offer"].username == (
        "volunteer_b"
    )
    assert client.post(url, {"username": "volunteer_b", "link": "on"}).status_code == 302
    thasae.refresh_from_db()
    assert thasae.user is not None and thasae.user.username == "volunteer_b"


@pytest.mark.parametrize(
    ("username", "reason"),
    [
        ("province_officer", "taken"),  # whose, or of which kind, is not said
        ("volunteer_a", "already belongs to a volunteer"),  # the world's `own`
        ("volunteer_b", "taken"),  # ท่าแซะ's login: out of เมืองชุมพร's scope
    ],
)
def test_a_login_that_cannot_be_this_volunteers_is_refused_beside_the_username(
    client, world, username, reason
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    volunteer = VolunteerFactory()
    url = reverse("volunteers:account", args=[volunteer.pk])
    login(client, "district_coordinator_a")
    events = AuditEvent.objects.count()
    for data in (
        {"username": username, "password": NEW_PASSWORD},
        {"username": username, "link": "on"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert reason in response.context["account_form"].errors["username"][0]
        assert "link_offer" not in response.context
    volunteer.refresh_from_db()
    assert volunteer.user is None and AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("district_coordinator_b", 404), ("auditor", 403), ("volunteer_a", 403)],
)
def test_linking_out_of_scope_or_signed_out_links_nothing(client, world, persona, expected):
    server_login("vol_yupin", (Role.VOLUNTEER, "860101"))
    volunteer = VolunteerFactory()
    if persona:
        login(client, persona)
    url = reverse("volunteers:account", args=[volunteer.pk])
    for data in ({"username": "vol_yupin"}, {"username": "vol_yupin", "link": "on"}):
        response = client.post(url, data)
        assert response.status_code == expected
        if persona is None:
            assert "/login" in response["Location"]
    volunteer.refresh_from_db()
    assert volunteer.user is None
    assert not AuditEvent.objects.filter(action__contains="link").exists()


def test_account_form_shows_a_weak_password_beside_the_field(client, world):
    login(client, "district_coordinator_b")
    response = client.post(
        reverse("volunteers:account", args=[world["thasae"].pk]),
        {"username": "somchai", "password": "1234"},
    )
    assert response.status_code == 400
    assert "password" in response.context["account_form"].errors


def test_village_choices_follow_the_subdistrict(client, world):
    login(client, "district_coordinator_a")
    mine = client.get(reverse("volunteers:villages"), {"area": "860101"})
    assert 'value="86010101"' in mine.text and 'value="86010102"' in mine.text
    assert 'value="86010201"' not in mine.text
    others = client.get(reverse("volunteers:villages"), {"area": "860201"})
    assert 'value="86020101"' not in others.text
    thai = client.get(reverse("volunteers:villages"), {"area": "๘๖๐๑๐๑"})  # typed in Thai digits
    assert 'value="86010101"' in thai.text


def test_centre_page_shows_committee_coverage_and_volunteers(client, world):
    login(client, "district_coordinator_a")
    response = client.get(reverse("reports:centre", args=[world["centre_a"].pk]))
    assert response.status_code == 200
    assert response.context["current_seats"] == [world["seat"]]
    coverage = response.context["coverage"]
    assert [v.code for v in coverage.uncovered] == ["86010102", "86010201"]
    assert list(response.context["volunteers"]) == [world["own"]]
    held = world["seat"].position
    assert held not in response.context["vacant_seats"]
    assert 'data-testid="vacant-seats"' in response.text
    # Its links to the list show what their figures count: active volunteers by area.
    assert "?area=860101&amp;status=active" in response.text


@pytest.fixture
def lapsing(world):
    """ท่าตะเภา's centre (centre_a): own chairs it; the secretary's term ended a month ago, a
    member's ends in 30 days. ท่าแซะ's (centre_b) has no committee at all."""
    today = timezone.localdate()
    ended, ending = today - timedelta(days=30), today + timedelta(days=30)
    CommitteeMembershipFactory(
        centre=world["centre_a"],
        position=Position.SECRETARY,
        volunteer__area=world["own"].area,
        term_end=ended,
    )
    member = CommitteeMembershipFactory(
        centre=world["centre_a"], volunteer__area=world["own"].area, term_end=ending
    )
    return {"ended": ended, "ending": ending, "member": member}


def shown(position: Position) -> str:
    with translation.override("th"):
        return str(position.label)


def flags_of(response, centre) -> str:
    """What the centre list says under one centre, up to the next centre."""
    item = response.text.split(f'href="{reverse("reports:centre", args=[centre.pk])}"')[1]
    return item.split('<li class="level-')[0].split("</section>")[0]


def test_the_centre_list_says_what_each_committee_and_area_lacks(client, world, lapsing):
    login(client, "province_officer")
    response = client.get(reverse("volunteers:centre_list"))
    mueang = flags_of(response, world["centre_a"])
    assert 'data-testid="vacant"' in mueang
    assert shown(Position.SECRETARY) in mueang and shown(Position.CHAIR) not in mueang
    assert thaidate.format_short(lapsing["ended"]) in mueang  # the term that ended
    assert 'data-testid="ending"' in mueang
    assert thaidate.format_short(lapsing["ending"]) in mueang
    assert 'data-testid="uncovered"' in mueang  # หมู่ 2 of ท่าตะเภา, หมู่ 1 of ปากน้ำ
    thasae = flags_of(response, world["centre_b"])
    assert shown(Position.CHAIR) in thasae and shown(Position.SECRETARY) in thasae
    assert 'data-testid="ending"' not in thasae
    centres = {c.pk: c for c in response.context["centres"]}
    assert centres[world["centre_a"].pk].uncovered_villages == 2
    assert centres[world["centre_b"].pk].uncovered_villages == 1


def test_centre_pages_say_which_subdistricts_have_no_villages_loaded(client, world):
    """A subdistrict whose villages are not loaded yet is not covered: the centre pages name
    it and say what to do, and never say that every village is covered."""
    Area.objects.filter(parent_id="860102").delete()  # ปากน้ำ: its village list comes later
    world["own"].villages.add("86010102")  # every village loaded has its volunteer
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:centre", args=[world["centre_a"].pk]))
    coverage = page.context["coverage"]
    assert coverage.uncovered == [] and not coverage.all_covered
    assert [a.code for a in coverage.unloaded] == ["860102"]
    assert [a.code for a in coverage.unserved] == ["860102"]
    assert 'data-testid="all-covered"' not in page.text
    notice = page.text.split('data-testid="unloaded"')[1].split("</div>")[0]
    assert "ต.ปากน้ำ" in notice and "import_villages" in notice
    assert 'data-testid="not-loaded"' in page.text  # its row in the table
    assert 'data-testid="unserved"' in page.text
    flags = flags_of(client.get(reverse("volunteers:centre_list")), world["centre_a"])
    assert 'data-testid="unloaded"' in flags and 'data-testid="unserved"' in flags
    assert 'data-testid="uncovered"' not in flags


def test_a_centre_whose_villages_are_all_loaded_and_covered_says_so(client, world):
    world["own"].villages.add("86010102")
    VolunteerFactory(area_id="860102", villages=["86010201"])
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:centre", args=[world["centre_a"].pk]))
    assert page.context["coverage"].all_covered
    assert 'data-testid="all-covered"' in page.text and 'data-testid="unloaded"' not in page.text
    flags = flags_of(client.get(reverse("volunteers:centre_list")), world["centre_a"])
    assert 'data-testid="unloaded"' not in flags and 'data-testid="unserved"' not in flags


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_centre_lists_flags_keep_to_the_users_centres(client, world, lapsing, persona):
    login(client, persona)
    response = client.get(reverse("volunteers:centre_list"))
    shown = {c.pk for c in response.context["centres"]}
    assert shown == {world[n].pk for n in CENTRE_VIEWERS.get(persona, set())}
    ended = thaidate.format_short(lapsing["ended"])
    assert (ended in response.text) == (world["centre_a"].pk in shown)


def test_the_centre_list_is_for_those_signed_in(client, world, lapsing):
    response = client.get(reverse("volunteers:centre_list"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_centre_page_warns_of_terms_ending_within_90_days(client, world, lapsing):
    login(client, "district_coordinator_a")
    url = reverse("reports:centre", args=[world["centre_a"].pk])
    response = client.get(url)
    assert response.context["ending_seats"] == [lapsing["member"]]
    warning = response.text.split('data-testid="ending-seats"')[1].split("</p>")[0]
    assert lapsing["member"].volunteer.first_name in warning
    assert thaidate.format_short(lapsing["ending"]) in warning
    assert response.context["vacant_seats"] == [Position.SECRETARY]
    # Appointed again from the day after: no more warning.
    CommitteeMembershipFactory(
        centre=world["centre_a"],
        volunteer=lapsing["member"].volunteer,
        term_start=lapsing["ending"] + timedelta(days=1),
    )
    response = client.get(url)
    assert response.context["ending_seats"] == []
    assert 'data-testid="ending-seats"' not in response.text


def test_a_centre_without_a_vice_chair_is_not_short_of_one(client, world):
    """A committee is short without a chair or a secretary; a vice-chair is one more seat,
    like a member's, which it may leave empty (models.SINGLE_SEATS)."""
    CommitteeMembershipFactory(
        centre=world["centre_a"], position=Position.SECRETARY, volunteer__area=world["own"].area
    )
    login(client, "district_coordinator_a")
    response = client.get(reverse("reports:centre", args=[world["centre_a"].pk]))
    assert response.context["vacant_seats"] == []
    assert 'data-testid="vacant-seats"' not in response.text
    listed = client.get(reverse("volunteers:centre_list"))
    assert 'data-testid="vacant"' not in flags_of(listed, world["centre_a"])


@pytest.fixture
def subdistrict_coordinator(area_tree):
    """The coordinator of ต.ท่าตะเภา only, as the demo's `tambon`."""
    user = User.objects.create_user(username="tambon", password=NEW_PASSWORD)
    AreaAssignment.objects.create(user=user, area=area_tree["860101"], role=Role.CENTRE_COORDINATOR)
    return user


def test_a_seat_holder_who_left_or_moved_is_marked_and_unlinked_where_unseen(
    client, world, area_tree, subdistrict_coordinator
):
    centre = CentreFactory(area=area_tree["860101"])
    resting = VolunteerFactory(area=area_tree["860101"], status=VolunteerStatus.INACTIVE)
    moved = VolunteerFactory(area=area_tree["860102"])  # seated, then moved to ปากน้ำ
    for holder, position in ((resting, Position.VICE_CHAIR), (moved, Position.MEMBER)):
        CommitteeMembershipFactory(centre=centre, volunteer=holder, position=position)
    url = reverse("reports:centre", args=[centre.pk])
    login(client, "district_coordinator_a")  # sees both: both linked
    committee = client.get(url).text.split('data-testid="committee"')[1].split("</section>")[0]
    assert 'class="badge status-inactive"' in committee
    assert committee.count('data-testid="seat-away"') == 1
    for holder in (resting, moved):
        assert reverse("volunteers:detail", args=[holder.pk]) in committee
    client.force_login(subdistrict_coordinator)  # the centre's own, who cannot open ปากน้ำ
    response = client.get(url)
    committee = response.text.split('data-testid="committee"')[1].split("</section>")[0]
    assert reverse("volunteers:detail", args=[moved.pk]) not in committee
    assert 'data-testid="seat-holder-unlinked"' in committee and moved.first_name in committee
    assert reverse("volunteers:detail", args=[resting.pk]) in committee
    assert client.get(reverse("volunteers:detail", args=[moved.pk])).status_code == 404
    login(client, "district_coordinator_b")  # out of scope: no centre page at all
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


CENTRE_MANAGERS = {
    "national_admin": {"centre_a", "centre_b"},
    "province_officer": {"centre_a", "centre_b"},
    "district_coordinator_a": {"centre_a"},
    "district_coordinator_b": {"centre_b"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_centres_phone_is_set_by_who_manages_its_area_only(client, world, persona):
    login(client, persona)
    for name in ("centre_a", "centre_b"):
        centre = world[name]
        url = reverse("volunteers:centre_phone", args=[centre.pk])
        opened = client.get(url)
        sent = client.post(url, {"phone": "077 511 234"})
        centre.refresh_from_db()
        if persona not in CENTRE_MANAGERS:
            assert (opened.status_code, sent.status_code) == (403, 403)
        elif name not in CENTRE_MANAGERS[persona]:
            assert (opened.status_code, sent.status_code) == (404, 404)
        else:
            assert opened.status_code == 200 and sent.status_code == 302
            assert centre.phone == "077511234"
            continue
        assert centre.phone == ""  # a denial changes nothing


def test_a_centres_phone_is_checked_shown_and_reaches_its_volunteers(client, world):
    centre = world["centre_a"]
    login(client, "district_coordinator_a")
    url = reverse("volunteers:centre_phone", args=[centre.pk])
    page = client.get(reverse("reports:centre", args=[centre.pk])).text
    assert url in page
    response = client.post(url, {"phone": "12345"})
    assert response.status_code == 400 and "phone" in response.context["form"].errors
    client.post(url, {"phone": "๐๗๗-๕๑๑-๒๓๔"})
    centre.refresh_from_db()
    assert centre.phone == "077511234"
    assert AuditEvent.objects.filter(action="centre.update").count() == 1
    assert (
        'data-testid="centre-phone"' in client.get(reverse("reports:centre", args=[centre.pk])).text
    )
    login(client, "volunteer_a")  # their own page lists their centres, with the phone
    mine = client.get(reverse("volunteers:me")).text.split('data-testid="my-centres"')[1]
    assert "077-511-234" in mine
    login(client, "district_coordinator_a")
    client.post(url, {"phone": ""})
    centre.refresh_from_db()
    assert centre.phone == ""


def test_a_subdistrict_coordinator_sees_the_committees_above_but_not_their_pages(
    client, world, area_tree, subdistrict_coordinator
):
    province = CentreFactory(area=area_tree["86"])
    chair = VolunteerFactory(area=area_tree["860201"], first_name="ประธานจังหวัด")
    CommitteeMembershipFactory(centre=province, volunteer=chair, position=Position.CHAIR)
    CentreFactory(area=area_tree["860101"])  # their own
    # A coordinator is often a volunteer too: the list is where they find the committees.
    VolunteerFactory(area=area_tree["860101"], user=subdistrict_coordinator)
    client.force_login(subdistrict_coordinator)
    response = client.get(reverse("volunteers:centre_list"))
    above = response.text.split('data-testid="centres-above"')[1].split("</section>")[0]
    assert world["centre_a"].name in above and province.name in above
    assert "ประธานจังหวัด" in above and world["own"].first_name in above
    assert (
        "/volunteers/centres/" not in above
        and reverse("volunteers:detail", args=[chair.pk]) not in above
    )
    for centre in (world["centre_a"], province):  # the pages, which count a wider area
        assert client.get(reverse("reports:centre", args=[centre.pk])).status_code == 404
    # Out of scope: another district's coordinator sees the province above them, not 8601.
    login(client, "district_coordinator_b")
    above = client.get(reverse("volunteers:centre_list")).text.split('data-testid="centres-above"')
    assert province.name in above[1] and world["centre_a"].name not in above[1]
    # Those who see the centres already, and volunteers (their profile has them), get none.
    for persona in ("province_officer", "volunteer_a"):
        login(client, persona)
        assert client.get(reverse("volunteers:centre_list")).context["above"] == []
    client.logout()
    response = client.get(reverse("volunteers:centre_list"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_centre_page_headings_and_regions_name_only_themselves(client, world):
    """A screen reader reads "Committee", not "Committee Add a seat"; regions have names
    of their own."""
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:centre", args=[world["centre_a"].pk])).text
    committee = re.search(r'<h2 id="committee-title">(.*?)</h2>', page, re.S)
    assert committee and committee.group(1).strip() == "คณะกรรมการ"
    assert 'data-testid="add-seat"' in page
    names = re.findall(r'<section[^>]*aria-label="([^"]+)"', page)
    labelled = re.findall(r'<section[^>]*aria-labelledby="([^"]+)"', page)
    titles = [re.search(rf'id="{i}"[^>]*>(.*?)<', page, re.S).group(1).strip() for i in labelled]
    assert len(names + titles) == len(set(names + titles))


def test_opening_a_centre_from_the_list(client, world, area_tree):
    world["centre_b"].delete()
    login(client, "province_officer")
    page = client.get(reverse("volunteers:centre_list"))
    assert [a.code for a in page.context["missing"].required] == ["86", "8602"]
    response = client.post(reverse("volunteers:centre_create"), {"area": "8602"})
    centre = Centre.objects.get(area_id="8602")
    assert response["Location"] == reverse("reports:centre", args=[centre.pk])
    assert centre.name == "ศูนย์ประสานงาน อพม. อำเภอท่าแซะ"


def test_adding_and_ending_seats(client, world, area_tree):
    centre = world["centre_a"]
    candidate = VolunteerFactory(area=area_tree["860102"], first_name="ประยูร")
    login(client, "district_coordinator_a")
    search = client.get(reverse("volunteers:seat_add", args=[centre.pk]), {"q": "ประยูร"})
    assert search.context["candidates"] == [candidate]
    url = reverse("volunteers:seat_add", args=[centre.pk])
    chair = client.post(
        url, {"volunteer": candidate.pk, "position": "chair", "term_start": "01/03/2568"}
    )
    assert chair.status_code == 400  # the centre has a chair already
    assert "position" in chair.context["form"].errors
    assert chair.context["chosen"] == candidate.pk
    secretary = client.post(
        url, {"volunteer": candidate.pk, "position": "secretary", "term_start": "01/03/2568"}
    )
    assert secretary.status_code == 302
    seat = CommitteeMembership.objects.get(volunteer=candidate)
    assert seat.term_start == date(2025, 3, 1)

    outsider = client.post(
        url, {"volunteer": world["thasae"].pk, "position": "member", "term_start": "01/03/2568"}
    )
    assert "volunteer" in outsider.context["form"].errors

    end_url = reverse("volunteers:seat_end", args=[seat.pk])
    bad = client.post(end_url, {"term_end": "01/01/2560"})
    assert "term_end" in bad.context["form"].errors
    later = timezone.localdate() + timedelta(days=30)
    planned = client.post(end_url, {"term_end": later.strftime("%d/%m/%Y")}, follow=True)
    assert "จะสิ้นสุดวาระ" in planned.text or "will end on" in planned.text
    ended = client.post(end_url, {"term_end": "31/03/2568"})
    assert ended.status_code == 302
    seat.refresh_from_db()
    assert seat.term_end == date(2025, 3, 31)


# --- list pages cost a fixed number of queries ------------------------------------------------


def count_queries(client, url, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(100) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_volunteer_list_query_count_is_constant(
    client, world, area_tree, django_assert_max_num_queries
):
    login(client, "province_officer")
    url = reverse("volunteers:list")
    small = count_queries(client, url, django_assert_max_num_queries)
    VolunteerFactory.create_batch(40, area=area_tree["860102"], villages=[area_tree["86010201"]])
    with django_assert_max_num_queries(small):
        page = client.get(url)
    assert len(page.context["page"].object_list) == 25
    with django_assert_max_num_queries(small):
        client.get(url, {"q": "0", "area": "8601", "status": "active", "page": "2"})
    with django_assert_max_num_queries(small + 1):  # searched again by sound
        client.get(url, {"q": "ไม่มีใครชื่อนี้", "status": "active"})
    with django_assert_max_num_queries(small + 1):  # the villages of the subdistrict chosen
        client.get(url, {"area": "860101", "village": "86010101", "order": "registered"})
    # The households each looks after, sorted and filtered by, cost no query more.
    for order in ("most_households", "fewest_households"):
        with django_assert_max_num_queries(small):
            page = client.get(url, {"order": order})
        assert len(page.context["page"].object_list) == 25
    with django_assert_max_num_queries(small):
        client.get(url, {"status": "active", "households": "none", "page": "2"})
    with django_assert_max_num_queries(small):
        client.get(url, {"households": "20", "order": "most_households"})


def test_centre_pages_query_count_is_constant(
    client, world, area_tree, django_assert_max_num_queries
):
    login(client, "national_admin")
    list_url = reverse("volunteers:centre_list")
    detail_url = reverse("reports:centre", args=[world["centre_a"].pk])
    small_list = count_queries(client, list_url, django_assert_max_num_queries)
    small_detail = count_queries(client, detail_url, django_assert_max_num_queries)
    CentreFactory(area=area_tree["86"])
    CentreFactory(area=area_tree["84"])
    CentreFactory(area=area_tree["8401"])
    VolunteerFactory.create_batch(30, area=area_tree["860102"], villages=[area_tree["86010201"]])
    for volunteer in VolunteerFactory.create_batch(4, area=area_tree["860101"]):
        CommitteeMembershipFactory(centre=world["centre_a"], volunteer=volunteer)
    # Seats whose term ended, or ends soon, on several centres: the list reads them at once.
    today = timezone.localdate()
    for centre in (world["centre_a"], world["centre_b"], CentreFactory(area=area_tree["860201"])):
        for position, end in ((Position.SECRETARY, -10), (Position.MEMBER, 20)):
            CommitteeMembershipFactory(
                centre=centre, position=position, term_end=today + timedelta(days=end)
            )
    # More subdistricts without a centre to offer, and without villages or volunteers.
    for number in range(2, 7):
        Area.objects.create(
            code=f"86020{number}",
            level=Level.SUBDISTRICT,
            name_th=f"ตำบล{number}",
            parent_id="8602",
        )
    with django_assert_max_num_queries(small_list):
        client.get(list_url)
    with django_assert_max_num_queries(small_detail):
        client.get(detail_url)
    moved = VolunteerFactory(area=area_tree["860201"])  # a holder who moved away
    CommitteeMembershipFactory(centre=world["centre_a"], volunteer=moved)
    with django_assert_max_num_queries(small_detail):
        client.get(detail_url)


def test_a_citizen_id_searched_for_stays_out_of_the_address(client, world):
    own, thasae = world["own"], world["thasae"]
    digits = own.read_citizen_id()
    login(client, "district_coordinator_a")
    url = reverse("volunteers:list")
    moved = client.get(url, {"q": cid.formatted(digits), "status": "active", "page": "3"})
    assert moved.status_code == 302
    assert digits[1:] not in moved["Location"] and "page" not in moved["Location"]
    assert "qid=" in moved["Location"] and "status=active" in moved["Location"]
    page = client.get(moved["Location"])
    assert [v.pk for v in page.context["page"]] == [own.pk]
    assert f'value="{cid.formatted(digits)}"' in page.text  # the box shows what was typed
    # Out of scope, the same search finds nothing; a name search stays in the address.
    other = client.get(client.get(url, {"q": thasae.read_citizen_id()})["Location"])
    assert list(other.context["page"]) == []
    assert client.get(url, {"q": "มาลี"}).status_code == 200
    # A key from another session, or a stale one, is an empty search, said so, not an error.
    client.logout()
    login(client, "district_coordinator_a")
    stale = client.get(moved["Location"])
    assert stale.status_code == 200
    assert [m.level_tag for m in stale.context["messages"]] == ["info"]
    # A visitor whose session ended is sent to sign in with the key, not the ID, in `next`.
    client.logout()
    hidden = client.get(url, {"q": digits})
    assert hidden.status_code == 302 and "qid=" in hidden["Location"]
    to_login = client.get(hidden["Location"])
    assert "login" in to_login["Location"] and digits[1:] not in to_login["Location"]


def test_a_province_centre_names_the_district_of_each_subdistrict(client, area_tree, world):
    centre = CentreFactory(area=area_tree["86"])
    login(client, "province_officer")
    page = client.get(reverse("reports:centre", args=[centre.pk]))
    districts = re.findall(r'data-testid="coverage-district">([^<]+)<', page.text)
    assert "อ.เมืองชุมพร" in districts and "อ.ท่าแซะ" in districts
    district_page = client.get(reverse("reports:centre", args=[world["centre_a"].pk]))
    assert "coverage-district" not in district_page.text  # one district: no need


def test_a_typed_subdistrict_code_may_be_in_thai_digits():
    from carenet.volunteers.forms import _CodeField

    field = _CodeField(regex=r"^[0-9]{6}$")
    assert field.clean(" ๘๖๐๑๐๑ ") == "860101"
    with pytest.raises(ValidationError):
        field.clean("86010")


def test_a_hidden_id_search_is_kept_encrypted_in_the_session(client, world):
    digits = world["own"].read_citizen_id()
    login(client, "district_coordinator_a")
    client.get(reverse("volunteers:list"), {"q": digits})
    stored = str(dict(client.session.items()))
    assert digits not in stored and "id-searches" in stored


def test_a_planned_seat_can_be_cancelled_from_the_centre_page(client, world):
    from datetime import timedelta

    from django.utils import timezone

    centre = world["centre_a"]
    planned = CommitteeMembershipFactory(
        centre=centre,
        volunteer=VolunteerFactory(area=world["own"].area),
        term_start=timezone.localdate() + timedelta(days=30),
    )
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:centre", args=[centre.pk]))
    assert reverse("volunteers:seat_end", args=[planned.pk]) in page.text
    assert page.text.count('data-testid="cancel-seat"') == 1  # not for the current chair
    # Shown with the committee, not folded with the past seats: the successor is seen.
    planned_part = page.text.split('data-testid="planned-seats"')[1].split("</ul>")[0]
    assert planned.volunteer.full_name in planned_part


def test_a_login_for_a_volunteer_who_left_is_refused_with_the_reason(client, world):
    thasae = world["thasae"]
    thasae.status = VolunteerStatus.DECEASED
    thasae.save()
    login(client, "district_coordinator_b")
    detail = reverse("volunteers:detail", args=[thasae.pk])
    assert "somchai" not in client.get(detail).text
    response = client.post(
        reverse("volunteers:account", args=[thasae.pk]),
        {"username": "somchai", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == detail
    thasae.refresh_from_db()
    assert thasae.user is None
    page = client.get(detail)
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert 'name="password"' not in page.text


def test_a_search_sealed_under_an_old_key_is_a_search_no_longer_kept(client, world):
    login(client, "district_coordinator_a")
    session = client.session
    session["carenet:id-searches"] = {"old": "c2VhbGVkIGJ5IGFub3RoZXIga2V5IGxvbmcgYWdv"}
    session.save()
    page = client.get(reverse("volunteers:list"), {"qid": "old"})
    assert page.status_code == 200
    assert [m.level_tag for m in page.context["messages"]] == ["info"]


# --- a new password for a volunteer who forgot theirs -----------------------------------------


def set_password(client, volunteer, new=NEW_PASSWORD, again=None):
    data = {"new_password1": new, "new_password2": new if again is None else again}
    return client.post(reverse("volunteers:password", args=[volunteer.pk]), data)


def test_a_coordinator_sets_a_new_password_and_the_volunteer_is_signed_out(client, world):
    own = world["own"]  # volunteer_a's login
    elsewhere = login(Client(), "volunteer_a")
    detail = reverse("volunteers:detail", args=[own.pk])
    assert 'data-testid="set-password"' not in elsewhere.get(detail).text  # not their own
    login(client, "district_coordinator_a")
    url = reverse("volunteers:password", args=[own.pk])
    assert url in client.get(detail).text
    assert 'name="new_password2"' in client.get(url).text
    response = set_password(client, own)
    assert response.status_code == 302 and response["Location"] == detail
    assert User.objects.get(username="volunteer_a").check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.password_set")
    assert (event.actor.username, event.area_code) == ("district_coordinator_a", "860101")
    assert NEW_PASSWORD not in str(event.details)
    assert "volunteer_a" in told(response)[0]
    # Their sessions end: Django checks each session against the password hash.
    gone = elsewhere.get(reverse("volunteers:me"))
    assert gone.status_code == 302 and gone["Location"].startswith(reverse("accounts:login"))
    assert client.get(detail).status_code == 200  # the coordinator's session goes on


@pytest.mark.parametrize(
    ("new", "again", "reason"),
    [
        ("ต้นไม้", "ต้นไม้", ""),  # too short: the reason names the 10 characters
        ("qwertyuiop", "qwertyuiop", "This password is too common."),
        ("2568256825", "2568256825", "This password is entirely numeric."),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two password fields didn’t match."),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_beside_the_field(client, world, new, again, reason):
    own = world["own"]
    login(client, "district_coordinator_a")
    before = state(own)
    response = set_password(client, own, new, again)
    assert response.status_code == 400
    errors = response.context["form"].errors["new_password2"]
    if reason:
        assert in_thai(reason) in errors
        assert in_thai(reason) != reason  # Django's messages are shown in Thai
    else:
        assert any("10" in error and "short" not in error for error in errors), errors
    assert state(own) == before
    assert not AuditEvent.objects.filter(action="user.password_set").exists()


def test_a_demo_login_keeps_its_password_and_the_page_says_why(client, world):
    own = world["own"]
    User.objects.filter(username="volunteer_a").update(is_demo=True)
    login(client, "district_coordinator_a")
    page = client.get(reverse("volunteers:password", args=[own.pk]))
    assert in_thai("The demo logins keep the password everyone uses.") in page.text
    assert 'name="new_password1"' not in page.text
    before = state(own)
    assert set_password(client, own).status_code == 200
    assert state(own) == before


def test_the_password_page_without_a_login_says_so(client, world):
    login(client, "district_coordinator_b")
    page = client.get(reverse("volunteers:password", args=[world["thasae"].pk]))
    assert 'data-testid="password-refused"' in page.text
    assert 'name="new_password1"' not in page.text


# --- what a status change or a move does to committee seats -----------------------------------


def be_date(day: date) -> str:
    return day.strftime("%d/%m/") + str(day.year + 543)


def test_leaving_tells_which_committee_seats_ended_or_were_cancelled(client, world, area_tree):
    own, today = world["own"], timezone.localdate()
    planned = CommitteeMembershipFactory(  # the next term, 2570–2573 say
        centre=CentreFactory(area=area_tree["86"]),
        volunteer=own,
        position=Position.SECRETARY,
        term_start=date(today.year + 2, 1, 1),
        term_end=date(today.year + 5, 12, 31),
    )
    login(client, "district_coordinator_a")
    response = client.post(
        reverse("volunteers:status", args=[own.pk]),
        {"to_status": "resigned", "effective_date": be_date(today), "reason": "ลาออก"},
    )
    assert response.status_code == 302
    assert not CommitteeMembership.objects.filter(pk=planned.pk).exists()
    success = told(response)[0]
    with translation.override("th"):
        ended = (world["centre_a"].name, Position.CHAIR.label, thaidate.format_short(today))
        cancelled = (planned.centre.name, Position.SECRETARY.label, str(today.year + 2 + 543))
    for part in (*ended, *cancelled):
        assert str(part) in success, part


def test_other_status_changes_say_nothing_of_seats(client, world):
    login(client, "district_coordinator_a")
    response = client.post(
        reverse("volunteers:status", args=[world["own"].pk]),
        {"to_status": "inactive", "effective_date": be_date(timezone.localdate()), "reason": "ป่วย"},
    )
    assert told(response)[0] == in_thai("The status is changed.")
    world["seat"].refresh_from_db()
    assert world["seat"].term_end is None


def test_moving_a_volunteer_warns_about_the_seats_they_keep(client, world, area_tree):
    own = world["own"]  # chair of the เมืองชุมพร district centre, serving ท่าตะเภา
    old = CommitteeMembershipFactory(centre=CentreFactory(area=area_tree["860101"]), volunteer=own)
    login(client, "district_coordinator_a")
    url = reverse("volunteers:edit", args=[own.pk])
    response = client.post(url, edit_post(own, area="860102"))  # to ปากน้ำ, the same district
    assert response.status_code == 302
    kept = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(kept) == 1 and old.centre.name in kept[0]
    assert world["centre_a"].name not in kept[0]  # the district's seat rightly goes on
    old.refresh_from_db()
    assert old.term_end is None  # ending it, and when, is the coordinator's decision


def test_an_edit_that_keeps_the_area_warns_of_nothing(client, world):
    own = world["own"]
    login(client, "district_coordinator_a")
    response = client.post(reverse("volunteers:edit", args=[own.pk]), edit_post(own))
    assert told(response) == [in_thai("The changes are saved.")]


# --- subdistrict centres ----------------------------------------------------------------------


def test_a_subdistrict_centre_can_be_opened_from_the_list(client, world, area_tree):
    login(client, "district_coordinator_a")
    page = client.get(reverse("volunteers:centre_list"))
    missing = page.context["missing"]
    assert missing.required == []
    assert [(d.code, [a.code for a in areas]) for d, areas in missing.subdistricts] == [
        ("8601", ["860101", "860102"])
    ]
    assert '<optgroup label="อ.เมืองชุมพร">' in page.text and 'value="860102"' in page.text
    response = client.post(reverse("volunteers:centre_create"), {"area": "860102"})
    centre = Centre.objects.get(area_id="860102")
    assert response["Location"] == reverse("reports:centre", args=[centre.pk])
    assert centre.name == "ศูนย์ประสานงาน อพม. ตำบลปากน้ำ"
    assert AuditEvent.objects.filter(action="centre.create", area_code="860102").exists()
    assert 'value="860102"' not in client.get(reverse("volunteers:centre_list")).text
