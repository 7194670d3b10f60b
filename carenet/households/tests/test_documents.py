"""Pink cards (บัตรชมพู), passports and twins: numbers checked and normalised, found by search,
matched as duplicates whichever field holds them, masked on the person page; two different
citizen IDs are never offered as duplicates."""

from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from carenet.core import citizen_id
from carenet.core.models import AuditEvent
from carenet.households import cleaning, selectors
from carenet.households.tests.factories import PersonFactory, new_citizen_id
from conftest import login

PINK = "0000123456789"  # a valid card number starting with 0
PINK_6 = "6000123456788"  # a pink card starting with 6: accepted as a citizen ID too


def card(number: str) -> str:
    return citizen_id.formatted(number)


# --- Cleaning ------------------------------------------------------------------------------


def test_a_pink_card_is_normalised_to_its_13_digits():
    assert cleaning.clean_document_no("pink_card", card(PINK)) == PINK
    assert cleaning.clean_document_no("pink_card", "๐๐๐๐๑๒๓๔๕๖๗๘๙") == PINK


@pytest.mark.parametrize(
    ("typed", "code"),
    [("0000123456780", "card_checksum"), ("100091020", "card_length"), ("N0123", "card_length")],
)
def test_a_bad_pink_card_number_is_refused(typed, code):
    with pytest.raises(ValidationError) as excinfo:
        cleaning.clean_document_no("pink_card", typed)
    assert excinfo.value.code == code


def test_other_documents_lose_spaces_and_dashes_and_go_to_capitals():
    assert cleaning.clean_document_no("passport", " n01-234 567 ") == "N01234567"
    assert cleaning.clean_document_no("birth_certificate", "ก 123") == "ก123"


def test_a_citizen_id_starting_with_0_says_where_the_card_goes(client, world, en):
    login(client, "district_coordinator_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    household = world.households["a1"]
    response = client.post(
        reverse("households:person_add", args=[household.pk]),
        {"p-first_name": "อ่อง", "p-citizen_id": PINK, "c-basis": "consent", "c-purpose": "ดูแล",
         "c-given_on": "1/5/2568"},
    )  # fmt: skip
    [error] = response.context["person_form"].errors["citizen_id"]
    assert "pink card" in error and "cannot start with 0" in error
    with pytest.raises(ValidationError) as excinfo:
        cleaning.person_clean(cleaning.PersonData(first_name="อ่อง", citizen_id=PINK))
    assert "pink card" in str(excinfo.value.message_dict["citizen_id"])


def test_the_form_refuses_a_pink_card_with_a_wrong_check_digit(client, world, en):
    login(client, "district_coordinator_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    household = world.households["a1"]
    response = client.post(
        reverse("households:person_add", args=[household.pk]),
        {"p-first_name": "อ่อง", "p-document_type": "pink_card", "p-document_no": "0000123456780",
         "c-basis": "consent", "c-purpose": "ดูแล", "c-given_on": "1/5/2568"},
    )  # fmt: skip
    assert response.status_code != 302
    assert "check digit" in str(response.context["person_form"].errors["document_no"])
    assert not household.members.filter(first_name="อ่อง").exists()


def test_the_form_stores_a_dashed_pink_card_as_digits(client, world):
    login(client, "district_coordinator_a")
    household = world.households["a1"]
    response = client.post(
        reverse("households:person_add", args=[household.pk]),
        {"p-first_name": "อ่อง", "p-document_type": "pink_card", "p-document_no": card(PINK),
         "c-basis": "consent", "c-purpose": "ดูแล", "c-given_on": "1/5/2568"},
    )  # fmt: skip
    assert response.status_code == 302
    assert household.members.get(first_name="อ่อง").document_no == PINK


# --- Search --------------------------------------------------------------------------------


def _search(client, text: str) -> str:
    response = client.get(reverse("households:list"), {"q": text}, follow=True)
    return response.text


@pytest.mark.parametrize("typed", [PINK, card(PINK), "๐๐๐๐๑๒๓๔๕๖๗๘๙"])
def test_a_pink_card_number_finds_its_household_and_stays_out_of_the_address(client, world, typed):
    holder = PersonFactory.create(
        household=world.households["a1"], document_type="pink_card", document_no=PINK
    )
    login(client, "district_coordinator_a")
    response = client.get(reverse("households:list"), {"q": typed})
    assert response.status_code == 302 and PINK not in response["Location"]
    page = client.get(response["Location"]).text
    assert reverse("households:detail", args=[holder.household_id]) in page


def test_a_passport_number_finds_its_household_typed_any_way(client, world):
    holder = PersonFactory.create(
        household=world.households["a1"], document_type="passport", document_no="N01234567"
    )
    login(client, "district_coordinator_a")
    for typed in ("N01234567", "n01234567", "N0-1234-567", "N0123-4567", "n0123 4567"):
        response = client.get(reverse("households:list"), {"q": typed})
        assert response.status_code == 302 and "0123" not in response["Location"], typed
        page = client.get(response["Location"]).text
        assert reverse("households:detail", args=[holder.household_id]) in page, typed


def test_a_6_number_finds_a_pink_card_stored_as_a_document(client, world):
    holder = PersonFactory.create(
        household=world.households["a1"], document_type="pink_card", document_no=PINK_6
    )
    login(client, "district_coordinator_a")
    assert reverse("households:detail", args=[holder.household_id]) in _search(client, PINK_6)


def test_a_document_search_keeps_to_the_users_scope(client, world):
    holder = PersonFactory.create(
        household=world.households["a2"], document_type="passport", document_no="N01234567"
    )
    login(client, "volunteer_a")
    assert reverse("households:detail", args=[holder.household_id]) not in _search(
        client, "N01234567"
    )
    client.logout()
    response = client.get(reverse("households:list"), {"q": "N01234567"}, follow=True)
    assert "login" in response.redirect_chain[-1][0]
    assert all("N01234567" not in url for url, _ in response.redirect_chain)


@pytest.mark.django_db
def test_a_document_search_takes_constant_queries(client, world, django_assert_max_num_queries):
    for n in range(5):
        PersonFactory.create(
            household=world.households["a1"], document_type="passport", document_no=f"N0{n}23456"
        )
    login(client, "district_coordinator_a")
    with django_assert_max_num_queries(20):
        client.get(reverse("households:list"), {"q": "N0123456"})


# --- Likely duplicates ---------------------------------------------------------------------


def _add_pink(client, household, number: str, first_name: str = "มินท์"):
    return client.post(
        reverse("households:person_add", args=[household.pk]),
        {"p-first_name": first_name, "p-last_name": "ทุน", "p-document_type": "pink_card",
         "p-document_no": number, "c-basis": "consent", "c-purpose": "ดูแล",
         "c-given_on": "1/5/2568"},
    )  # fmt: skip


def test_a_card_in_the_citizen_id_field_matches_the_same_card_as_a_document(client, world):
    stored = PersonFactory.create(
        household=world.households["a2"], first_name="มิน", citizen_id=PINK_6
    )
    login(client, "district_coordinator_a")
    response = _add_pink(client, world.households["a1"], card(PINK_6))
    assert response.status_code != 302
    [candidate] = response.context["duplicates"].candidates
    assert candidate.person == stored and candidate.reasons == ["เลขเอกสารเดียวกัน"]
    assert not world.households["a1"].members.filter(first_name="มินท์").exists()


def test_a_document_matches_a_citizen_id_typed_later(world, personas):
    stored = PersonFactory.create(
        household=world.households["a2"], document_type="pink_card", document_no=PINK_6
    )
    found = selectors.person_find_duplicates(
        user=personas["district_coordinator_a"], first_name="มิน", citizen_id_digits=PINK_6
    )
    assert [c.person for c in found.candidates] == [stored]


def test_the_person_page_lists_the_same_card_in_the_other_field(client, world):
    first = PersonFactory.create(household=world.households["a1"], citizen_id=PINK_6)
    second = PersonFactory.create(
        household=world.households["a2"], document_type="pink_card", document_no=PINK_6
    )
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:person", args=[second.pk]))
    assert [c.person for c in page.context["duplicates"].candidates] == [first]


def test_a_volunteer_is_told_of_a_card_outside_their_view_but_not_whose(client, world):
    other = PersonFactory.create(
        household=world.households["a2"], document_type="pink_card", document_no=PINK
    )
    login(client, "volunteer_a")
    response = _add_pink(client, world.households["a1"], PINK, first_name="ส่วย")
    assert response.status_code != 302
    assert 'data-testid="document-elsewhere"' in response.text
    assert other.full_name not in response.text
    assert AuditEvent.objects.filter(details__by="document_no").count() == 1
    confirmed = _add_pink(client, world.households["a1"], PINK, first_name="ส่วย")
    assert confirmed.status_code != 302  # the same notice until they say it is another person


# --- Twins ---------------------------------------------------------------------------------


def _twin(household, cid: str) -> dict:
    return {"household": household, "title": "เด็กชาย", "first_name": "ภูมิ",
            "last_name": "แฝดดี", "birth_date": date(2017, 3, 3), "citizen_id": cid}  # fmt: skip


def test_twins_with_two_citizen_ids_are_not_offered_as_duplicates(client, world):
    household = world.households["a1"]
    first = PersonFactory.create(**_twin(household, new_citizen_id()))
    login(client, "district_coordinator_a")
    response = client.post(
        reverse("households:person_add", args=[household.pk]),
        {"p-title": "ด.ช.", "p-first_name": "ภูมิ", "p-last_name": "แฝดดี",
         "p-birth_date": "03/03/2560", "p-citizen_id": new_citizen_id(), "c-basis": "guardian",
         "c-given_by": "นางแม่ แฝดดี", "c-given_by_relation": "มารดา", "c-purpose": "ดูแล",
         "c-given_on": "1/5/2568"},
    )  # fmt: skip
    assert response.status_code == 302
    second = household.members.exclude(pk=first.pk).get(first_name="ภูมิ")
    page = client.get(reverse("households:person", args=[second.pk]))
    assert not page.context["duplicates"]


# --- Masking -------------------------------------------------------------------------------


def test_a_document_no_is_masked_and_its_reveal_is_logged(client, world):
    person = PersonFactory.create(
        household=world.households["a1"], document_type="pink_card", document_no=PINK
    )
    login(client, "volunteer_a")
    path = reverse("households:person", args=[person.pk])
    page = client.get(path).text
    assert PINK not in page and citizen_id.masked(PINK) in page
    revealed = client.post(reverse("households:person_citizen_id", args=[person.pk]))
    assert card(PINK) in revealed.text or PINK in revealed.text
    assert AuditEvent.objects.filter(action="person.document_no.read", target_id=person.pk)


def test_a_passport_shows_only_its_last_three():
    person = PersonFactory.build(document_type="passport", document_no="N01234567")
    assert selectors.masked_document_no(person) == "xxxxxx567"


def test_the_reveal_of_a_document_no_keeps_to_the_scope(client, world):
    person = PersonFactory.create(
        household=world.households["a2"], document_type="passport", document_no="N01234567"
    )
    path = reverse("households:person_citizen_id", args=[person.pk])
    login(client, "volunteer_a")
    assert client.post(path).status_code == 404
    client.logout()
    assert client.post(path).status_code == 302
    assert not AuditEvent.objects.filter(action="person.document_no.read").exists()


def test_a_passport_search_stays_out_of_the_address_and_the_logs(client, world):
    holder = PersonFactory.create(
        household=world.households["a1"], document_type="passport", document_no="N01234567"
    )
    login(client, "district_coordinator_a")
    response = client.get(reverse("households:list"), {"q": "N01234567"})
    assert response.status_code == 302 and "N01234567" not in response["Location"]
    page = client.get(response["Location"]).text
    assert reverse("households:detail", args=[holder.household_id]) in page
    assert citizen_id.redact("GET /households/?q=N01234567 200") == (
        "GET /households/?q=[document-no] 200"
    )


@pytest.mark.django_db
def test_numbers_stored_before_are_rewritten_as_searched(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("carenet.households.migrations.0008_document_no_as_searched")
    dashed = PersonFactory(
        citizen_id="", document_type="pink_card", document_no="0-0001-23456-78-9"
    )
    spaced = PersonFactory(citizen_id="", document_type="passport", document_no="mc 123.4567")
    kept = PersonFactory(citizen_id="", document_type="passport", document_no="AB1234567")
    migration.rewrite(apps, None)
    for person, stored in ((dashed, "0000123456789"), (spaced, "MC1234567"), (kept, "AB1234567")):
        person.refresh_from_db()
        assert person.document_no == stored


# --- A Thai citizen ID not known yet ---------------------------------------------------------


def test_a_thai_citizen_whose_id_is_not_known_yet_is_registered_without_a_number():
    data = cleaning.PersonData(first_name="แก่", citizen_id="", document_type="id_unknown")
    assert cleaning.person_clean(data).document_type == "id_unknown"


def test_id_not_known_yet_with_a_number_says_where_the_number_goes():
    data = cleaning.PersonData(
        first_name="แก่", citizen_id="", document_type="id_unknown", document_no="1234"
    )
    with pytest.raises(ValidationError) as excinfo:
        cleaning.person_clean(data)
    assert "document_no" in excinfo.value.message_dict


def test_once_the_id_is_given_id_not_known_yet_is_cleared():
    digits = new_citizen_id()
    data = cleaning.PersonData(first_name="แก่", citizen_id=digits, document_type="id_unknown")
    cleaned = cleaning.person_clean(data)
    assert (cleaned.citizen_id, cleaned.document_type) == (digits, "")


def test_the_form_offers_id_not_known_yet():
    from carenet.households.forms import PersonForm

    form = PersonForm(data={"first_name": "แก่", "document_type": "id_unknown"})
    assert form.is_valid(), form.errors
    assert "id_unknown" in dict(form.fields["document_type"].choices)


def test_the_consent_choices_say_when_each_applies(client, world):
    """A volunteer could not tell "public task" from "legal obligation": each basis says in
    plain words when it is the one."""
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:person_add", args=[world.households["a1"].pk]))
    help_text = page.text.split('data-testid="basis-help"')[1].split("</details>")[0]
    assert help_text.count("<dt>") == 5
    assert "ถามความยินยอมตอนนี้ไม่ได้" in help_text
    assert "สอบถามศูนย์ประสานงานก่อนเลือก" in help_text
