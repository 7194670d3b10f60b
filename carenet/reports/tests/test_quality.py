"""The page of data to check in an area: what it finds, inside the scope only."""

from datetime import date

import pytest
from django.urls import reverse

from carenet.areas.models import Area, Level
from carenet.households.models import Household
from carenet.households.tests.factories import HouseholdFactory, PersonFactory
from conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(personas):
    """In ต.ท่าตะเภา: a household with no head, a person born in 1900, and the same person
    registered twice; in ท่าแซะ another household with no head."""
    headless = HouseholdFactory.create(area_id="86010101")
    PersonFactory.create(household=headless, first_name="ทวด", birth_date=date(1900, 1, 1))
    home = HouseholdFactory.create(area_id="86010102", latitude=10.5, longitude=99.2)
    first = PersonFactory.create(household=home, first_name="สมปอง", last_name="ใจดี",
                                 birth_date=date(1960, 2, 3))  # fmt: skip
    again = PersonFactory.create(household=headless, first_name="สมปอง", last_name="ใจดี",
                                 birth_date=date(1960, 2, 3))  # fmt: skip
    Household.objects.filter(pk=home.pk).update(head=first)
    elsewhere = HouseholdFactory.create(area_id="86020101")
    PersonFactory.create(household=elsewhere)
    return {"headless": headless, "twins": {first.pk, again.pk}, "elsewhere": elsewhere}


def test_the_page_finds_what_to_check(client, register):
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:quality", args=["8601"]))
    assert page.status_code == 200
    q = page.context["q"]
    assert [h.pk for h in q.headless.items] == [register["headless"].pk]
    assert [p.first_name for p in q.too_old.items] == ["ทวด"]
    assert {p.pk for p in q.twins.items[0]} == register["twins"] and q.twins.count == 1
    assert q.without_gps == 1
    assert "?a=" in page.text  # a coordinator may merge: the pair links to the merge page
    # No volunteer serves either household of the district yet; then one is served.
    assert q.unserved_households == 2
    from carenet.households.tests.factories import VolunteerFactory, assign

    assign(register["headless"], VolunteerFactory.create(area_id="860101"))
    q = client.get(reverse("reports:quality", args=["8601"])).context["q"]
    assert q.unserved_households == 1
    assert "unserved=on" in client.get(reverse("reports:quality", args=["8601"])).text


def test_the_province_sees_its_districts_and_another_district_nothing_of_them(client, register):
    login(client, "province_officer")
    assert client.get(reverse("reports:quality", args=["86"])).context["q"].headless.count == 2
    login(client, "district_coordinator_b")
    assert client.get(reverse("reports:quality", args=["8601"])).status_code == 404
    q = client.get(reverse("reports:quality", args=["8602"])).context["q"]
    assert [h.pk for h in q.headless.items] == [register["elsewhere"].pk]
    assert q.twins.count == 0 and q.too_old.count == 0


def test_volunteers_and_anonymous_users_do_not_open_it(client, register):
    path = reverse("reports:quality", args=["860101"])
    assert client.get(path).status_code == 302
    login(client, "volunteer_a")
    assert client.get(path).status_code == 403


def test_the_page_takes_the_same_queries_for_more_records(
    client, register, django_assert_max_num_queries
):
    login(client, "province_officer")
    path = reverse("reports:quality", args=["86"])
    client.get(path)
    with django_assert_max_num_queries(20) as few:
        client.get(path)
    for n in range(5):
        extra = HouseholdFactory.create(area_id="86010101")
        PersonFactory.create(household=extra, birth_date=date(1901, 1, 1 + n))
    Area.objects.bulk_create(  # subdistricts with no villages nor volunteers
        Area(code=f"8602{n:02d}", level=Level.SUBDISTRICT, name_th=f"ตำบล{n}", parent_id="8602")
        for n in range(10, 40)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        q = client.get(path).context["q"]
    assert q.unloaded.count == 30 and len(q.unloaded.items) == 25


def test_people_whose_citizen_id_is_not_known_yet_are_listed_to_complete(client, register):
    from carenet.households.tests.factories import new_citizen_id

    home = HouseholdFactory.create(area_id="86010101")
    waiting = PersonFactory.create(household=home, first_name="ยายแก่", document_type="id_unknown")
    known = PersonFactory.create(household=home, document_type="id_unknown")
    known.set_citizen_id(new_citizen_id())
    known.save()
    PersonFactory.create(household=register["elsewhere"], document_type="id_unknown")
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:quality", args=["8601"]))
    q = page.context["q"]
    assert [p.pk for p in q.id_unknown.items] == [waiting.pk] and q.id_unknown.count == 1
    assert reverse("households:person", args=[waiting.pk]) in page.text
    login(client, "district_coordinator_b")
    assert client.get(reverse("reports:quality", args=["8602"])).context["q"].id_unknown.count == 1


def test_subdistricts_without_villages_or_volunteers_are_listed(client, register):
    from carenet.volunteers.tests.factories import VolunteerFactory

    Area.objects.filter(parent_id="860102").delete()  # ปากน้ำ's villages are not loaded yet
    VolunteerFactory(area_id="860101")
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:quality", args=["8601"]))
    q = page.context["q"]
    assert [a.code for a in q.unloaded.items] == ["860102"] and q.unloaded.count == 1
    assert [a.code for a in q.unserved.items] == ["860102"]
    listed = page.text.split('data-testid="unloaded"')[1].split("</section>")[0]
    assert "ต.ปากน้ำ" in listed and "import_villages" in listed
    assert reverse("reports:area", args=["860102"]) in listed
    login(client, "district_coordinator_b")  # another district: its own subdistricts only
    q = client.get(reverse("reports:quality", args=["8602"])).context["q"]
    assert q.unloaded.count == 0 and [a.code for a in q.unserved.items] == ["860201"]


def test_villages_no_active_volunteer_covers_are_listed_and_linked(client, register):
    from carenet.volunteers.models import VolunteerStatus
    from carenet.volunteers.tests.factories import VolunteerFactory

    villages = list(Area.objects.filter(parent_id="860101").order_by("code"))
    covering = VolunteerFactory(area_id="860101")
    covering.villages.set(villages[1:])
    resigned = VolunteerFactory(area_id="860101", status=VolunteerStatus.RESIGNED)
    resigned.villages.set(villages[:1])  # a volunteer who left covers nothing
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:quality", args=["860101"]))
    q = page.context["q"]
    assert [v.code for v in q.uncovered.items] == [villages[0].code] and q.uncovered.count == 1
    listed = page.text.split('data-testid="uncovered"')[1].split("</section>")[0]
    assert reverse("reports:area", args=[villages[0].code]) in listed
    area_page = client.get(reverse("reports:area", args=["860101"])).text
    assert reverse("reports:quality", args=["860101"]) + "#uncovered" in area_page
    login(client, "district_coordinator_b")  # another district: none of these
    q = client.get(reverse("reports:quality", args=["8602"])).context["q"]
    assert all(v.code.startswith("8602") for v in q.uncovered.items)


def test_the_citizen_ids_to_complete_show_on_the_page_not_in_its_title(client, register):
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:quality", args=["8601"])).text
    title = page.split("<title>")[1].split("</title>")[0]
    assert 'data-testid="id-unknown"' in page and "id-unknown" not in title
