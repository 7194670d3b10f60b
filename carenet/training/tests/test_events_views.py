"""Training pages: the access matrix, the forms, and fixed query counts at two sizes."""

from datetime import date

import pytest
from django.urls import reverse

from carenet.training.models import Award, Invitation, InvitationStatus, TrainingEvent
from carenet.training.tests.factories_events import (
    AttendanceFactory,
    AwardFactory,
    CertificateFactory,
    EventFactory,
    GrantFactory,
    InvitationFactory,
    SessionFactory,
    VolunteerFactory,
    centre,
    many_volunteers,
)
from carenet.volunteers.models import VolunteerStatus
from carenet.volunteers.tests.factories import VolunteerStatusChangeFactory
from conftest import PERSONAS, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(area_tree, personas, reference_data):
    province, centre_a, centre_b = centre("86"), centre("8601"), centre("8602")
    own = VolunteerFactory(area_id="860101", user=personas["volunteer_a"], first_name="มาลี")
    thasae = VolunteerFactory(area_id="860201", user=personas["volunteer_b"], first_name="สมชาย")
    event_a = EventFactory(centre=centre_a, title="อบรมเมืองชุมพร", starts_on=date(2099, 3, 1))
    event_b = EventFactory(centre=centre_b, title="อบรมท่าแซะ", starts_on=date(2099, 3, 1))
    event_p = EventFactory(centre=province, title="ประชุมจังหวัด", starts_on=date(2099, 3, 1))
    invitation_a = InvitationFactory(event=event_a, volunteer=own)
    invitation_b = InvitationFactory(event=event_b, volunteer=thasae)
    InvitationFactory(event=event_p, volunteer=thasae)  # the province invites ท่าแซะ only
    session = SessionFactory(event=event_a)
    award = AwardFactory(volunteer=own)
    return {
        "province": province,
        "centre_a": centre_a,
        "centre_b": centre_b,
        "own": own,
        "thasae": thasae,
        "event_a": event_a,
        "event_b": event_b,
        "event_p": event_p,
        "invitation_a": invitation_a,
        "invitation_b": invitation_b,
        "session": session,
        "award": award,
    }


# which events each persona sees on the list and may open
SEES = {
    "national_admin": {"event_a", "event_b", "event_p"},
    "auditor": {"event_a", "event_b", "event_p"},
    "province_officer": {"event_a", "event_b", "event_p"},
    "district_coordinator_a": {"event_a"},
    "district_coordinator_b": {"event_b", "event_p"},  # the province invited their volunteer
    "volunteer_a": set(),
    "volunteer_b": set(),
}
MANAGES = {
    "national_admin": {"event_a", "event_b", "event_p"},
    "province_officer": {"event_a", "event_b", "event_p"},
    "district_coordinator_a": {"event_a"},
    "district_coordinator_b": {"event_b"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_event_pages_are_scoped(client, world, persona):
    login(client, persona)
    response = client.get(reverse("training:list"))
    if persona.startswith("volunteer"):
        # A volunteer's trainings are their invitations.
        assert response["Location"] == reverse("training:my")
    else:
        assert response.status_code == 200
        shown = set(response.context["page"].object_list)
        assert shown == {world[name] for name in SEES[persona]}
    for name in ("event_a", "event_b", "event_p"):
        pk = world[name].pk
        expected = 200 if name in SEES[persona] else 404
        assert client.get(reverse("training:event", args=[pk])).status_code == expected
        assert client.get(reverse("training:invitations", args=[pk])).status_code == expected
        for page in ("event_edit", "sessions"):
            response = client.get(reverse(f"training:{page}", args=[pk]))
            if persona not in MANAGES:
                assert response.status_code == 403
            else:
                assert response.status_code == (200 if name in MANAGES[persona] else 404), page


def test_a_coordinator_sees_only_their_volunteers_on_a_province_event(client, world):
    login(client, "district_coordinator_a")
    other = VolunteerFactory(area_id="860102")
    InvitationFactory(event=world["event_p"], volunteer=other)
    response = client.get(reverse("training:invitations", args=[world["event_p"].pk]))
    assert response.status_code == 200
    assert [i.volunteer for i in response.context["page"].object_list] == [other]
    assert not response.context["can_manage"]
    assert 'data-testid="send"' not in response.text


def test_coordinator_creates_for_their_centre_not_the_province(client, world):
    login(client, "district_coordinator_a")
    form = {
        "title": "อบรมการคุ้มครองเด็ก",
        "kind": "course",
        "starts_on": "10/03/2568",
        "ends_on": "11/03/2568",
        "venue": "หอประชุมอำเภอ",
        "venue_area": "860101",
        "budget": "25000",
        "attendance_rule": "80",
        "competencies": ["child_protection"],
        "committee": "",
        "target_area": "",
    }
    refused = client.post(reverse("training:event_new"), {**form, "centre": world["province"].pk})
    assert refused.status_code == 200
    assert refused.context["form"].errors["centre"]
    assert 'data-testid="form-error"' in refused.text  # said at the top too
    assert not TrainingEvent.objects.filter(title="อบรมการคุ้มครองเด็ก").exists()
    response = client.post(reverse("training:event_new"), {**form, "centre": world["centre_a"].pk})
    event = TrainingEvent.objects.get(title="อบรมการคุ้มครองเด็ก")
    assert response.status_code == 302
    assert response["Location"] == reverse("training:invitations", args=[event.pk])
    assert (event.fiscal_year, event.starts_on, event.area_id) == (2568, date(2025, 3, 10), "8601")
    assert list(event.competencies.values_list("code", flat=True)) == ["child_protection"]
    assert set(event.invitations.values_list("volunteer", flat=True)) == {world["own"].pk}
    # Bad input is a form error, never a 500.
    bad = client.post(
        reverse("training:event_new"),
        {**form, "centre": world["centre_a"].pk, "starts_on": "31/02/2568", "budget": "-5"},
    )
    assert bad.status_code == 200
    assert {"starts_on", "budget"} <= set(bad.context["form"].errors)


def test_edit_conflict_is_409(client, world):
    login(client, "district_coordinator_a")
    event = world["event_a"]
    page = client.get(reverse("training:event_edit", args=[event.pk]))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(
        starts_on="01/03/2642", ends_on="01/03/2642", competencies=[], version=event.version
    )
    TrainingEvent.objects.filter(pk=event.pk).update(version=5)
    response = client.post(reverse("training:event_edit", args=[event.pk]), data)
    assert response.status_code == 409


def test_sessions_page_adds_a_session(client, world):
    login(client, "district_coordinator_a")
    event = world["event_a"]
    url = reverse("training:sessions", args=[event.pk])
    response = client.post(
        url,
        {"title": "ภาคบ่าย", "day": "01/03/2642", "starts": "13:00", "ends": "16:00"},
    )
    assert response.status_code == 302
    assert event.sessions.filter(title="ภาคบ่าย").exists()
    wrong_day = client.post(
        url, {"title": "ผิดวัน", "day": "05/03/2642", "starts": "13:00", "ends": "16:00"}
    )
    assert wrong_day.status_code == 200 and wrong_day.context["form"].errors
    assert (
        client.get(reverse("training:session_delete", args=[world["session"].pk])).status_code
        == 405
    )


def test_send_and_remove_from_the_page(client, world):
    login(client, "district_coordinator_a")
    event = world["event_a"]
    extra = VolunteerFactory(area_id="860102")
    Invitation.objects.filter(event=event).update(invited_at=None)
    assert client.get(reverse("training:invitations_send", args=[event.pk])).status_code == 405
    client.post(reverse("training:invitation_add", args=[event.pk]), {"volunteer": extra.pk})
    response = client.get(reverse("training:invitations", args=[event.pk]))
    assert response.context["counts"]["unsent"] == 2
    client.post(reverse("training:invitations_send", args=[event.pk]))
    assert not event.invitations.filter(invited_at__isnull=True).exists()
    client.post(reverse("training:invitation_remove", args=[world["invitation_a"].pk]))
    assert not Invitation.objects.filter(pk=world["invitation_a"].pk).exists()
    # The neighbour cannot touch this list.
    login(client, "district_coordinator_b")
    before = event.invitations.count()
    assert client.post(reverse("training:invitations_build", args=[event.pk])).status_code == 404
    invitation = event.invitations.first()
    assert (
        client.post(reverse("training:invitation_remove", args=[invitation.pk])).status_code == 404
    )
    assert event.invitations.count() == before


def test_a_volunteer_sees_and_answers_only_their_own_invitations(client, world):
    login(client, "volunteer_a")
    response = client.get(reverse("training:my"))
    assert response.status_code == 200
    assert response.context["invitations"] == [world["invitation_a"]]
    assert "ประชุมจังหวัด" not in response.text
    other = client.post(
        reverse("training:respond", args=[world["invitation_b"].pk]), {"answer": "yes"}
    )
    assert other.status_code == 404
    world["invitation_b"].refresh_from_db()
    assert world["invitation_b"].status == InvitationStatus.INVITED
    assert (
        client.get(reverse("training:respond", args=[world["invitation_a"].pk])).status_code == 405
    )
    client.post(reverse("training:respond", args=[world["invitation_a"].pk]), {"answer": "yes"})
    world["invitation_a"].refresh_from_db()
    assert world["invitation_a"].status == InvitationStatus.CONFIRMED


def test_the_auditor_reads_and_changes_nothing(client, world):
    login(client, "auditor")
    event = world["event_a"]
    assert client.get(reverse("training:event", args=[event.pk])).status_code == 200
    response = client.get(reverse("training:invitations", args=[event.pk]))
    assert response.status_code == 200 and not response.context["can_manage"]
    assert client.get(reverse("training:coverage", args=["86"])).status_code == 200
    for name in ("invitations_send", "invitations_build", "invitation_add"):
        assert client.post(reverse(f"training:{name}", args=[event.pk])).status_code == 403
    assert (
        client.post(
            reverse("training:award_move", args=[world["award"].pk]), {"to_status": "shortlisted"}
        ).status_code
        == 403
    )
    assert client.get(reverse("training:event_new")).status_code == 403
    world["award"].refresh_from_db()
    assert world["award"].status == "nominated"


def test_volunteer_training_page_is_scoped_like_the_profile(client, world):
    own = world["own"]
    own.registration_date = date(2012, 11, 1)
    own.save()
    AttendanceFactory(invitation=world["invitation_a"], session=world["session"])
    SessionFactory(event=world["event_a"])
    GrantFactory(volunteer=own, granted_on=date(2025, 2, 26), expires_on=date(2028, 2, 26))
    url = reverse("training:volunteer", args=[own.pk])
    for persona, expected in [
        ("volunteer_a", 200),
        ("district_coordinator_a", 200),
        ("auditor", 200),
        ("volunteer_b", 404),
        ("district_coordinator_b", 404),
    ]:
        login(client, persona)
        response = client.get(url)
        assert response.status_code == expected, persona
    login(client, "district_coordinator_a")
    response = client.get(url)
    record = response.context["record"]
    assert [(i.n_attended, i.n_sessions) for i in record.invitations] == [(1, 2)]
    assert record.service.years >= 12
    assert "การคุ้มครองเด็ก" in response.text
    assert "อพม. ดีเด่น" in response.text
    # The profile links to it.
    profile = client.get(reverse("volunteers:detail", args=[own.pk]))
    assert url in profile.text


def test_awards_flow_through_the_pages(client, world):
    login(client, "district_coordinator_a")
    volunteer = VolunteerFactory(area_id="860102")
    response = client.post(
        reverse("training:award_new"),
        {"volunteer": volunteer.pk, "fiscal_year": 2568, "title": "อพม. ดีเด่น", "reason": "ทุ่มเท"},
    )
    assert response.status_code == 302
    award = Award.objects.get(volunteer=volunteer)
    client.post(reverse("training:award_move", args=[award.pk]), {"to_status": "shortlisted"})
    award.refresh_from_db()
    assert award.status == "nominated"  # a district does not decide
    login(client, "province_officer")
    client.post(reverse("training:award_move", args=[award.pk]), {"to_status": "shortlisted"})
    award.refresh_from_db()
    assert award.status == "shortlisted"
    assert client.get(reverse("training:awards")).status_code == 200
    login(client, "district_coordinator_b")
    out = client.get(reverse("training:award_new") + f"?volunteer={volunteer.pk}")
    assert out.status_code == 404


@pytest.mark.parametrize("typed", ["86/01", "1/1/2569", "ชุมพร", "99", "<b>", "86" * 60])
def test_coverage_pick_answers_what_it_cannot_read_beside_the_box(client, world, typed):
    login(client, "national_admin")
    response = client.get(reverse("training:coverage_pick"), {"area": typed})
    assert response.status_code == 400
    assert [a.code for a in response.context["choices"]][:1] and response.context["error"]


def test_coverage_pick_reads_a_code_typed_in_thai_digits_or_spaced(client, world):
    login(client, "national_admin")
    for typed in ("๘๖", "86 01"):
        response = client.get(reverse("training:coverage_pick"), {"area": typed})
        assert response.status_code == 302
    login(client, "district_coordinator_a")
    response = client.get(reverse("training:coverage_pick"), {"area": "8602"})
    assert response.status_code == 400  # another district: chosen from what they may see


def test_coverage_report_counts_and_lists_the_untrained(client, world):
    trained = VolunteerFactory(area_id="860102")
    AttendanceFactory(
        invitation=InvitationFactory(
            event=EventFactory(centre=world["centre_a"]), volunteer=trained
        )
    )
    GrantFactory(volunteer=trained)
    login(client, "district_coordinator_a")
    response = client.get(reverse("training:coverage", args=["8601"]) + "?year=2568")
    report = response.context["report"]
    assert (report.total.active, report.total.trained) == (2, 1)
    rows = {row.area.code: row for row in report.rows}
    assert (rows["860102"].active, rows["860102"].trained) == (1, 1)
    assert rows["860102"].by_competency[0] == 1  # child protection, valid
    assert list(response.context["page"].object_list) == [world["own"]]
    assert 'data-testid="create-for-group"' in response.text
    assert client.get(reverse("training:coverage", args=["8602"])).status_code == 404
    assert client.get(reverse("training:coverage", args=["xx"])).status_code == 404
    login(client, "volunteer_a")
    assert client.get(reverse("training:coverage", args=["860101"])).status_code == 404
    # The prefilled event form.
    login(client, "district_coordinator_a")
    new = client.get(reverse("training:event_new") + "?target_area=8601&untrained_fy=2568")
    assert new.context["form"].initial["untrained_fy"] == "2568"


def test_a_past_years_coverage_counts_the_volunteers_active_at_its_end(client, world):
    """Fiscal year 2568 ends on 30 Sep 2025: one who resigned after it counts in it, as on
    the volunteer figures of that year; one who resigned during it does not."""
    login(client, "district_coordinator_a")
    url = reverse("training:coverage", args=["8601"]) + "?year=2568"
    before = client.get(url).context["report"].total.active
    for resigned_on in (date(2025, 11, 1), date(2025, 3, 1)):
        gone = VolunteerFactory(area_id="860102", status=VolunteerStatus.RESIGNED)
        VolunteerStatusChangeFactory(volunteer=gone)
        VolunteerStatusChangeFactory(
            volunteer=gone,
            from_status=VolunteerStatus.ACTIVE,
            to_status=VolunteerStatus.RESIGNED,
            effective_date=resigned_on,
        )
    response = client.get(url)
    assert response.context["report"].total.active == before + 1
    assert "ปฏิบัติงานอยู่ ณ 30 ก.ย. 2568 สิ้นปีงบประมาณ" in response.text
    now = client.get(reverse("training:coverage", args=["8601"]))
    assert now.context["report"].total.active == before  # the current year: today's status


@pytest.mark.parametrize(
    ("persona", "status", "links"),
    [
        # Coverage names other volunteers: a page of coordinators, officers and auditors.
        ("volunteer_a", 403, []),
        ("volunteer_b", 403, []),
        ("district_coordinator_a", 302, ["8601"]),
        ("province_officer", 302, ["86"]),
        ("national_admin", 200, "pick"),  # the whole country: choose a province
        ("auditor", 200, "pick"),
    ],
)
def test_coverage_is_linked_only_for_those_who_may_read_it(client, world, persona, status, links):
    login(client, persona)
    response = client.get(reverse("training:coverage_pick"))
    assert response.status_code == status
    if persona.startswith("volunteer"):
        return  # the list sends a volunteer to their own trainings
    listing = client.get(reverse("training:list"))
    codes = [area.code for area in listing.context["coverage_areas"]]
    assert codes == ([] if links == "pick" else links)
    assert ('data-testid="coverage-pick"' in listing.text) is (links == "pick")
    for area in listing.context["coverage_areas"]:
        assert client.get(reverse("training:coverage", args=[area.code])).status_code == 200
        assert f"({area.label})" in listing.text  # the area's name, not its code


def test_coverage_is_refused_to_a_volunteer_whatever_is_typed(client, world):
    login(client, "volunteer_a")
    for typed in ("860101", "86", "ชุมพร"):
        response = client.get(reverse("training:coverage_pick"), {"area": typed})
        assert response.status_code == 403, typed
    assert client.get(reverse("training:coverage", args=["86"])).status_code == 404


def test_coverage_for_a_volunteer_who_also_coordinates(client, world):
    """A grant of their own counts for the coordinator's area, never the volunteer's."""
    from carenet.accounts.models import Role, User
    from carenet.accounts.tests.factories import AreaAssignmentFactory

    user = User.objects.get(username="volunteer_a")
    AreaAssignmentFactory(user=user, role=Role.CENTRE_COORDINATOR, area_id="8602")
    login(client, "volunteer_a")
    assert client.get(reverse("training:coverage_pick")).status_code == 302
    listing = client.get(reverse("training:list"))
    assert [area.code for area in listing.context["coverage_areas"]] == ["8602"]
    assert client.get(reverse("training:coverage", args=["8601"])).status_code == 404


def test_a_national_scope_sees_events_nobody_is_invited_to_yet(client, world):
    empty = EventFactory(centre=world["centre_a"], title="อบรมยังไม่มีรายชื่อ")
    for persona in ("national_admin", "auditor", "province_officer", "district_coordinator_a"):
        login(client, persona)
        listed = set(client.get(reverse("training:list")).context["page"].object_list)
        assert empty in listed, persona
        assert client.get(reverse("training:event", args=[empty.pk])).status_code == 200, persona
    login(client, "district_coordinator_b")
    assert client.get(reverse("training:event", args=[empty.pk])).status_code == 404


def every_url(world) -> list[str]:
    event, inv = world["event_a"].pk, world["invitation_a"].pk
    return [
        reverse("training:list"),
        reverse("training:event_new"),
        reverse("training:event", args=[event]),
        reverse("training:event_edit", args=[event]),
        reverse("training:sessions", args=[event]),
        reverse("training:session_delete", args=[world["session"].pk]),
        reverse("training:invitations", args=[event]),
        reverse("training:invitations_build", args=[event]),
        reverse("training:invitations_send", args=[event]),
        reverse("training:invitation_add", args=[event]),
        reverse("training:invitation_remove", args=[inv]),
        reverse("training:my"),
        reverse("training:respond", args=[inv]),
        reverse("training:volunteer", args=[world["own"].pk]),
        reverse("training:coverage_pick"),
        reverse("training:coverage", args=["86"]),
        reverse("training:awards"),
        reverse("training:award_new"),
        reverse("training:award_move", args=[world["award"].pk]),
    ]


def test_anonymous_users_are_sent_to_sign_in(client, world):
    for url in every_url(world):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url


def test_every_page_opens_for_the_province(client, world):
    login(client, "province_officer")
    for url in every_url(world):
        response = client.get(url)
        assert response.status_code in (200, 302, 405), url


# --- query counts at two sizes -----------------------------------------------------------------


def grow(world, n):
    many_volunteers(n, ["860101", "860102"])
    for i in range(n // 10):
        EventFactory(centre=world["centre_a"], title=f"อบรม {i}")


@pytest.mark.parametrize("size", [10, 200])
def test_list_and_invitations_pages_keep_their_query_count(
    client, world, django_assert_max_num_queries, size
):
    grow(world, size)
    event = world["event_a"]
    from carenet.accounts.models import User
    from carenet.training import services

    services.invitations_build(actor=User.objects.get(username="province_officer"), event=event)
    login(client, "district_coordinator_a")
    with django_assert_max_num_queries(15):
        assert client.get(reverse("training:list")).status_code == 200
    with django_assert_max_num_queries(16):
        response = client.get(reverse("training:invitations", args=[event.pk]) + "?add=อาสา")
        assert response.status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("training:event", args=[event.pk])).status_code == 200


@pytest.mark.parametrize("size", [10, 300])
def test_coverage_page_keeps_its_query_count(client, world, django_assert_max_num_queries, size):
    volunteers = many_volunteers(size, ["860101", "860102", "860201"])
    event = EventFactory(centre=world["province"])
    session = SessionFactory(event=event)
    for volunteer in volunteers[: size // 3]:
        AttendanceFactory(
            session=session, invitation=InvitationFactory(event=event, volunteer=volunteer)
        )
    login(client, "province_officer")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("training:coverage", args=["86"]) + "?year=2568")
    assert response.status_code == 200
    assert response.context["report"].total.trained == size // 3


def test_the_invitation_list_is_in_thai_dictionary_order(client, world):
    """เกริกพล comes under ก, before อนุบาล, though its first letter is the vowel เ."""
    for first in ("อนุบาล", "เกริกพล", "ขวัญ"):
        InvitationFactory(
            event=world["event_p"], volunteer=VolunteerFactory(area_id="860102", first_name=first)
        )
    login(client, "district_coordinator_a")
    response = client.get(reverse("training:invitations", args=[world["event_p"].pk]))
    names = [i.volunteer.first_name for i in response.context["page"].object_list]
    assert names == ["เกริกพล", "ขวัญ", "อนุบาล"]


def test_new_criteria_say_how_many_unsent_invitations_they_replaced(client, world):
    login(client, "district_coordinator_a")
    form = {
        "title": "อบรมสองตำบล", "kind": "course", "starts_on": "10/03/2568",
        "ends_on": "11/03/2568", "venue": "หอประชุมอำเภอ", "venue_area": "860101",
        "budget": "0", "attendance_rule": "80", "competencies": [], "committee": "",
        "target_area": "860101", "centre": world["centre_a"].pk,
    }  # fmt: skip
    client.post(reverse("training:event_new"), form)
    event = TrainingEvent.objects.get(title="อบรมสองตำบล")
    assert event.invitations.count() == 1  # the volunteer of 860101
    VolunteerFactory(area_id="860102")
    response = client.post(
        reverse("training:event_edit", args=[event.pk]),
        {**form, "target_area": "860102", "version": event.version},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert any("1" in m and "ส่ง" in m for m in said[1:]), said


# --- Cancelling an event ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("district_coordinator_a", 302),
        ("district_coordinator_b", 404),  # another district's event
        ("auditor", 403),
        ("volunteer_a", 403),
        (None, 302),  # to the sign-in page
    ],
)
def test_cancelling_an_event_is_for_its_organisers(client, world, persona, status):
    event = world["event_a"]
    login(client, persona)
    response = client.post(reverse("training:event_cancel", args=[event.pk]), {"reason": "ฝนตก"})
    assert response.status_code == status
    event.refresh_from_db()
    assert (event.status == "cancelled") is (persona == "district_coordinator_a")


def test_a_cancelled_event_says_why_to_its_organisers_and_its_volunteers(client, world):
    event = world["event_a"]
    login(client, "district_coordinator_a")
    url = reverse("training:event_cancel", args=[event.pk])
    client.post(url, {"reason": "  "})
    event.refresh_from_db()
    assert event.status != "cancelled"  # a reason is needed
    client.post(url, {"reason": "น้ำท่วมสถานที่จัด"})
    page = client.get(reverse("training:event", args=[event.pk])).text
    assert 'data-testid="cancelled"' in page and "น้ำท่วมสถานที่จัด" in page
    assert 'data-testid="cancel-event"' not in page
    login(client, "volunteer_a")
    mine = client.get(reverse("training:my")).text
    assert 'data-testid="my-cancelled"' in mine and "น้ำท่วมสถานที่จัด" in mine
    assert 'data-testid="confirm"' not in mine


def test_an_event_with_certificates_is_not_cancelled(client, world):
    from carenet.training import services

    event, invitation = world["event_a"], world["invitation_a"]
    CertificateFactory(invitation=invitation)
    with pytest.raises(services.ValidationError):
        services.event_cancel(actor=None, event=event, reason="ผิด")


# --- Revoking a certificate issued by mistake ---------------------------------------------------


def _certificate(world):

    event, invitation = world["event_a"], world["invitation_a"]
    GrantFactory(volunteer=invitation.volunteer, event=event)
    return CertificateFactory(invitation=invitation)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("province_officer", 302),
        ("district_coordinator_a", 404),  # the centre that ran it asks the province
        ("district_coordinator_b", 404),
        ("auditor", 403),
        ("volunteer_a", 403),
        (None, 302),  # to the sign-in page
    ],
)
def test_the_province_revokes_a_certificate_issued_by_mistake(client, world, persona, status):
    from carenet.core.models import AuditEvent
    from carenet.training.models import CompetencyGrant

    certificate = _certificate(world)
    login(client, persona)
    url = reverse("training:certificate_revoke", args=[certificate.pk])
    response = client.post(url, {"reason": "ติ๊กชื่อผิดคน ไม่ได้มาอบรม"})
    assert response.status_code == status
    certificate.refresh_from_db()
    revoked = persona == "province_officer"
    assert certificate.revoked is revoked
    assert CompetencyGrant.objects.exists() is not revoked
    assert AuditEvent.objects.filter(action="training.certificate_revoke").exists() is revoked
    if revoked:
        page = client.get(reverse("training:volunteer", args=[certificate.volunteer_id])).text
        assert 'data-testid="certificate-revoked"' in page and "ติ๊กชื่อผิดคน" in page


def test_a_revocation_needs_a_reason_and_the_form_is_the_provinces(client, world):
    certificate = _certificate(world)
    record = reverse("training:volunteer", args=[certificate.volunteer_id])
    login(client, "district_coordinator_a")
    assert 'data-testid="revoke"' not in client.get(record).text
    login(client, "province_officer")
    assert 'data-testid="revoke"' in client.get(record).text
    client.post(reverse("training:certificate_revoke", args=[certificate.pk]), {"reason": " "})
    certificate.refresh_from_db()
    assert not certificate.revoked


def test_a_search_that_finds_no_event_says_so(client, world):
    login(client, "district_coordinator_a")
    page = client.get(reverse("training:list"), {"q": "ไม่มีชื่อนี้แน่นอน"}).text
    assert "ไม่มีชื่อนี้แน่นอน" in page.split('data-testid="no-events"')[1]


def test_a_cancelled_event_is_kept_as_it_was(world, personas):
    from datetime import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from carenet.training import checkin, services

    event = world["event_a"]
    AttendanceFactory(session=world["session"], invitation=world["invitation_a"])
    services.event_cancel(actor=None, event=event, reason="น้ำท่วม")
    day = timezone.make_aware(datetime(2099, 3, 1, 13))
    with pytest.raises(ValidationError):
        services.session_add(
            actor=None, event=event, title="บ่าย", starts_at=day, ends_at=day.replace(hour=16)
        )
    with pytest.raises(ValidationError, match="ยกเลิก"):
        services.invitation_respond(actor=None, invitation=world["invitation_a"], attend=True)
    refused = checkin.attendance_undo(
        actor=personas["district_coordinator_a"],
        session=world["session"],
        invitation=world["invitation_a"],
    )
    assert refused and world["session"].attendance.count() == 1
