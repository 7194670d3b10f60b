"""After a withdrawal: a consent the person gives again needs a note of how and when, a lawful
basis instead needs a provincial officer and a written justification, is audited with the
basis and the person, and the form shows the withdrawal. Objection wording for a basis."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.households import services
from carenet.households.cleaning import ConsentData
from carenet.households.models import Consent, ConsentBasis, Person
from conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PUBLIC_TASK = ConsentData(basis=ConsentBasis.PUBLIC_TASK, purpose="ดูแลสวัสดิการ", given_on=TODAY)
CONSENT = ConsentData(basis=ConsentBasis.CONSENT, purpose="ดูแลสวัสดิการ", given_on=TODAY)


@pytest.fixture
def withdrawn(world, personas):
    person = world.people["a1"]
    services.consent_withdraw(
        actor=personas["volunteer_a"],
        consent=person.consents.get(),
        withdrawn_on=TODAY,
        reason="ไม่ประสงค์ให้เก็บข้อมูล",
    )
    return Person.objects.get(pk=person.pk)


def restricted(person):
    return services.person_is_restricted(Person.objects.get(pk=person.pk))


@pytest.mark.parametrize("who", ["volunteer_a", "district_coordinator_a"])
def test_only_the_province_records_a_basis_after_a_withdrawal(withdrawn, personas, who):
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            actor=personas[who], person=withdrawn, data=PUBLIC_TASK, justification="จำเป็น"
        )
    assert "basis" in refused.value.message_dict
    assert restricted(withdrawn)


def test_a_basis_needs_a_justification_and_is_audited(withdrawn, personas):
    officer = personas["province_officer"]
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            actor=officer, person=withdrawn, data=PUBLIC_TASK, justification=" "
        )
    assert set(refused.value.message_dict) == {"justification"}
    assert restricted(withdrawn)
    consent = services.consent_record(
        actor=officer, person=withdrawn, data=PUBLIC_TASK, justification="ผู้สูงอายุถูกทอดทิ้ง"
    )
    assert not restricted(withdrawn)
    row = AuditEvent.objects.get(action="consent.record", target_id=str(consent.pk))
    assert row.details["person"] == withdrawn.pk
    assert row.details["basis"] == ConsentBasis.PUBLIC_TASK
    assert row.details["justification"] == "ผู้สูงอายุถูกทอดทิ้ง"
    assert row.details["after_withdrawal"] == TODAY.isoformat()


def test_the_person_may_consent_again_through_anyone_who_could(withdrawn, personas):
    note = "ลงนามในแบบฟอร์มต่อหน้าผู้ใหญ่บ้าน เก็บไว้ที่ศูนย์"
    services.consent_record(
        actor=personas["volunteer_a"], person=withdrawn, data=CONSENT, note=note
    )
    assert not restricted(withdrawn)
    consent = withdrawn.consents.get(withdrawn_on__isnull=True)
    assert consent.note == note
    row = AuditEvent.objects.get(action="consent.record", target_id=str(consent.pk))
    assert row.details["note"] == note
    assert row.details["after_withdrawal"] == TODAY.isoformat()


def test_consent_again_needs_a_note_and_no_earlier_date(withdrawn, personas):
    earlier = ConsentData(
        basis=ConsentBasis.CONSENT, purpose="ดูแล", given_on=TODAY - timedelta(days=1)
    )
    with pytest.raises(ValidationError) as refused:
        services.consent_record(actor=personas["volunteer_a"], person=withdrawn, data=earlier)
    assert set(refused.value.message_dict) == {"note", "given_on"}
    with pytest.raises(ValidationError):
        services.consent_record(
            actor=personas["volunteer_a"], person=withdrawn, data=CONSENT, note="  "
        )
    assert restricted(withdrawn)
    assert not AuditEvent.objects.filter(action="consent.record").exists()


def test_no_note_needed_without_a_withdrawal(world, personas):
    person = world.people["a1"]
    consent = services.consent_record(actor=personas["volunteer_a"], person=person, data=CONSENT)
    assert consent.note == ""


def test_the_volunteer_records_consent_again_with_a_note_shown_on_the_page(client, withdrawn):
    login(client, "volunteer_a")
    page = client.get(form_url(withdrawn)).content.decode()
    assert 'name="note"' in page
    data = {"basis": "consent", "purpose": "ดูแล", "given_on": TODAY.strftime("%d/%m/%Y")}
    refused = client.post(form_url(withdrawn), data)
    assert refused.status_code == 400 and 'name="note"' in refused.content.decode()
    assert restricted(withdrawn)
    data["note"] = "ลงนามแบบฟอร์มวันนี้ต่อหน้า อสม. เก็บไว้ที่ศูนย์ตำบล"
    assert client.post(form_url(withdrawn), data).status_code == 302
    assert not restricted(withdrawn)
    person_page = client.get(reverse("households:person", args=[withdrawn.pk])).content.decode()
    assert 'data-testid="consent-note"' in person_page and data["note"] in person_page


def test_the_justification_is_shown_on_the_person_page(client, withdrawn, personas):
    services.consent_record(
        actor=personas["province_officer"],
        person=withdrawn,
        data=PUBLIC_TASK,
        justification="ผู้ใหญ่บ้านแจ้งว่านอนป่วยอยู่คนเดียว",
    )
    url = reverse("households:person", args=[withdrawn.pk])
    login(client, "district_coordinator_a")
    assert "ผู้ใหญ่บ้านแจ้งว่านอนป่วยอยู่คนเดียว" in client.get(url).content.decode()
    login(client, "district_coordinator_b")
    out = client.get(url)
    assert out.status_code == 404 and "นอนป่วย" not in out.content.decode()
    client.logout()
    assert client.get(url).status_code == 302


def test_the_form_without_a_withdrawal_asks_no_note(client, world):
    login(client, "volunteer_a")
    page = client.get(form_url(world.people["a1"])).content.decode()
    assert 'name="note"' not in page


def test_no_justification_needed_without_a_withdrawal(world, personas):
    person = world.people["a1"]
    services.consent_record(actor=personas["volunteer_a"], person=person, data=PUBLIC_TASK)
    assert person.consents.count() == 2


def form_url(person):
    return reverse("households:consent_add", args=[person.pk])


def test_the_form_shows_the_withdrawal_and_offers_only_consent_to_a_volunteer(client, withdrawn):
    login(client, "volunteer_a")
    page = client.get(form_url(withdrawn)).content.decode()
    assert 'data-testid="withdrawal"' in page
    assert "ไม่ประสงค์ให้เก็บข้อมูล" in page
    assert 'value="public_task"' not in page and 'value="consent"' in page
    assert 'name="justification"' not in page
    posted = client.post(
        form_url(withdrawn), {"basis": "public_task", "purpose": "x", "given_on": "1/1/2568"}
    )
    assert posted.status_code == 400
    assert restricted(withdrawn)


def test_the_officer_records_a_basis_with_a_justification(client, withdrawn):
    login(client, "province_officer")
    page = client.get(form_url(withdrawn)).content.decode()
    assert 'name="justification"' in page and 'value="public_task"' in page
    data = {"basis": "public_task", "purpose": "ดูแล", "given_on": TODAY.strftime("%d/%m/%Y")}
    assert client.post(form_url(withdrawn), data).status_code == 400
    assert restricted(withdrawn)
    data["justification"] = "อยู่ในภาวะเสี่ยงต่อชีวิต"
    assert client.post(form_url(withdrawn), data).status_code == 302
    assert not restricted(withdrawn)


@pytest.mark.parametrize("who, status", [("district_coordinator_b", 404), (None, 302)])
def test_the_form_out_of_scope_and_anonymous(client, withdrawn, who, status):
    if who:
        login(client, who)
    page = client.get(form_url(withdrawn))
    assert page.status_code == status
    assert "ไม่ประสงค์ให้เก็บข้อมูล" not in page.content.decode()


def test_an_objection_is_worded_as_one(client, world, en):
    person = world.people["a1"]
    basis = Consent.objects.create(
        person=person, area_id=person.area_id, basis=ConsentBasis.PUBLIC_TASK,
        purpose="ดูแล", given_on=TODAY,
    )  # fmt: skip
    login(client, "district_coordinator_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("households:consent_withdraw", args=[basis.pk])
    page = client.get(url).content.decode()
    assert "Objected on" in page and "Record the objection" in page
    answer = client.post(
        url, {"withdrawn_on": TODAY.strftime("%d/%m/%Y"), "reason": "x"}, follow=True
    )
    assert "The objection is recorded." in answer.content.decode()
