"""The audit log answers "who did what about this person": consent and withdrawal lines name
the person and the basis and are in the person's history; sign-ins are in the log too."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from carenet.accounts import services as account_services
from carenet.core.models import AuditEvent
from carenet.households import services as household_services
from carenet.households.models import ConsentBasis
from carenet.households.tests.factories import ConsentFactory, PersonFactory
from carenet.reports.audit import KINDS
from carenet.reports.tests.test_audit_log import read_csv
from conftest import login

pytestmark = pytest.mark.django_db

URL = reverse("reports:audit")


def _withdrawn(officer, reason="ไม่ต้องการให้เก็บข้อมูล"):
    consent = ConsentFactory(basis=ConsentBasis.PUBLIC_TASK)
    household_services.consent_withdraw(
        actor=officer, consent=consent, withdrawn_on=date(2025, 2, 1), reason=reason
    )
    return consent


def test_a_withdrawal_line_names_the_person_the_basis_and_the_reason(client, personas):
    consent = _withdrawn(personas["province_officer"])
    login(client, "auditor")
    (line,) = client.get(URL, {"group": "consent"}).context["page"].object_list
    assert consent.person.full_name in line.said
    assert str(ConsentBasis.PUBLIC_TASK.label) in line.said
    assert "ไม่ต้องการให้เก็บข้อมูล" in line.said and "2568" in line.said
    assert line.url == reverse("households:person", args=[consent.person_id])


def test_the_persons_history_holds_their_consents(client, personas):
    consent = _withdrawn(personas["province_officer"])
    other = _withdrawn(personas["province_officer"], reason="คนอื่น")
    household_services.person_log_view(actor=personas["volunteer_a"], person=consent.person)
    login(client, "auditor")
    found = client.get(URL, {"record": f"households.person:{consent.person_id}"})
    actions = [line.event.action for line in found.context["page"].object_list]
    assert actions == ["person.view", "consent.withdraw"]
    assert other.person.full_name not in found.content.decode()


def test_a_consent_recorded_is_named_in_words(client, personas):
    person = PersonFactory()
    ConsentFactory(person=person)  # not through the service: no line
    data = household_services.ConsentData(
        basis=ConsentBasis.VITAL_INTEREST, purpose="ช่วยชีวิต", given_on=date(2025, 3, 1)
    )
    household_services.consent_record(actor=personas["province_officer"], person=person, data=data)
    login(client, "auditor")
    (line,) = client.get(URL, {"group": "consent"}).context["page"].object_list
    assert line.said == f"{person.full_name} · {ConsentBasis.VITAL_INTEREST.label}"


def test_sign_ins_are_a_kind_of_their_own_not_changes_of_access(client, personas):
    officer = personas["district_coordinator_a"]
    account_services.sign_in_log(user=officer)
    account_services.sign_out_log(user=officer, idle=True)
    account_services.sign_in_failed_log(username="ghost")
    assert "user.sign_in" not in KINDS["access"][1]
    login(client, "auditor")
    lines = client.get(URL, {"action": "sign_ins"}).context["page"].object_list
    said = [line.said for line in lines]
    assert "gh•••" in said[0] and "ghost" not in said[0] and said[0] != said[1]
    assert "district_coordinator_a" in said[1] and "district_coordinator_a" in said[2]
    assert said[1] != said[2]  # the idle sign-out says so


def test_a_refused_sign_in_says_why_and_is_found_under_the_login_tried(client, personas):
    """Whoever follows up an account sees its refused sign-ins, and whether it was the
    password or an account switched off."""
    officer = personas["district_coordinator_a"]
    # Typed with a capital, as a phone's keyboard starts it: the same login as the form's.
    account_services.sign_in_failed_log(username=officer.username.capitalize())
    officer.is_active = False
    officer.save()
    account_services.sign_in_failed_log(username=officer.username)
    account_services.sign_in_failed_log(username=officer.username, password_right=True)
    account_services.sign_in_failed_log(username="ghost")
    login(client, "auditor")
    found = client.get(URL, {"who": officer.username}).context["page"].object_list
    said = [line.said.split(" · ")[-1] for line in found]
    assert said == [
        "บัญชีถูกปิดใช้งาน (รหัสผ่านถูกต้อง)",
        "รหัสผ่านไม่ถูกต้อง และบัญชีถูกปิดใช้งานอยู่",
        "รหัสผ่านไม่ถูกต้อง",
    ]


def test_the_province_reads_its_staffs_sign_ins_not_the_unknown_ones(client, personas):
    account_services.sign_in_log(user=personas["district_coordinator_a"])
    account_services.sign_in_failed_log(username="ghost")
    login(client, "province_officer")
    actions = [line.event.action for line in client.get(URL).context["page"].object_list]
    assert actions == ["user.sign_in"]


@pytest.mark.parametrize("size", [2, 20])
def test_consent_lines_keep_the_query_count(client, personas, django_assert_max_num_queries, size):
    for _number in range(size):
        _withdrawn(personas["province_officer"])
        account_services.sign_in_log(user=personas["volunteer_a"])
    assert AuditEvent.objects.count() == 2 * size
    login(client, "auditor")
    with django_assert_max_num_queries(11):
        assert client.get(URL).status_code == 200


def test_a_consent_after_a_withdrawal_shows_its_justification_or_note(client, personas):
    withdrawn = _withdrawn(personas["province_officer"])
    person = withdrawn.person
    basis = household_services.ConsentData(
        basis=ConsentBasis.VITAL_INTEREST, purpose="ช่วยชีวิต", given_on=date(2025, 3, 1)
    )
    household_services.consent_record(
        actor=personas["province_officer"], person=person, data=basis, justification="ป่วยหนัก"
    )
    login(client, "auditor")
    lines = client.get(URL, {"group": "consent"}).context["page"].object_list
    assert "ป่วยหนัก" in lines[0].said
    rows = read_csv(client.get(reverse("reports:audit_download", args=["csv"])))
    assert any("ป่วยหนัก" in cell for row in rows for cell in row)
    sheet = client.get(reverse("reports:audit_download", args=["xlsx"]))
    book = load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).worksheets[0]
    assert any("ป่วยหนัก" in str(cell) for row in book.iter_rows(values_only=True) for cell in row)


def test_a_consent_given_again_shows_its_note(client, personas):
    withdrawn = ConsentFactory()
    household_services.consent_withdraw(
        actor=personas["province_officer"],
        consent=withdrawn,
        withdrawn_on=date(2025, 2, 1),
        reason="ไม่ประสงค์",
    )
    again = household_services.ConsentData(
        basis=ConsentBasis.CONSENT, purpose="ดูแล", given_on=date(2025, 3, 1)
    )
    household_services.consent_record(
        actor=personas["province_officer"],
        person=withdrawn.person,
        data=again,
        note="ลงนามต่อหน้าผู้ใหญ่บ้าน",
    )
    login(client, "auditor")
    lines = client.get(URL, {"group": "consent"}).context["page"].object_list
    assert "ลงนามต่อหน้าผู้ใหญ่บ้าน" in lines[0].said
    login(client, "district_coordinator_b")  # no audit log for a coordinator
    refused = client.get(URL, {"group": "consent"})
    assert refused.status_code == 403 and "ลงนาม" not in refused.content.decode()
    client.logout()
    assert client.get(URL, {"group": "consent"}).status_code == 302
