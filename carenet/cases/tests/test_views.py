"""The case pages: scope (in scope, out of scope 404, anonymous), moves shown and refused,
the plan and follow-ups, sensitive cases with break-glass and its log, the time limits, and
constant query counts for the lists."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carenet.cases import workflow
from carenet.cases.models import (
    BreakGlassAccess,
    Case,
    CaseCategory,
    CaseFollowUp,
    CaseStatus,
    CaseTask,
    CaseTimeLimits,
    FieldComment,
)
from carenet.cases.tests.factories import ReferralFactory, subdistrict_reviewer
from carenet.cases.tests.work_helpers import case_in
from carenet.core.models import AuditEvent

S = CaseStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(personas: dict[str, Any], reference_data: None) -> dict[str, Any]:
    volunteer_a, volunteer_b = personas["volunteer_a"], personas["volunteer_b"]
    now = timezone.now()
    return {
        "a": case_in(
            "86010101",
            filed_by=volunteer_a,
            status=S.DISTRICT_REVIEW,
            submitted_at=now,
            status_changed_at=now,
        ),
        "b": case_in(
            "86020101",
            filed_by=volunteer_b,
            status=S.DISTRICT_REVIEW,
            submitted_at=now,
            status_changed_at=now,
        ),
    }


def _sensitive(filed_by: Any) -> Any:
    now = timezone.now()
    return case_in(
        "86010101",
        filed_by=filed_by,
        category=CaseCategory.objects.get(code="domestic_violence"),
        status=S.PROVINCE_REVIEW,
        submitted_at=now,
        status_changed_at=now,
    )


# --- Reads of sensitive cases, history, a request like another --------------------------


def test_opening_a_sensitive_case_is_logged_and_an_ordinary_one_is_not(login_as, personas, cases):
    sensitive = _sensitive(personas["volunteer_a"])
    officer = login_as("province_officer")
    assert officer.get(reverse("cases:detail", args=[sensitive.pk])).status_code == 200
    assert officer.get(reverse("cases:detail", args=[cases["a"].pk])).status_code == 200
    reads = AuditEvent.objects.filter(action="case.view_sensitive")
    assert list(reads.values_list("target_id", flat=True)) == [str(sensitive.pk)]
    # Reloaded (each button on the page does): one reading, logged once.
    assert officer.get(reverse("cases:detail", args=[sensitive.pk])).status_code == 200
    assert reads.count() == 1
    # Somebody who sees only that it exists has read nothing.
    coordinator = login_as("district_coordinator_a")
    assert coordinator.get(reverse("cases:detail", args=[sensitive.pk])).status_code == 200
    assert reads.count() == 1
    assert Client().get(reverse("cases:detail", args=[sensitive.pk])).status_code == 302


def test_the_case_page_links_its_history_for_those_who_read_the_log(login_as, cases):
    url = reverse("cases:detail", args=[cases["a"].pk])
    page = login_as("province_officer").get(url)
    assert f"record=cases.case:{cases['a'].pk}" in page.context["history_url"]
    assert 'data-testid="history-link"' in page.text
    assert 'data-testid="history-link"' not in login_as("volunteer_a").get(url).text


def test_a_case_with_no_volunteer_on_it_names_the_one_who_raised_it(login_as, cases):
    from carenet.households.tests.factories import VolunteerFactory

    raiser = VolunteerFactory(area_id="860101", first_name="ผู้แจ้ง", last_name="เรื่องนี้")
    Case.objects.filter(pk=cases["a"].pk).update(volunteer=raiser)
    page = login_as("district_coordinator_a").get(reverse("cases:detail", args=[cases["a"].pk]))
    box = page.text.split('data-testid="case-volunteers"')[1].split("</section>")[0]
    assert "ผู้แจ้ง เรื่องนี้" in box


def test_a_request_like_an_open_one_says_so_to_its_reviewers(login_as, cases):
    first = cases["a"]
    repeat = case_in(
        "86010101",
        person=first.person,
        household=first.household,
        filed_by=first.filed_by,
        status=S.DISTRICT_REVIEW,
    )
    page = login_as("district_coordinator_a").get(reverse("cases:detail", args=[repeat.pk]))
    assert page.context["like_this"] == first
    assert first.number in page.text.split('data-testid="like-this"')[1].split("</div>")[0]
    other = login_as("district_coordinator_a").get(reverse("cases:detail", args=[cases["a"].pk]))
    assert other.context["like_this"] == repeat  # each names the other


# --- Scope --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("volunteer_a", True, False),
        ("volunteer_b", False, True),
        ("district_coordinator_a", True, False),
        ("district_coordinator_b", False, True),
        ("province_officer", True, True),
        ("national_admin", True, True),
        ("auditor", True, True),
    ],
)
def test_list_and_detail_follow_the_scope(login_as, cases, persona, sees_a, sees_b):
    client = login_as(persona)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    listed = {row.case.pk for row in response.context["page"].object_list}
    assert (cases["a"].pk in listed, cases["b"].pk in listed) == (sees_a, sees_b)
    for key, sees in (("a", sees_a), ("b", sees_b)):
        page = client.get(reverse("cases:detail", args=[cases[key].pk]))
        assert page.status_code == (200 if sees else 404)
        if sees:
            assert cases[key].person.full_name in page.content.decode()


@pytest.mark.parametrize(
    "name",
    ["cases:list", "cases:actions", "cases:detail", "cases:break_glass", "cases:break_glass_log"],
)
def test_anonymous_goes_to_the_login(client, cases, name):
    args = [cases["a"].pk] if name in ("cases:detail", "cases:break_glass") else []
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("typed", ["3-1012-00123-45-3", "081-234-5678"])
def test_a_citizen_id_or_phone_searched_for_stays_out_of_the_address(
    client, login_as, cases, typed
):
    """As on the household and volunteer lists (core.id_search): the search is kept in the
    session, and the address carries a key instead."""
    login_as("district_coordinator_a")
    url = reverse("cases:list")
    moved = client.get(url, {"q": typed, "status": S.DISTRICT_REVIEW, "page": "2"})
    assert moved.status_code == 302
    assert "qid=" in moved["Location"] and typed[-4:] not in moved["Location"]
    assert "status=" in moved["Location"] and "page" not in moved["Location"]
    page = client.get(moved["Location"])
    assert page.status_code == 200 and page.context["filters"].q == typed
    assert f'value="{typed}"' in page.content.decode()  # the box shows what was typed
    assert list(page.context["page"].object_list) == []
    # The links the page builds from its filters (periods, downloads) carry the key too.
    for href in (link["query"] for link in page.context["period_links"]):
        assert "qid=" in href and typed[-4:] not in href
    assert "qid=" in page.context["query"] and typed[-4:] not in page.context["query"]
    # A case number (2569-000123) or a name stays in the address as typed.
    for kept in ("2569-000123", cases["a"].person.first_name):
        assert client.get(url, {"q": kept}).status_code == 200
    # A visitor whose session ended signs in with the key, not the number, in `next`.
    client.logout()
    hidden = client.get(url, {"q": typed})
    to_login = client.get(hidden["Location"])
    assert "login" in to_login["Location"] and typed[-4:] not in to_login["Location"]


def test_a_case_is_found_by_what_a_caller_gives(login_as, cases, personas, reference_data):
    """The person's citizen ID or phone, the requester's name or phone, the case number
    however typed; never another district's case, and a restricted one by its number only."""
    from carenet.core import citizen_id as ids
    from carenet.households.models import Person
    from carenet.households.tests.factories import new_citizen_id

    case = cases["a"]
    digits = ids.normalize(new_citizen_id())
    Person.objects.filter(pk=case.person_id).update(
        citizen_id_hash=ids.lookup_hash(digits), phone="0841270065"
    )
    Case.objects.filter(pk=case.pk).update(
        requester_name="นายวิพุธ เนื่องนนท์", requester_phone="0953166811", number="2570-000085"
    )
    sensitive = _sensitive(personas["volunteer_a"])
    Case.objects.filter(pk=sensitive.pk).update(requester_name="นายวิพุธ เนื่องนนท์")
    client = login_as("district_coordinator_a")

    def found(typed):
        response = client.get(reverse("cases:list"), {"q": typed}, follow=True)
        return {row.case.pk for row in response.context["page"].object_list}

    dashed = f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"
    for typed in (digits, dashed, "084-127-0065", "+66841270065", "วิพุธ", "วิพุธ เนื่องนนท์"):
        assert found(typed) == {case.pk}, typed
    for typed in ("2570-85", "2570/000085", "๒๕๗๐-๐๐๐๐๘๕", "2570000085"):
        assert found(typed) == {case.pk}, typed
    assert sensitive.pk in found(sensitive.number)  # restricted: by its number only
    login_as("district_coordinator_b")
    assert found("วิพุธ") == set() and found(digits) == set()


def test_post_actions_refuse_get_and_out_of_scope(login_as, cases, personas):
    client = login_as("district_coordinator_b")
    case = cases["a"]
    for name in ("cases:move", "cases:acknowledge", "cases:task_add", "cases:follow_up_add"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 405
        response = client.post(reverse(name, args=[case.pk]), {"to": S.PROVINCE_REVIEW})
        assert response.status_code == 404
    task = CaseTask.objects.create(
        case=case,
        what="x",
        who_text="อบต.",
        due_on=timezone.localdate(),
        created_by=personas["province_officer"],
    )
    assert client.post(reverse("cases:task_done", args=[task.pk])).status_code == 404
    task.refresh_from_db()
    case.refresh_from_db()
    assert task.done_on is None and case.status == S.DISTRICT_REVIEW
    assert client.get(reverse("cases:break_glass", args=[case.pk])).status_code == 404


def test_auditor_changes_nothing(login_as, cases):
    client = login_as("auditor")
    assert client.get(reverse("cases:actions")).status_code == 403
    response = client.post(reverse("cases:move", args=[cases["a"].pk]), {"to": S.PROVINCE_REVIEW})
    assert response.status_code == 403
    cases["a"].refresh_from_db()
    assert cases["a"].status == S.DISTRICT_REVIEW


# --- Moves --------------------------------------------------------------------------------


def test_the_case_page_offers_the_allowed_moves(login_as, cases):
    page = login_as("district_coordinator_a").get(reverse("cases:detail", args=[cases["a"].pk]))
    targets = [m["to"] for m in page.context["moves"]]
    assert targets == [S.PROVINCE_REVIEW, S.RETURNED]
    assert 'data-testid="comment-help_wanted"' in page.content.decode()
    volunteer_page = login_as("volunteer_a").get(reverse("cases:detail", args=[cases["a"].pk]))
    assert volunteer_page.context["moves"] == []


def test_send_back_with_field_comments_then_the_filer_sees_them(login_as, cases):
    case = cases["a"]
    client = login_as("district_coordinator_a")
    response = client.post(
        reverse("cases:move", args=[case.pk]),
        {"to": S.RETURNED, "comment_help_wanted": "ระบุจำนวนเงิน", "comment_consent": ""},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.RETURNED
    assert list(FieldComment.objects.values_list("field", flat=True)) == ["help_wanted"]
    actions = login_as("volunteer_a").get(reverse("cases:actions"))
    assert "ระบุจำนวนเงิน" in actions.content.decode()
    # The reviewer is not told to fix it himself.
    reviewer = login_as("district_coordinator_a")
    page = reviewer.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="returned-to-filer"' in page


def test_a_refused_move_shows_its_reason(login_as, cases):
    case = cases["a"]
    client = login_as("district_coordinator_a")
    response = client.post(reverse("cases:move", args=[case.pk]), {"to": S.RETURNED})
    assert response.status_code == 400
    assert response.context["move_error"]
    # Said inside the send-back form, kept open, which the page scrolls to (#actions).
    page = response.content.decode()
    send_back = page.split('data-testid="open-send-back"')[0].rsplit("<details", 1)[1]
    assert " open" in send_back
    inside = page.split('data-testid="open-send-back"')[1].split("</details>")[0]
    assert 'data-testid="move-error"' in inside
    assert page.count('data-testid="move-error"') == 1
    assert f'action="{reverse("cases:move", args=[case.pk])}#actions"' in page
    response = client.post(reverse("cases:move", args=[case.pk]), {"to": "nonsense"})
    assert response.status_code == 400
    assert 'data-testid="move-error"' in response.content.decode()  # no form of its own
    response = client.post(reverse("cases:move", args=[case.pk]), {"to": S.CLOSED})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == S.DISTRICT_REVIEW


def test_close_needs_outcome_and_note_then_reopen_needs_reason(login_as, personas, cases):
    case = cases["a"]
    case.status = S.ACCEPTED
    case.save()
    client = login_as("province_officer")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="open-referrals"' not in page
    referral = ReferralFactory(case=case, sent_by=personas["province_officer"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="open-referrals"' in page and referral.agency.name in page
    assert 'data-testid="open-tasks"' not in page
    officer = personas["province_officer"]
    today = timezone.localdate()
    CaseTask.objects.create(case=case, what="ยืมรถเข็น", due_on=today, created_by=officer)
    CaseTask.objects.create(
        case=case, what="โทรแจ้งผล", due_on=today, done_on=today, created_by=officer
    )
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="open-tasks"' in page and "ยืมรถเข็น" in page.split("open-tasks")[1]
    assert "โทรแจ้งผล" not in page.split('data-testid="open-tasks"')[1].split("</p>")[0]
    url = reverse("cases:move", args=[case.pk])
    assert client.post(url, {"to": S.CLOSED, "outcome": "solved"}).status_code == 400
    assert client.post(url, {"to": S.CLOSED, "reason": "ok"}).status_code == 400
    ok = client.post(url, {"to": S.CLOSED, "outcome": "solved", "reason": "ได้รับความช่วยเหลือ"})
    assert ok.status_code == 302
    assert client.post(url, {"to": S.ACCEPTED}).status_code == 400
    assert client.post(url, {"to": S.ACCEPTED, "reason": "ปัญหากลับมา"}).status_code == 302
    case.refresh_from_db()
    assert case.status == S.ACCEPTED and case.outcome == ""


def test_a_second_tap_on_decline_changes_nothing(login_as, cases):
    case = cases["a"]
    case.status = S.PROVINCE_REVIEW
    case.save()
    client = login_as("province_officer")
    url = reverse("cases:move", args=[case.pk])
    assert client.post(url, {"to": S.DECLINED, "reason": "ซ้ำ"}).status_code == 302
    again = client.post(url, {"to": S.DECLINED, "reason": "ซ้ำ"}, follow=True)
    case.refresh_from_db()
    assert case.status == S.DECLINED  # not reopened
    assert "อยู่ในสถานะ “ไม่อนุมัติ” อยู่แล้ว" in again.content.decode()
    # A page from before the decline cannot send it back either: only reopening moves it.
    assert client.post(url, {"to": S.RETURNED, "reason": "แก้ไข"}).status_code == 400
    case.refresh_from_db()
    assert case.status == S.DECLINED


def test_acknowledge_an_urgent_case(login_as, personas, reference_data):
    now = timezone.now()
    case = case_in(
        filed_by=personas["volunteer_a"],
        category=CaseCategory.objects.get(code="care_needed"),
        status=S.SUBDISTRICT_REVIEW,
        submitted_at=now,
        status_changed_at=now,
    )
    assert case.urgent
    client = login_as("district_coordinator_a")
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.context["may_acknowledge"]
    assert client.post(reverse("cases:acknowledge", args=[case.pk])).status_code == 302
    case.refresh_from_db()
    assert case.acknowledged_by == personas["district_coordinator_a"]
    volunteer = login_as("volunteer_a")
    assert not volunteer.get(reverse("cases:detail", args=[case.pk])).context["may_acknowledge"]


# --- Plan and follow-ups ------------------------------------------------------------------


def test_tasks_and_follow_ups(login_as, personas, cases):
    case = cases["a"]
    client = login_as("district_coordinator_a")
    url = reverse("cases:task_add", args=[case.pk])
    soon = timezone.localdate() + timedelta(days=10)
    due = f"{soon.day}/{soon.month}/{soon.year + 543}"
    bad = client.post(url, {"task-what": "", "task-due_on": "31/02/2569"})
    assert bad.status_code == 400 and bad.context["task_form"].errors
    stranger = personas["volunteer_b"]
    outsider = client.post(
        url, {"task-what": "ตรวจบ้าน", "task-who": stranger.pk, "task-due_on": due}
    )
    assert outsider.status_code == 400
    response = client.post(
        url,
        {
            "task-what": "ตรวจบ้าน",
            "task-who": personas["volunteer_a"].pk,
            "task-due_on": due,
        },
    )
    assert response.status_code == 302
    past = client.post(
        url, {"task-what": "โทรตาม", "task-who_text": "อบต.", "task-due_on": "8/12/2568"}
    )
    assert past.status_code == 400  # a year ago: a mistyped year, not a plan
    task = CaseTask.objects.get(case=case)
    assert (task.who, task.due_on.isoformat()) == (personas["volunteer_a"], soon.isoformat())
    assert AuditEvent.objects.filter(action="case.task_add").exists()
    # The task's own person marks it done.
    volunteer = login_as("volunteer_a")
    assert volunteer.post(reverse("cases:task_done", args=[task.pk])).status_code == 302
    task.refresh_from_db()
    assert task.done_on == timezone.localdate()

    client = login_as("district_coordinator_a")
    url = reverse("cases:follow_up_add", args=[case.pk])
    assert client.post(url, {"fu-on": "", "fu-note": ""}).status_code == 400
    response = client.post(url, {"fu-on": "01/03/2569", "fu-note": "เยี่ยมแล้ว ดีขึ้น"})
    assert response.status_code == 302
    assert CaseFollowUp.objects.get(case=case).note == "เยี่ยมแล้ว ดีขึ้น"


# --- Sensitive cases and break-glass ------------------------------------------------------


def test_break_glass_opens_a_sensitive_case_for_an_hour(login_as, personas, reference_data):
    case = _sensitive(personas["volunteer_a"])
    name = case.person.full_name
    client = login_as("district_coordinator_a")
    page = client.get(reverse("cases:detail", args=[case.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="restricted"' in body
    assert name not in body and case.number in body
    # Not in lists by name either, and a name search does not find it.
    listed = client.get(reverse("cases:list"))
    assert name not in listed.content.decode()
    assert 'data-testid="restricted-row"' in listed.content.decode()
    found = client.get(reverse("cases:list"), {"q": case.person.first_name})
    assert case.pk not in {r.case.pk for r in found.context["page"].object_list}
    # A reason too short is refused; nothing is logged.
    url = reverse("cases:break_glass", args=[case.pk])
    refused = ("ดู", "..........", "aaaaaaaaaaaa", "ดดดดดดดดดดดด", "1234567890!?", "abcdefghij")
    for empty in (
        *refused,
        "ฟหกดเ่าสวงฟหก",
        "ทดสอบระบบ",
        "ทดสอบระบบครับ",
        "test test test please",
        "qwrtpsdfghjkl zxcvb",
    ):
        assert client.post(url, {"reason": empty}).status_code == 400, empty
    assert not BreakGlassAccess.objects.exists()
    response = client.post(url, {"reason": "ผู้เสียหายโทรมาขอความช่วยเหลือเร่งด่วน"})
    assert response.status_code == 302
    grant = BreakGlassAccess.objects.get()
    assert grant.user == personas["district_coordinator_a"]
    assert AuditEvent.objects.filter(action="case.break_glass", target_id=str(case.pk)).exists()
    assert name in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    # After 60 minutes it closes again.
    assert grant.expires_at - grant.granted_at == timedelta(minutes=60)
    BreakGlassAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert name not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


@pytest.mark.parametrize(
    ("persona", "finds"),
    [
        ("district_coordinator_a", False),  # in scope, restricted: listed, never by category
        ("auditor", False),  # reads everything, but not restricted details
        ("province_officer", True),  # reads it in full
        ("volunteer_a", True),  # the filer
        ("district_coordinator_b", False),  # out of scope
    ],
)
def test_the_category_filter_does_not_tell_a_restricted_case(
    login_as, personas, reference_data, persona, finds
):
    case = _sensitive(personas["volunteer_a"])
    client = login_as(persona)
    response = client.get(reverse("cases:list"), {"category": "domestic_violence"})
    assert response.status_code == 200
    listed = {row.case.pk for row in response.context["page"].object_list}
    assert (case.pk in listed) is finds
    if not finds:
        assert case.number not in response.content.decode()
        assert 'data-testid="none"' in response.content.decode()


def test_the_category_filter_is_for_signed_in_users(client, personas, reference_data):
    _sensitive(personas["volunteer_a"])
    response = client.get(reverse("cases:list"), {"category": "domestic_violence"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_auditor_reads_the_log_but_does_not_break_the_glass(login_as, personas, reference_data):
    case = _sensitive(personas["volunteer_a"])
    client = login_as("auditor")
    page = client.get(reverse("cases:detail", args=[case.pk]))
    body = page.content.decode()
    assert 'data-testid="restricted"' in body and 'data-testid="break-glass"' not in body
    url = reverse("cases:break_glass", args=[case.pk])
    assert client.post(url, {"reason": "ตรวจสอบการเข้าถึงข้อมูลตามแผน"}).status_code == 403
    assert not BreakGlassAccess.objects.exists()
    assert case.person.full_name not in client.get(page.request["PATH_INFO"]).content.decode()


def test_the_province_and_the_assigned_see_a_sensitive_case(login_as, personas, reference_data):
    case = _sensitive(personas["volunteer_a"])
    for persona in ("province_officer", "volunteer_a", "national_admin"):
        page = login_as(persona).get(reverse("cases:detail", args=[case.pk]))
        assert case.person.full_name in page.content.decode(), persona
    # Actions on a restricted case are refused without break-glass.
    client = login_as("district_coordinator_a")
    response = client.post(reverse("cases:move", args=[case.pk]), {"to": S.RETURNED})
    assert response.status_code == 404


def test_the_break_glass_log_is_scoped(login_as, personas, reference_data):
    case = _sensitive(personas["volunteer_a"])
    login_as("district_coordinator_a").post(
        reverse("cases:break_glass", args=[case.pk]),
        {"reason": "ต้องประสานตำรวจในพื้นที่ด่วน"},
    )
    assert BreakGlassAccess.objects.count() == 1
    for persona, status, listed in (
        ("province_officer", 200, True),
        ("national_admin", 200, True),
        ("auditor", 200, True),
        ("district_coordinator_b", 403, False),
        ("district_coordinator_a", 403, False),
    ):
        response = login_as(persona).get(reverse("cases:break_glass_log"))
        assert response.status_code == status, persona
        if status == 200:
            assert ("ต้องประสานตำรวจ" in response.content.decode()) == listed


def test_the_log_of_another_province_is_not_shown(login_as, personas, reference_data):
    from carenet.accounts.models import AreaAssignment, Role

    case = _sensitive(personas["volunteer_a"])
    BreakGlassAccess.objects.create(
        case=case,
        area_id=case.area_id,
        user=personas["district_coordinator_a"],
        reason="เหตุผลทดสอบที่ยาวพอ",
        granted_at=timezone.now(),
        expires_at=timezone.now(),
    )
    other = personas["volunteer_b"]
    other.assignments.all().delete()
    AreaAssignment.objects.create(user=other, role=Role.PROVINCIAL_OFFICER, area_id="84")
    response = login_as("volunteer_b").get(reverse("cases:break_glass_log"))
    assert response.status_code == 200 and "เหตุผลทดสอบ" not in response.content.decode()


# --- Time limits --------------------------------------------------------------------------


def test_time_limits_page(login_as, personas, reference_data):
    client = login_as("province_officer")
    assert client.get(reverse("cases:limits", args=["86"])).status_code == 200
    assert client.get(reverse("cases:limits", args=["84"])).status_code == 404
    assert client.get(reverse("cases:limits", args=["8601"])).status_code == 404
    values = {
        "acknowledge_urgent_hours": 12,
        "subdistrict_review_days": 2,
        "district_review_days": 2,
        "province_review_days": 5,
        "referral_answer_days": 10,
        "urgent_step_days": 2,
    }
    assert (
        client.post(
            reverse("cases:limits", args=["86"]), {**values, "province_review_days": 0}
        ).status_code
        == 400
    )
    assert client.post(reverse("cases:limits", args=["86"]), values).status_code == 302
    limits = CaseTimeLimits.objects.get(area_id="86")
    assert (limits.acknowledge_urgent_hours, limits.updated_by) == (
        12,
        personas["province_officer"],
    )
    assert (
        login_as("district_coordinator_a").get(reverse("cases:limits", args=["86"])).status_code
        == 403
    )
    assert login_as("volunteer_a").get(reverse("cases:limits", args=["86"])).status_code == 403
    assert login_as(None).get(reverse("cases:limits", args=["86"])).status_code in (302, 403)


# --- Query counts -------------------------------------------------------------------------


def _grow(personas: dict[str, Any], n: int) -> None:
    volunteer = personas["volunteer_a"]
    officer = personas["province_officer"]
    now = timezone.now()
    old = now - timedelta(days=10)
    sensitive = CaseCategory.objects.get(code="domestic_violence")
    for i in range(n):
        status = [S.SUBDISTRICT_REVIEW, S.DISTRICT_REVIEW, S.PROVINCE_REVIEW, S.RETURNED][i % 4]
        case = case_in(
            ["86010101", "86010201", "86020101"][i % 3] if i % 2 else "86010101",
            filed_by=volunteer,
            status=status,
            submitted_at=old,
            status_changed_at=old if i % 2 else now,
            category=sensitive if i % 5 == 0 else CaseCategory.objects.get(code="poverty"),
        )
        ReferralFactory(case=case, sent_by=officer, answer_due=(old + timedelta(days=2)).date())
        CaseTask.objects.create(
            case=case, what="t", who=volunteer, due_on=old.date(), created_by=officer
        )


@pytest.mark.parametrize(
    "persona", ["volunteer_a", "district_coordinator_a", "province_officer", "national_admin"]
)
@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("cases:list", {}),
        ("cases:list", {"overdue": "1", "area": "8601"}),
        ("cases:list", {"category": "domestic_violence", "q": "2569"}),
        ("cases:list", {"period": "submitted", "since": "1/1/2569", "until": "31/12/2570"}),
        ("cases:list", {"period": "closed", "since": "01/01/69", "status": "closed"}),
        ("cases:actions", {}),
        ("cases:referrals", {}),
        ("cases:referrals", {"since": "1/1/2569", "until": "31/12/2570", "status": "sent"}),
    ],
)
def test_lists_take_a_constant_number_of_queries(
    client, login_as, personas, reference_data, persona, name, query
):
    subdistrict_reviewer()
    login_as(persona)
    url = reverse(name)
    _grow(personas, 5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, query).status_code == 200
    _grow(personas, 30)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, query).status_code == 200
    assert len(many) == len(few), [q["sql"][:150] for q in many.captured_queries]
    assert len(few) <= 30


def test_submit_from_the_case_page_checks_the_request_first(personas, login_as, reference_data):
    """The case page's submit button sends what is stored: an incomplete draft stays a draft."""
    volunteer = personas["volunteer_a"]
    draft = case_in("86010101", filed_by=volunteer, status=S.DRAFT)
    client = login_as("volunteer_a")
    url = reverse("cases:move", args=[draft.pk])
    response = client.post(url, {"to": S.SUBDISTRICT_REVIEW})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    draft.problems.set(["no_home"])
    draft.consent_signature.save("sig.png", ContentFile(b"png"), save=True)
    response = client.post(url, {"to": S.SUBDISTRICT_REVIEW})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.SUBDISTRICT_REVIEW


def test_a_volunteers_filters_are_folded_until_used(login_as):
    """On a volunteer's phone their own requests come first, not a screen of filters."""

    def folded(response: Any) -> bool:
        details = response.content.decode().split('data-testid="more-filters"')[0]
        return " open" not in details.rsplit("<details", 1)[1]

    volunteer = login_as("volunteer_a")
    assert folded(volunteer.get(reverse("cases:list")))
    assert not folded(volunteer.get(reverse("cases:list"), {"status": "draft"}))
    assert not folded(login_as("district_coordinator_a").get(reverse("cases:list")))


def test_a_request_sent_back_to_her_shows_on_her_home(client, personas, reference_data):
    client.force_login(personas["volunteer_a"])
    page = client.get(reverse("visits:my_households")).content.decode()
    assert 'data-testid="requests-waiting"' not in page
    case_in("86010101", status=S.RETURNED, filed_by=personas["volunteer_a"])
    case_in("86020101", status=S.RETURNED, filed_by=personas["volunteer_b"])
    page = client.get(reverse("visits:my_households")).content.decode()
    assert 'data-testid="requests-waiting"' in page and "#returned" in page
    assert "<strong>1</strong>" in page  # hers only, not volunteer_b's
    # A person who objected since: nothing can be done with it, so it does not wait for her.
    from carenet.households.models import Consent

    returned = Case.objects.get(filed_by=personas["volunteer_a"], status=S.RETURNED)
    Consent.objects.create(
        person=returned.person, area_id=returned.area_id, basis="public_task", purpose="x",
        given_on=timezone.localdate(), withdrawn_on=timezone.localdate(),
    )  # fmt: skip
    page = client.get(reverse("visits:my_households")).content.decode()
    assert 'data-testid="requests-waiting"' not in page


def test_a_step_from_a_page_opened_before_someone_else_moved_the_case_says_who(
    login_as, personas, cases
):
    case = cases["a"]
    case.status = S.DISTRICT_REVIEW
    case.save()
    workflow.case_move(case=case, to=S.PROVINCE_REVIEW, actor=personas["district_coordinator_a"])
    client = login_as("province_officer")
    typed = {"to": S.RETURNED, "from": S.DISTRICT_REVIEW, "reason": "ขอภาพถ่ายผู้ป่วยเพิ่ม"}
    response = client.post(reverse("cases:move", args=[case.pk]), typed)
    assert response.status_code == 409
    said = response.context["move_error"]
    assert personas["district_coordinator_a"].display_name in said
    assert "ขอภาพถ่ายผู้ป่วยเพิ่ม" in said
    case.refresh_from_db()
    assert case.status == S.PROVINCE_REVIEW


def test_a_kind_chosen_says_how_many_restricted_cases_no_kind_counts(login_as, personas, cases):
    """A district's counts by kind added up to one less than its total: the restricted case
    is in no kind."""
    _sensitive(personas["volunteer_a"])
    client = login_as("district_coordinator_a")
    poverty = client.get(reverse("cases:list"), {"category": "poverty"})
    assert poverty.context["restricted_left_out"] == 1
    assert 'data-testid="restricted-left-out"' in poverty.text
    assert client.get(reverse("cases:list")).context["restricted_left_out"] == 0  # no kind
    province = login_as("province_officer").get(reverse("cases:list"), {"category": "poverty"})
    assert province.context["restricted_left_out"] == 0  # reads every kind
