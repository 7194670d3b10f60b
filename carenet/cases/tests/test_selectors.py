"""Deadlines with fixed times, the action list of each role, and restricted rows in lists."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from carenet.accounts.models import Role
from carenet.accounts.tests.factories import AreaAssignmentFactory, UserFactory
from carenet.cases import selectors, services
from carenet.cases.access import break_glass_open
from carenet.cases.action_list import action_list
from carenet.cases.models import (
    Assistance,
    AssistanceStatus,
    Case,
    CaseCategory,
    CaseStatus,
    CaseTask,
    CaseTimeLimits,
    FieldComment,
    ReferralStatus,
)
from carenet.cases.selectors import CaseFilters
from carenet.cases.tests.factories import CaseFactory, ReferralFactory, subdistrict_reviewer
from carenet.cases.tests.work_helpers import NOW, waiting
from carenet.cases.workflow import case_move

S = CaseStatus
pytestmark = pytest.mark.django_db


def urgent() -> CaseCategory:
    return CaseCategory.objects.get(code="care_needed")


def overdue_ids(now: Any = NOW) -> set[int]:
    return set(Case.objects.filter(selectors.overdue_q(now)).values_list("pk", flat=True))


def python_overdue_ids(now: Any = NOW) -> set[int]:
    table = selectors.limits_table()
    return {
        c.pk
        for c in Case.objects.all()
        if selectors.overdue_reason(c, selectors.limits_in(table, c.area_id), now)
    }


# --- Deadlines ----------------------------------------------------------------------------


def test_limits_for_gives_the_province_row_or_the_defaults(personas, reference_data):
    assert services.limits_for("86010101").acknowledge_urgent_hours == 24
    assert services.limits_for("86010101").pk is None
    CaseTimeLimits.objects.create(area_id="86", acknowledge_urgent_hours=6)
    assert services.limits_for("860101").acknowledge_urgent_hours == 6
    assert services.limits_for("840101").acknowledge_urgent_hours == 24


def test_urgent_case_not_acknowledged_within_24_hours(personas, reference_data):
    volunteer = personas["volunteer_a"]
    late = waiting(S.SUBDISTRICT_REVIEW, filed_by=volunteer, hours_ago=25, category=urgent())
    fresh = waiting(S.SUBDISTRICT_REVIEW, filed_by=volunteer, hours_ago=23, category=urgent())
    seen = waiting(
        S.SUBDISTRICT_REVIEW,
        filed_by=volunteer,
        hours_ago=23,
        category=urgent(),
        acknowledged_at=NOW - timedelta(hours=20),
    )
    normal = waiting(S.SUBDISTRICT_REVIEW, filed_by=volunteer, hours_ago=25)
    assert overdue_ids() == {late.pk} == python_overdue_ids()
    limits = services.limits_for(late.area_id)
    assert selectors.overdue_reason(late, limits, NOW) == "acknowledge"
    assert selectors.step_due(fresh, limits) == fresh.submitted_at + timedelta(hours=24)
    assert not selectors.overdue_reason(seen, limits, NOW)
    assert not selectors.overdue_reason(normal, limits, NOW)


def test_an_urgent_case_waits_at_most_a_day_at_each_step(personas, reference_data):
    """Acknowledged in time, an urgent case is still overdue after a day at one step, where
    an ordinary one has three (the province may set both)."""
    volunteer = personas["volunteer_a"]
    ack = {"acknowledged_at": NOW - timedelta(hours=30)}
    late = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, hours_ago=25, category=urgent(), **ack)
    fresh = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, hours_ago=23, category=urgent(), **ack)
    ordinary = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, hours_ago=25)
    assert overdue_ids() == {late.pk} == python_overdue_ids()
    limits = services.limits_for(late.area_id)
    assert selectors.overdue_reason(late, limits, NOW) == "step"
    assert selectors.step_due(fresh, limits) == fresh.status_changed_at + timedelta(days=1)
    assert not selectors.overdue_reason(ordinary, limits, NOW)


def test_a_step_past_its_days_is_overdue_and_the_province_sets_the_days(personas, reference_data):
    volunteer = personas["volunteer_a"]
    day = 24
    sub = waiting(S.SUBDISTRICT_REVIEW, filed_by=volunteer, hours_ago=3 * day + 1)
    dist = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, hours_ago=3 * day + 1)
    prov = waiting(S.PROVINCE_REVIEW, filed_by=volunteer, hours_ago=6 * day)
    prov_late = waiting(S.PROVINCE_REVIEW, filed_by=volunteer, hours_ago=7 * day + 1)
    other = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, hours_ago=3 * day + 1, area="86020101")
    accepted = waiting(S.ACCEPTED, filed_by=volunteer, hours_ago=100 * day)
    assert overdue_ids() == {sub.pk, dist.pk, prov_late.pk, other.pk} == python_overdue_ids()
    # Chumphon gives the district five days: the district check is no longer late there.
    services.time_limits_set(
        actor=personas["province_officer"],
        province=sub.area.parent.parent.parent,
        acknowledge_urgent_hours=24,
        subdistrict_review_days=3,
        district_review_days=5,
        province_review_days=7,
        referral_answer_days=7,
        urgent_step_days=1,
    )
    assert overdue_ids() == {sub.pk, prov_late.pk} == python_overdue_ids()
    assert prov.pk not in overdue_ids() and accepted.pk not in overdue_ids()


def test_limits_are_per_province(personas, reference_data):
    """A row for another province leaves Chumphon on the defaults."""
    from carenet.areas.models import Area, Level

    Area.objects.get_or_create(
        code="84010101",
        defaults={"level": Level.VILLAGE, "name_th": "บ้าน", "parent_id": "840101", "moo": 1},
    )
    CaseTimeLimits.objects.create(area_id="84", district_review_days=1)
    chumphon = waiting(S.DISTRICT_REVIEW, filed_by=personas["volunteer_a"], hours_ago=48)
    surat = waiting(
        S.DISTRICT_REVIEW, filed_by=personas["national_admin"], hours_ago=48, area="84010101"
    )
    assert overdue_ids() == {surat.pk} == python_overdue_ids()
    assert chumphon.pk not in overdue_ids()


def test_limits_set_is_checked(personas, reference_data):
    from django.core.exceptions import PermissionDenied, ValidationError

    from carenet.areas.models import Area

    values = dict.fromkeys(services.LIMIT_FIELDS, 3)
    with pytest.raises(PermissionDenied):
        services.time_limits_set(
            actor=personas["district_coordinator_a"], province=Area.objects.get(code="86"), **values
        )
    with pytest.raises(ValidationError):
        services.time_limits_set(
            actor=personas["province_officer"], province=Area.objects.get(code="8601"), **values
        )
    with pytest.raises(ValidationError):
        services.time_limits_set(
            actor=personas["province_officer"],
            province=Area.objects.get(code="86"),
            **{**values, "district_review_days": 0},
        )
    assert not CaseTimeLimits.objects.exists()


def test_overdue_referrals_and_tasks(personas, reference_data):
    officer, volunteer = personas["province_officer"], personas["volunteer_a"]
    case = waiting(S.ACCEPTED, filed_by=volunteer)
    day = NOW.date()
    silent = ReferralFactory(case=case, sent_by=officer, answer_due=day - timedelta(days=2))
    ReferralFactory(case=case, sent_by=officer, answer_due=day + timedelta(days=2))
    ReferralFactory(
        case=case,
        sent_by=officer,
        answer_due=day - timedelta(days=2),
        status=ReferralStatus.RECEIVED,
    )
    late = CaseTask.objects.create(
        case=case, what="a", who=volunteer, due_on=day - timedelta(days=1), created_by=officer
    )
    CaseTask.objects.create(case=case, what="b", who_text="อบต.", due_on=day, created_by=officer)
    CaseTask.objects.create(
        case=case,
        what="c",
        who_text="อบต.",
        due_on=day - timedelta(days=5),
        done_on=day,
        created_by=officer,
    )
    actions = action_list(user=officer, now=NOW)
    section = next(s for s in actions.sections if s.key == "referrals")
    assert section.count == 1 and section.rows[0].referral == silent
    assert section.rows[0].days_late == 2
    late_tasks = next(s for s in actions.sections if s.key == "late_tasks")
    assert [r.task for r in late_tasks.rows] == [late]
    mine = next(s for s in action_list(user=volunteer, now=NOW).sections if s.key == "my_tasks")
    assert mine.count == 1 and mine.rows[0].overdue


# --- Action lists -------------------------------------------------------------------------


def sections(user: Any) -> dict[str, Any]:
    return {s.key: s for s in action_list(user=user, now=NOW).shown}


def ids(section: Any) -> list[int]:
    return [row.case.pk for row in section.rows]


def test_the_volunteer_sees_drafts_what_to_fix_and_how_it_ended(personas, reference_data):
    volunteer, officer = personas["volunteer_a"], personas["province_officer"]
    draft = waiting(S.DRAFT, filed_by=volunteer)
    returned = waiting(S.RETURNED, filed_by=volunteer, returned_from=S.DISTRICT_REVIEW)
    event = returned.events.create(
        from_status=S.DISTRICT_REVIEW, to_status=S.RETURNED, by=officer, at=NOW
    )
    FieldComment.objects.create(case=returned, event=event, field="help_wanted", comment="ระบุ")
    closed = waiting(S.CLOSED, filed_by=volunteer, outcome="solved", outcome_note="ได้รับเงิน")
    old = waiting(S.CLOSED, filed_by=volunteer, hours_ago=24 * 60)
    referred = waiting(S.ACCEPTED, filed_by=volunteer, hours_ago=24 * 60)
    ReferralFactory(
        case=referred, sent_by=officer, status=ReferralStatus.DONE, status_changed_at=NOW
    )
    other = waiting(S.DRAFT, filed_by=personas["volunteer_b"], area="86020101")
    found = sections(volunteer)
    assert ids(found["drafts"]) == [draft.pk]
    assert ids(found["returned"]) == [returned.pk]
    assert found["returned"].rows[0].case.to_fix[0].comment == "ระบุ"
    assert set(ids(found["outcomes"])) == {closed.pk, referred.pk}
    assert old.pk not in ids(found["outcomes"]) and other.pk not in ids(found["drafts"])
    assert ids(found["in_progress"]) == [referred.pk]
    assert action_list(user=volunteer, now=NOW).role == "volunteer"


def test_the_reviewer_sees_their_step_overdue_first_and_late_ones_below(personas, reference_data):
    coordinator, volunteer = personas["district_coordinator_a"], personas["volunteer_a"]
    fresh = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, hours_ago=2)
    late = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, hours_ago=24 * 4)
    below_late = waiting(S.SUBDISTRICT_REVIEW, filed_by=volunteer, hours_ago=24 * 4)
    below_fresh = waiting(S.SUBDISTRICT_REVIEW, filed_by=volunteer, hours_ago=2)
    elsewhere = waiting(
        S.DISTRICT_REVIEW, filed_by=personas["volunteer_b"], hours_ago=24 * 4, area="86020101"
    )
    found = sections(coordinator)
    assert ids(found["waiting"]) == [late.pk, fresh.pk]
    assert found["waiting"].rows[0].overdue == "step"
    assert ids(found["below"]) == [below_late.pk]
    assert below_fresh.pk not in ids(found["below"]) and elsewhere.pk not in ids(found["waiting"])
    # The subdistrict reviewer's own step is the subdistrict check.
    tambon = sections(subdistrict_reviewer())
    assert ids(tambon["waiting"]) == [below_late.pk, below_fresh.pk]
    assert "below" in tambon and tambon["below"].count == 0
    # district_coordinator_b sees only ท่าแซะ.
    assert ids(sections(personas["district_coordinator_b"])["waiting"]) == [elsewhere.pk]


def test_the_officer_sees_decisions_referrals_assistance_and_overdue(personas, reference_data):
    officer, volunteer = personas["province_officer"], personas["volunteer_a"]
    decide = waiting(S.PROVINCE_REVIEW, filed_by=volunteer)
    stuck = waiting(S.SUBDISTRICT_REVIEW, filed_by=volunteer, hours_ago=24 * 5, area="86020101")
    worked = waiting(S.ACCEPTED, filed_by=volunteer)
    approved = Assistance.objects.create(
        case=worked,
        person=worked.person,
        household=worked.household,
        area_id=worked.area_id,
        assistance_type_id="emergency_cash",
        fiscal_year=2569,
        amount=Decimal("3000"),
        approved_by=officer,
        approved_at=NOW,
    )
    Assistance.objects.create(
        case=worked,
        person=worked.person,
        household=worked.household,
        area_id=worked.area_id,
        assistance_type_id="goods",
        fiscal_year=2569,
        status=AssistanceStatus.GIVEN,
        approved_by=officer,
        approved_at=NOW,
    )
    found = sections(officer)
    assert ids(found["decide"]) == [decide.pk]
    assert ids(found["working"]) == [worked.pk]  # accepted: still the officer's work
    # An urgent case comes before older ordinary ones, after those already overdue.
    older = waiting(S.PROVINCE_REVIEW, filed_by=volunteer, hours_ago=20)
    urgent = waiting(S.PROVINCE_REVIEW, filed_by=volunteer, hours_ago=0.5)
    Case.objects.filter(pk=urgent.pk).update(urgent=True)
    overdue_one = waiting(S.PROVINCE_REVIEW, filed_by=volunteer, hours_ago=24 * 9)
    assert ids(sections(officer)["decide"]) == [overdue_one.pk, urgent.pk, older.pk, decide.pk]
    assert [r.assistance for r in found["assistance"].rows] == [approved]
    assert ids(found["overdue"]) == [stuck.pk]
    assert found["referrals"].count == 0
    assert action_list(user=officer, now=NOW).role == "officer"
    # A provincial officer of another province sees none of it.
    stranger = UserFactory()
    AreaAssignmentFactory(user=stranger, role=Role.PROVINCIAL_OFFICER, area_id="84")
    assert all(s.count == 0 for s in sections(stranger).values())


# --- The case list ------------------------------------------------------------------------


def test_filters(personas, reference_data):
    volunteer, officer = personas["volunteer_a"], personas["province_officer"]
    a = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, hours_ago=24 * 5, category=urgent())
    # A name no random name can share, so that the name search finds only this one.
    b = waiting(S.ACCEPTED, filed_by=volunteer, area="86010201", person__first_name="ประภัสสรเฉพาะ")
    c = waiting(S.PROVINCE_REVIEW, filed_by=volunteer, area="86020101")
    draft = waiting(S.DRAFT, filed_by=volunteer)

    def listed(**kw: Any) -> set[int]:
        page = selectors.case_list(user=officer, filters=CaseFilters(**kw), now=NOW)
        return {row.case.pk for row in page.object_list}

    assert listed() == {a.pk, b.pk, c.pk}  # not the volunteer's draft
    assert draft.pk in {r.case.pk for r in selectors.case_list(user=volunteer, now=NOW).object_list}
    assert listed(status=S.ACCEPTED) == {b.pk}
    assert listed(category="care_needed") == {a.pk}
    assert listed(area="8602") == {c.pk}
    assert listed(area="860102") == {b.pk}
    assert listed(urgency="urgent") == {a.pk}
    assert listed(urgency="normal") == {b.pk, c.pk}
    assert listed(overdue=True) == {a.pk}
    assert listed(q=c.number) == {c.pk}
    assert listed(q=b.person.first_name) == {b.pk}
    assert CaseFilters.from_query({"status": "x", "area": "86;", "urgency": "?"}) == CaseFilters()


def test_restricted_rows_show_no_names_below_the_province(personas, reference_data):
    volunteer = personas["volunteer_a"]
    sensitive = CaseCategory.objects.get(code="domestic_violence")
    case = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, category=sensitive)
    plain = waiting(S.DISTRICT_REVIEW, filed_by=volunteer)

    def rows(user: Any, **kw: Any) -> dict[int, bool]:
        page = selectors.case_list(user=user, filters=CaseFilters(**kw), now=NOW)
        return {row.case.pk: row.shows for row in page.object_list}

    assert rows(personas["district_coordinator_a"]) == {case.pk: False, plain.pk: True}
    assert rows(personas["province_officer"]) == {case.pk: True, plain.pk: True}
    assert rows(volunteer) == {case.pk: True, plain.pk: True}  # the filer
    # A name search never finds a restricted case; its number does.
    name = case.person.first_name
    assert case.pk not in rows(personas["district_coordinator_a"], q=name)
    assert case.pk in rows(personas["province_officer"], q=name)
    assert case.pk in rows(personas["district_coordinator_a"], q=case.number)
    # The action list also hides the name.
    found = sections(personas["district_coordinator_a"])
    shows = {row.case.pk: row.shows for row in found["waiting"].rows}
    assert shows == {case.pk: False, plain.pk: True}
    # Assigned people see it in full.
    case.assigned.add(personas["district_coordinator_a"])
    assert rows(personas["district_coordinator_a"]) == {case.pk: True, plain.pk: True}


def test_the_category_filter_never_finds_a_restricted_case(personas, reference_data):
    """A restricted row hides its category: a filter that found it would tell what it is."""
    volunteer = personas["volunteer_a"]
    violence = CaseCategory.objects.get(code="domestic_violence")
    hidden = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, category=violence)
    plain = waiting(S.DISTRICT_REVIEW, filed_by=volunteer, category=urgent())

    def found(user: Any, **kw: Any) -> set[int]:
        page = selectors.case_list(user=user, filters=CaseFilters(**kw), now=NOW)
        return {row.case.pk for row in page.object_list}

    mueang = personas["district_coordinator_a"]
    assert found(mueang) == {hidden.pk, plain.pk}  # the row is listed, as restricted
    assert found(mueang, category="domestic_violence") == set()
    assert found(mueang, category="care_needed") == {plain.pk}
    # Those who read it in full find it: the province (VIEW_SENSITIVE), the filer.
    assert found(personas["province_officer"], category="domestic_violence") == {hidden.pk}
    assert found(personas["national_admin"], category="domestic_violence") == {hidden.pk}
    assert found(volunteer, category="domestic_violence") == {hidden.pk}
    # Out of scope: not found either way.
    assert found(personas["district_coordinator_b"], category="domestic_violence") == set()
    # Break-glass opens the case page, not the lists: still not found by its category.
    break_glass_open(actor=mueang, case=hidden, reason="ผู้เสียหายโทรมาขอความช่วยเหลือเร่งด่วน")
    assert found(mueang, category="domestic_violence") == set()
    # Once assigned, the coordinator reads it in full, and finds it.
    hidden.assigned.add(mueang)
    assert found(mueang, category="domestic_violence") == {hidden.pk}
    assert found(mueang, category="care_needed") == {plain.pk}


def test_review_chain_progress(personas, reference_data):
    volunteer, tambon = personas["volunteer_a"], subdistrict_reviewer()
    case = CaseFactory(filed_by=volunteer)
    case_move(case=case, to=S.SUBDISTRICT_REVIEW, actor=volunteer)
    case_move(case=case, to=S.DISTRICT_REVIEW, actor=tambon)
    case.refresh_from_db()

    def states() -> list[str]:
        case.refresh_from_db()
        return [s.state for s in selectors.review_chain(case, selectors.case_events(case))]

    assert states() == ["done", "done", "current", "pending", "pending"]
    steps = selectors.review_chain(case, selectors.case_events(case))
    assert steps[1].by == tambon
    case_move(case=case, to=S.RETURNED, actor=personas["district_coordinator_a"], reason="แก้ไข")
    assert states() == ["done", "done", "returned", "pending", "pending"]
    case_move(case=case, to=S.DISTRICT_REVIEW, actor=volunteer)
    case_move(case=case, to=S.PROVINCE_REVIEW, actor=personas["district_coordinator_a"])
    case_move(case=case, to=S.ACCEPTED, actor=personas["province_officer"])
    assert states() == ["done", "done", "done", "done", "current"]
    # Worked on, not yet closed: the last step does not read "closed".
    last = selectors.review_chain(case, selectors.case_events(case))[-1]
    assert last.label == selectors.WORKED_ON
    officer_case = CaseFactory(filed_by=personas["province_officer"])
    case_move(case=officer_case, to=S.PROVINCE_REVIEW, actor=personas["province_officer"])
    officer_case.refresh_from_db()
    chain = selectors.review_chain(officer_case, selectors.case_events(officer_case))
    assert [s.state for s in chain] == ["done", "skipped", "skipped", "current", "pending"]
