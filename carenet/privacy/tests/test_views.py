"""The pages of data subject requests: access matrix, the open list (oldest first, late ones
marked, constant queries), the decision, and the printable copy of everything held."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from carenet.accounts.models import AreaAssignment, Role
from carenet.accounts.tests.factories import UserFactory
from carenet.cases import assistance
from carenet.cases.models import AssistanceType, CaseCategory
from carenet.cases.tests.factories import CaseFactory, ReferralFactory
from carenet.core import citizen_id
from carenet.core.models import AuditEvent
from carenet.households import services as household_services
from carenet.households.tests.factories import PersonFactory, new_citizen_id
from carenet.privacy.models import SubjectRequest, due_date
from carenet.visits.tests.factories import VisitFactory
from conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def make_request(person, *, days_ago=0, kind="access", user=None):
    received = TODAY - timedelta(days=days_ago)
    return SubjectRequest.objects.create(
        person=person,
        area_id=person.area_id,
        kind=kind,
        received_on=received,
        due_on=due_date(received),
        recorded_by=user,
    )


@pytest.fixture
def other_province_officer(area_tree):
    user = UserFactory(username="surat_officer")
    AreaAssignment.objects.create(user=user, area_id="84", role=Role.PROVINCIAL_OFFICER)
    return user


def person_url(person):
    return reverse("privacy:person", args=[person.pk])


def test_a_volunteer_records_a_request_for_their_household(client, world):
    person = world.people["a1"]
    login(client, "volunteer_a")
    page = client.get(person_url(person))
    assert page.status_code == 200 and 'data-testid="request-form"' in page.content.decode()
    sent = client.post(
        person_url(person), {"kind": "correction", "received_on": TODAY.strftime("%d/%m/%Y")}
    )
    assert sent.status_code == 302
    [request] = SubjectRequest.objects.all()
    assert (request.kind, request.recorded_by.username) == ("correction", "volunteer_a")


def test_bad_input_comes_back_in_thai_and_records_nothing(client, world):
    login(client, "volunteer_a")
    sent = client.post(person_url(world.people["a1"]), {"kind": "x", "received_on": "พรุ่งนี้"})
    assert sent.status_code == 400
    assert not SubjectRequest.objects.exists()
    assert "kind" in sent.context["form"].errors


@pytest.mark.parametrize("who", ["volunteer_b", "district_coordinator_b"])
def test_out_of_scope_is_404_and_changes_nothing(client, world, who):
    login(client, who)
    url = person_url(world.people["a1"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "access", "received_on": "1/1/2569"}).status_code == 404
    assert not SubjectRequest.objects.exists()


def test_the_auditor_reads_but_records_nothing(client, world):
    login(client, "auditor")
    url = person_url(world.people["a1"])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="request-form"' not in page.content.decode()
    client.post(url, {"kind": "access", "received_on": "1/1/2569"})
    assert not SubjectRequest.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["privacy:person", "privacy:copy", "privacy:decide", "privacy:open", "privacy:decided"],
)
def test_anonymous_goes_to_sign_in(client, world, name):
    request = make_request(world.people["a1"])
    args = (
        []
        if name in ("privacy:open", "privacy:decided")
        else [request.pk if name == "privacy:decide" else request.person_id]
    )
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_open_list_is_scoped_oldest_first_and_marks_the_late(client, world, personas):
    late = make_request(world.people["a1"], days_ago=40)
    recent = make_request(world.people["p1"], days_ago=2)
    make_request(world.people["b1"], days_ago=50)  # district B
    decided = make_request(world.people["a2"], days_ago=60)
    SubjectRequest.objects.filter(pk=decided.pk).update(outcome="done", decided_on=TODAY)
    login(client, "district_coordinator_a")
    page = client.get(reverse("privacy:open"))
    assert [r.pk for r in page.context["page"].object_list] == [late.pk, recent.pk]
    body = page.content.decode()
    assert body.count('data-testid="late"') == 1
    login(client, "volunteer_a")
    mine = client.get(reverse("privacy:open"))
    assert [r.pk for r in mine.context["page"].object_list] == [late.pk]


def test_the_open_list_keeps_its_query_count(client, world, django_assert_max_num_queries):
    login(client, "province_officer")
    url = reverse("privacy:open")
    client.get(url)
    make_request(world.people["a1"])
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    for key in ("a2", "p1", "b1"):
        for days in range(5):
            make_request(world.people[key], days_ago=days)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(url).context["page"].object_list) == 16


def test_the_decided_register_is_scoped_latest_first_and_counted(
    client, world, django_assert_max_num_queries
):
    def decided(key, kind, outcome, days_ago):
        made = make_request(world.people[key], kind=kind, days_ago=days_ago + 5)
        on = TODAY - timedelta(days=days_ago)
        SubjectRequest.objects.filter(pk=made.pk).update(outcome=outcome, decided_on=on)
        return made

    older = decided("a1", "erasure", "refused", 10)
    newer = decided("p1", "access", "done", 1)
    decided("b1", "objection", "done", 1)  # district B
    make_request(world.people["a2"])  # still open
    login(client, "district_coordinator_a")
    page = client.get(reverse("privacy:decided"))
    assert [r.pk for r in page.context["page"].object_list] == [newer.pk, older.pk]
    table = dict(page.context["table"])
    assert sum(sum(counts) for counts in table.values()) == 2
    only = client.get(reverse("privacy:decided"), {"kind": "erasure"})
    assert [r.pk for r in only.context["page"].object_list] == [older.pk]
    # The year's report: the decisions of a period, counted and listed.
    since = (TODAY - timedelta(days=5)).strftime("%d/%m/%Y")
    recent = client.get(reverse("privacy:decided"), {"since": since})
    assert [r.pk for r in recent.context["page"].object_list] == [newer.pk]
    assert sum(sum(counts) for _label, counts in recent.context["table"]) == 1
    wrong = client.get(reverse("privacy:decided"), {"since": "31/02/2569"})
    assert wrong.status_code == 400 and not wrong.context["page"].object_list  # said why
    login(client, "volunteer_a")  # her households only: a1's
    mine = client.get(reverse("privacy:decided"))
    assert [r.pk for r in mine.context["page"].object_list] == [older.pk]
    login(client, "province_officer")
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("privacy:decided"))
    for days in range(10):
        decided("a2", "access", "done", days)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("privacy:decided")).status_code == 200


def test_the_province_decides_an_erasure_by_refusing_it(client, world):
    request = make_request(world.people["a1"], kind="erasure")
    url = reverse("privacy:decide", args=[request.pk])
    login(client, "province_officer")
    page = client.get(url)
    assert 'data-testid="erasure-note"' in page.content.decode()
    missing = client.post(url, {"outcome": "refused", "decided_on": TODAY.strftime("%d/%m/%Y")})
    assert missing.status_code == 400
    sent = client.post(
        url,
        {"outcome": "refused", "decided_on": TODAY.strftime("%d/%m/%Y"), "reason": "หน้าที่ตามกฎหมาย"},
    )
    assert sent.status_code == 302
    request.refresh_from_db()
    assert request.outcome == "refused"


def test_an_accepted_objection_restricts_the_record_and_says_so(client, world):
    person = world.people["a1"]
    request = make_request(person, kind="objection", days_ago=40)
    url = reverse("privacy:decide", args=[request.pk])
    login(client, "province_officer")
    page = client.get(url).content.decode()
    assert 'data-testid="objection-note"' in page and 'data-testid="late"' in page
    day = TODAY.strftime("%d/%m/%Y")
    done = client.post(url, {"outcome": "done", "decided_on": day}, follow=True)
    assert "ระงับการใช้" in done.content.decode() or "จำกัด" in done.content.decode()
    assert household_services.person_is_restricted(person)
    erasure = make_request(world.people["a2"], kind="erasure")
    refused = client.post(
        reverse("privacy:decide", args=[erasure.pk]), {"outcome": "done", "decided_on": day}
    )
    assert refused.status_code == 400 and "ไม่ลบ" in refused.content.decode()
    assert not household_services.person_is_restricted(world.people["a2"])


def test_an_objection_dated_before_a_later_consent_says_the_record_is_not_restricted(client, world):
    person = world.people["a1"]
    person.consents.update(given_on=TODAY)  # given again today
    request = make_request(person, kind="objection", days_ago=3)
    day = (TODAY - timedelta(days=1)).strftime("%d/%m/%Y")
    login(client, "province_officer")
    url = reverse("privacy:decide", args=[request.pk])
    done = client.post(url, {"outcome": "done", "decided_on": day}, follow=True)
    assert not household_services.person_is_restricted(person)
    assert "ยังไม่ถูกจำกัด" in done.text and "ถูกจำกัดการใช้แล้ว" not in done.text


@pytest.mark.parametrize(
    ("who", "status"),
    [("volunteer_a", 403), ("district_coordinator_a", 403), ("surat_officer", 404)],
)
def test_others_cannot_decide(client, world, other_province_officer, who, status):
    request = make_request(world.people["a1"])
    login(client, who)
    url = reverse("privacy:decide", args=[request.pk])
    assert client.post(url, {"outcome": "done", "decided_on": "1/1/2569"}).status_code == status
    request.refresh_from_db()
    assert request.is_open


def copy_url(person):
    return reverse("privacy:copy", args=[person.pk])


def test_the_copy_holds_everything_and_is_logged(client, world, personas):
    person = world.people["a1"]
    person.set_citizen_id(new_citizen_id())
    person.save()
    alone = VisitFactory.create(household=person.household, observations="ความดันสูง")
    alone.members_seen.set([person])
    make_request(person, kind="access")
    household_services.person_log_view(actor=personas["volunteer_a"], person=person)
    login(client, "province_officer")
    page = client.get(copy_url(person))
    assert page.status_code == 200
    assert page["Cache-Control"].count("no-store") == 1
    body = page.content.decode()
    assert person.first_name in body and "ความดันสูง" in body
    assert citizen_id.formatted(person.read_citizen_id()) not in body
    assert 'data-testid="print-stamp"' in body and 'data-testid="copy-rights"' in body
    assert "pdpc.or.th" in body  # where to complain
    copy = page.context["copy"]
    assert [line.event.action for line in copy.reads][-1] == "person.view"
    assert AuditEvent.objects.filter(action="pdpa.copy_view", target_id=str(person.pk)).exists()
    revealed = client.post(copy_url(person))
    assert citizen_id.formatted(person.read_citizen_id()) in revealed.content.decode()
    assert AuditEvent.objects.filter(action="person.citizen_id.read").count() == 1


def test_the_copy_tells_what_each_request_did_and_holds_back_a_sensitive_one_from_print(
    client, world, personas, reference_data
):
    person = world.people["a1"]
    officer = personas["province_officer"]
    case = CaseFactory(
        person=person, filed_by=officer, help_wanted="ขอผ้าอ้อมผู้ใหญ่", status="accepted"
    )
    ReferralFactory(case=case, agency__name="รพ.สต.ท่าตะเภา", need="ดูแลแผลกดทับ", sent_by=officer)
    assistance.assistance_approve(
        case=case,
        person=person,
        assistance_type=AssistanceType.objects.get(code="emergency_cash"),
        amount=Decimal("3000"),
        description="",
        actor=officer,
    )
    login(client, "province_officer")
    page = client.get(copy_url(person))
    cases = page.text.split('data-testid="copy-cases"')[1].split("</section>")[0]
    assert "ขอผ้าอ้อมผู้ใหญ่" in cases
    assert "รพ.สต.ท่าตะเภา" in cases and "ดูแลแผลกดทับ" in cases
    assert "3,000" in cases
    assert not page.context["sensitive"] and "copy-sensitive-note" not in page.text
    abuse = CaseCategory.objects.get(code="child_abuse")
    CaseFactory(person=person, filed_by=officer, category=abuse)
    page = client.get(copy_url(person))
    cases = page.text.split('data-testid="copy-cases"')[1].split("</section>")[0]
    assert page.context["sensitive"]
    assert 'data-testid="copy-sensitive-note"' in page.text and 'class="copy-sensitive"' in cases


def test_the_referral_form_shows_an_objection_not_refused(client, world, personas, reference_data):
    person = world.people["a1"]
    case = CaseFactory(person=person, filed_by=personas["province_officer"], status="accepted")
    url = reverse("cases:referral_new", args=[case.pk])
    login(client, "province_officer")
    assert 'data-testid="objections"' not in client.get(url).text
    refused = make_request(person, kind="objection")
    SubjectRequest.objects.filter(pk=refused.pk).update(outcome="refused", reason="-")
    assert 'data-testid="objections"' not in client.get(url).text
    objection = make_request(person, kind="objection")
    SubjectRequest.objects.filter(pk=objection.pk).update(
        details="ไม่ให้ส่งข้อมูลสุขภาพให้หน่วยงานอื่น", outcome="partly", reason="งดส่งข้อมูลสุขภาพ"
    )
    page = client.get(url).text
    note = page.split('data-testid="objections"')[1].split("</div>")[0]
    assert "ไม่ให้ส่งข้อมูลสุขภาพให้หน่วยงานอื่น" in note and "งดส่งข้อมูลสุขภาพ" in note


def test_notes_about_others_are_withheld(client, world):
    person = world.people["a1"]
    other = PersonFactory.create(household=person.household)
    person.household.member_count = 2
    person.household.save(update_fields=["member_count"])
    visit = VisitFactory.create(household=person.household, observations="ลูกติดยา")
    visit.members_seen.set([person, other])
    login(client, "province_officer")
    page = client.get(copy_url(person))
    [line] = page.context["copy"].visits
    assert line.withheld and "ลูกติดยา" not in page.content.decode()


def test_notes_of_a_visit_that_met_others_are_withheld_after_they_moved_out(client, world):
    """The members a visit saw were counted over the filter's own join: always one, so a
    person left alone in the household got every shared visit's notes."""
    person = world.people["a1"]
    other = PersonFactory.create(household=person.household)
    visit = VisitFactory.create(household=person.household, observations="ลูกติดยา")
    visit.members_seen.set([person, other])
    person.household.member_count = 1  # the other moved out since
    person.household.save(update_fields=["member_count"])
    login(client, "province_officer")
    page = client.get(copy_url(person))
    [line] = page.context["copy"].visits
    assert line.withheld and "ลูกติดยา" not in page.text


def test_a_sensitive_visit_is_left_out_of_the_print_and_its_reading_logged(client, world):
    person = world.people["a1"]
    person.household.member_count = 1
    person.household.save(update_fields=["member_count"])
    visit = VisitFactory.create(
        household=person.household, observations="ได้ยินเสียงทุบตี", sensitive=True
    )
    visit.members_seen.set([person])
    login(client, "province_officer")
    page = client.get(copy_url(person))
    visits = page.text.split('data-testid="copy-visits"')[1].split("</section>")[0]
    assert "ได้ยินเสียงทุบตี" in visits and 'class="copy-sensitive"' in visits
    assert page.context["sensitive"] and 'data-testid="copy-sensitive-note"' in page.text
    logged = AuditEvent.objects.filter(action="visit.view_sensitive", target_id=str(visit.pk))
    assert logged.count() == 1


def test_help_given_to_another_member_is_in_their_copy_not_the_requester_s(
    client, world, personas, reference_data
):
    person, member = (
        world.people["a1"],
        PersonFactory.create(household=world.people["a1"].household),
    )
    officer = personas["province_officer"]
    case = CaseFactory(person=person, filed_by=officer, status="accepted")
    assistance.assistance_approve(
        case=case,
        person=member,
        assistance_type=AssistanceType.objects.get(code="emergency_cash"),
        amount=Decimal("1500"),
        description="แว่นสายตา",
        actor=officer,
    )
    login(client, "province_officer")
    requester = client.get(copy_url(person))
    assert "แว่นสายตา" not in requester.text
    theirs = client.get(copy_url(member))
    assert [a.description for a in theirs.context["copy"].help_elsewhere] == ["แว่นสายตา"]
    assert 'data-testid="copy-help-elsewhere"' in theirs.text and case.number not in theirs.text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("volunteer_a", 403),
        ("district_coordinator_a", 403),
        ("auditor", 403),
        ("surat_officer", 404),
    ],
)
def test_the_copy_is_for_the_province_of_the_person(
    client, world, other_province_officer, who, status
):
    login(client, who)
    assert client.get(copy_url(world.people["a1"])).status_code == status
    assert not AuditEvent.objects.filter(action="pdpa.copy_view").exists()


def test_the_copy_keeps_its_query_count(client, world, django_assert_max_num_queries):
    person = world.people["a1"]
    login(client, "province_officer")
    client.get(copy_url(person))

    def grow(n):
        for _ in range(n):
            VisitFactory.create(household=person.household).members_seen.set([person])
            make_request(person)

    grow(1)
    with django_assert_max_num_queries(40) as small:
        assert client.get(copy_url(person)).status_code == 200
    grow(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(copy_url(person)).context["copy"].visits) == 11


def test_the_person_page_links_to_the_requests(client, world):
    person = world.people["a1"]
    make_request(person, kind="erasure")
    login(client, "volunteer_a")
    body = client.get(reverse("households:person", args=[person.pk])).content.decode()
    assert person_url(person) in body and 'data-testid="copy-link"' not in body
    login(client, "province_officer")
    body = client.get(reverse("households:person", args=[person.pk])).content.decode()
    assert reverse("privacy:copy", args=[person.pk]) in body


def test_the_apps_own_address_leads_to_its_list(client, world):
    assert client.get("/privacy/").status_code == 302  # to sign in
    login(client, "province_officer")
    response = client.get("/privacy/")
    assert response.status_code == 302 and response["Location"] == reverse("privacy:open")


def test_the_copy_names_who_opened_a_request_or_a_visit_about_the_person(
    client, world, personas, reference_data
):
    person = world.people["a1"]
    case = CaseFactory(person=person, filed_by=personas["volunteer_a"], status="accepted")
    visit = VisitFactory.create(household=person.household, observations="สบายดี")
    login(client, "district_coordinator_a")
    for _ in range(2):  # a reload within minutes is one reading
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="case.view", target_id=str(case.pk)).count() == 1
    assert AuditEvent.objects.get(action="visit.view").details["household"] == person.household_id
    login(client, "province_officer")
    reads = client.get(copy_url(person)).context["copy"].reads
    said = {(line.event.action, line.event.actor.username) for line in reads}
    assert ("case.view", "district_coordinator_a") in said
    assert ("visit.view", "district_coordinator_a") in said
