"""The audit log page: scoped like everything else, read-only, filtered, a constant number
of queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.households import services
from carenet.households.tests.factories import HouseholdFactory, PersonFactory
from conftest import login

pytestmark = pytest.mark.django_db

URL = reverse("reports:audit")


@pytest.fixture
def log(personas):
    """A status change in ชุมพร, and an edit in Surat Thani (another province)."""
    household = HouseholdFactory.create(area_id="86010101")
    services.household_set_status(
        actor=personas["province_officer"],
        household=household,
        status="moved",
        reason="ย้ายไปอยู่กับลูกที่กรุงเทพฯ",
    )
    elsewhere = PersonFactory.create(household=HouseholdFactory.create(area_id="840101"))
    AuditEvent.objects.create(
        actor=personas["national_admin"],
        action="person.update",
        target_type="households.person",
        target_id=str(elsewhere.pk),
        area_code="840101",
        details={"fields": ["phone"]},
    )
    return household


def test_the_province_reads_who_changed_what_in_its_area(client, log):
    login(client, "province_officer")
    response = client.get(URL)
    assert response.status_code == 200
    lines = list(response.context["page"].object_list)
    assert [line.event.action for line in lines] == ["household.status"]
    line = lines[0]
    assert "ย้ายไปอยู่กับลูก" in line.said and "→" in line.said
    assert line.url == reverse("households:detail", args=[log.pk])
    body = response.content.decode()
    assert "province_officer" in body


def test_the_auditor_reads_the_whole_country(client, log):
    login(client, "auditor")
    actions = {ln.event.action for ln in client.get(URL).context["page"].object_list}
    assert actions == {"household.status", "person.update"}


@pytest.mark.parametrize("persona", ["district_coordinator_a", "volunteer_a"])
def test_those_without_audit_rights_are_refused(client, log, persona):
    login(client, persona)
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, log):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_citizen_id_typed_in_the_address_is_moved_out(client, log):
    """The log has no search box, but ?q= typed or pasted in the address is moved out as on
    the lists (core.id_search); the filters stay, and the page lists as before."""
    digits = "3101200123453"
    login(client, "auditor")
    moved = client.get(URL, {"q": digits, "group": "household"})
    assert moved.status_code == 302
    assert "qid=" in moved["Location"] and digits[1:] not in moved["Location"]
    assert "group=household" in moved["Location"]
    page = client.get(moved["Location"])
    assert [ln.event.action for ln in page.context["page"].object_list] == ["household.status"]
    assert digits[1:] not in page.content.decode()
    assert client.get(URL, {"who": "province_officer"}).status_code == 200  # stays as typed
    client.logout()
    to_login = client.get(client.get(URL, {"q": digits})["Location"])
    assert "login" in to_login["Location"] and digits[1:] not in to_login["Location"]


def test_one_records_history_and_filters(client, log, personas):
    login(client, "auditor")
    record = f"households.household:{log.pk}"
    one = client.get(URL, {"record": record}).context["page"].object_list
    assert [ln.event.target_id for ln in one] == [str(log.pk)]
    assert not client.get(URL, {"group": "volunteer"}).context["page"].object_list
    assert client.get(URL, {"who": "province_officer"}).context["page"].paginator.count == 1
    today = timezone.localdate()
    future = f"01/01/{today.year + 544}"
    assert not client.get(URL, {"since": future}).context["page"].object_list
    # A filter typed wrong lists nothing: the whole log would pass for the filtered one.
    wrong = client.get(URL, {"since": "31/02/2569"})
    assert wrong.status_code == 400 and wrong.context["page"] is None
    assert 'data-testid="filters-invalid"' in wrong.content.decode()


def test_the_household_page_links_its_history_for_those_who_may_read_it(client, log):
    login(client, "province_officer")
    body = client.get(reverse("households:detail", args=[log.pk])).content.decode()
    assert f"record=households.household:{log.pk}" in body
    login(client, "district_coordinator_a")
    body = client.get(reverse("households:detail", args=[log.pk])).content.decode()
    assert 'data-testid="history"' not in body


@pytest.mark.parametrize("size", [3, 30])
def test_the_log_keeps_its_query_count(client, personas, django_assert_max_num_queries, size):
    for _ in range(size):
        AuditEvent.objects.create(
            actor=personas["province_officer"], action="household.update", area_code="86010101"
        )
    login(client, "auditor")
    with django_assert_max_num_queries(9):
        assert client.get(URL).status_code == 200


def test_every_action_the_code_logs_has_words_and_a_group():
    """The log shows an action by its label, and filters it by its group: a new action
    written without them would show as a code, under no filter."""
    import re
    from pathlib import Path

    from carenet.reports.audit import ACTIONS, GROUPS

    written = re.compile(r'(?:action=|ACTION[A-Z_]* = )(?:"([a-z_]+\.[a-z_.]+)")')
    source = Path(__file__).resolve().parents[2]
    found = {
        name
        for path in source.rglob("*.py")
        if "tests" not in path.parts
        for name in written.findall(path.read_text(encoding="utf-8"))
    }
    assert len(found) > 60
    assert sorted(found - set(ACTIONS)) == []
    assert sorted({name.split(".")[0] for name in found} - set(GROUPS)) == []


def test_a_change_made_by_an_import_names_its_fields_and_its_file(en):
    from carenet.core.models import AuditEvent
    from carenet.reports.audit import label, said

    event = AuditEvent(action="person.import", details={"fields": ["phone"], "file": "แก้.csv"})
    assert said(event) == "phone · แก้.csv"
    assert label("person.import") != "person.import"  # it has words of its own


def test_a_printed_priority_list_says_how_many_households_of_which_area(area_tree):
    """A print of 2,000 households' health flags and phones looked like one of a village."""
    from django.utils import translation

    from carenet.reports import audit_lines

    event = AuditEvent.objects.create(
        action="household.priority_list",
        area_code="8601",
        details={"area": "8601", "households": 2000, "matching": 6111, "groups": []},
    )
    with translation.override("en"):
        line = audit_lines.said(event, audit_lines.names_for([event]))
    assert "2,000 households of 6,111" in line and "Mueang" in line


def test_a_line_names_whose_record_it_was_and_how_a_request_was_decided(personas):
    """The auditor had to open each record, which logged a reading of their own."""
    from django.utils import translation

    from carenet.reports import audit_lines

    person = PersonFactory.create(household=HouseholdFactory.create(area_id="86010101"))
    viewed = AuditEvent.objects.create(
        action="case.view", target_type="cases.case", target_id="7", details={"person": person.pk}
    )
    decided = AuditEvent.objects.create(
        action="pdpa.request_decide",
        target_type="households.person",
        target_id=str(person.pk),
        details={"request": 3, "kind": "erasure", "outcome": "refused", "reason": "ม.24"},
    )
    names = audit_lines.names_for([viewed, decided])
    with translation.override("en"):
        assert audit_lines.said(viewed, names) == person.full_name
        line = audit_lines.said(decided, names)
    assert line.startswith(person.full_name) and "erasure" in line.lower()
    assert "refused" in line and "ม.24" in line
