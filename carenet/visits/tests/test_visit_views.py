"""Visit pages: the access matrix (in scope, out of scope, anonymous), denied POSTs that change
nothing, the visit form with its drafts, photos and bad input, acknowledgement, concerns,
and the volunteer's home with its query count."""

import re
import uuid
from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from carenet.core import thaidate
from carenet.core.models import AuditEvent
from carenet.households.models import Household
from carenet.households.tests.conftest import MANAGES, SEES
from carenet.households.tests.factories import HouseholdFactory, PersonFactory, assign
from carenet.visits import followup, services
from carenet.visits.models import Concern, ConcernStatus, Visit, VisitDraft, VisitPhoto
from carenet.visits.tests.factories import ConcernFactory, VisitFactory, build_world
from conftest import PERSONAS, login, page_body

pytestmark = pytest.mark.django_db

# Coordinators handle concerns and acknowledge visits: their area, not only their own.
COORDINATES = {
    "national_admin": {"a1", "a2", "p1", "b1", "s1"},
    "province_officer": {"a1", "a2", "p1", "b1"},
    "district_coordinator_a": {"a1", "a2", "p1"},
    "district_coordinator_b": {"b1"},
    "volunteer_a": set(),
    "volunteer_b": set(),
    "auditor": set(),
}


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(personas)
    world.visits = {}
    world.concerns = {}
    world.photos = {}
    for key, household in world.households.items():
        visit = VisitFactory.create(household=household)
        world.visits[key] = visit
        world.concerns[key] = ConcernFactory.create(household=household, visit=visit)
        photo = VisitPhoto(visit=visit, width=1, height=1)
        photo.image.save(f"p-{key}.jpg", BytesIO(b"\xff\xd8\xff\xd9"), save=False)
        photo.save()
        world.photos[key] = photo
    return world


def english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def target(world, kind: str, key: str) -> int:
    return {
        "household": world.households,
        "visit": world.visits,
        "concern": world.concerns,
        "photo": world.photos,
    }[kind][key].pk


def snapshot() -> tuple:
    """Everything a denied request must leave as it was."""
    return (
        list(Visit.objects.values().order_by("pk")),
        list(Concern.objects.values().order_by("pk")),
        list(VisitDraft.objects.values().order_by("pk")),
        list(Household.objects.values().order_by("pk")),
        AuditEvent.objects.count(),
    )


# --- Access matrix -------------------------------------------------------------------------

PAGES = [
    ("visits:timeline", "household", SEES),
    ("visits:record", "household", MANAGES),
    ("visits:detail", "visit", SEES),
    ("visits:saved", "visit", SEES),
    ("visits:photo", "photo", SEES),
    ("visits:acknowledge", "visit", COORDINATES),
    ("visits:concern_handle", "concern", COORDINATES),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kind", "table"), PAGES)
def test_pages_in_scope_200_out_of_scope_same_as_missing(client, world, persona, name, kind, table):
    login(client, persona)
    missing_path = reverse(name, args=[999999])
    missing = client.get(missing_path)
    assert missing.status_code in (403, 404)
    for key in world.households:
        path = reverse(name, args=[target(world, kind, key)])
        response = client.get(path)
        if key in table[persona]:
            assert response.status_code == 200, (persona, key, path)
        else:
            assert response.status_code == missing.status_code, (persona, key, path)
            if name != "visits:photo":
                assert page_body(response, path) == page_body(missing, missing_path)


@pytest.mark.parametrize(
    ("name", "kind"),
    [(name, kind) for name, kind, _ in PAGES] + [("visits:draft_save", "household")],
)
def test_anonymous_goes_to_login(client, world, name, kind):
    path = reverse(name, args=[target(world, kind, "a1")])
    response = client.get(path) if name != "visits:draft_save" else client.post(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["visits:my_households", "visits:concerns"])
def test_anonymous_lists_go_to_login(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_concerns_list_for_coordinators_only(client, world, persona):
    login(client, persona)
    response = client.get(reverse("visits:concerns"))
    if COORDINATES[persona]:
        assert response.status_code == 200
        shown = {
            k
            for k, c in world.concerns.items()
            if f"/visits/concerns/{c.pk}/" in response.content.decode()
        }
        assert shown == COORDINATES[persona]
    else:
        assert response.status_code == 403


def valid_post(world, key="a1", **overrides) -> dict:
    now = timezone.localtime() - timedelta(minutes=30)
    return {
        "client_uuid": str(uuid.uuid4()),
        "visit_date": thaidate.format_numeric(now.date()),
        "visit_time": now.strftime("%H:%M"),
        "visit_type": "routine",
        "risk_level": "normal",
        "duration_minutes": "30",
        "observations": "สบายดี",
        **overrides,
    }


DENIED_POSTS = [
    ("visits:record", "household", MANAGES),
    ("visits:draft_save", "household", MANAGES),
    ("visits:draft_discard", "household", MANAGES),
    ("visits:acknowledge", "visit", COORDINATES),
    ("visits:concern_handle", "concern", COORDINATES),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kind", "table"), DENIED_POSTS)
def test_a_denied_post_changes_nothing(client, world, persona, name, kind, table):
    login(client, persona)
    for key in world.households:
        if key in table[persona]:
            continue
        before = snapshot()
        data = {**valid_post(world, key), "comment": "x", "status": "closed", "note": "x"}
        response = client.post(reverse(name, args=[target(world, kind, key)]), data)
        assert response.status_code in (403, 404), (persona, name, key)
        assert snapshot() == before, (persona, name, key)


# --- Recording a visit ---------------------------------------------------------------------


def test_the_form_starts_from_now_with_the_households_members(client, world):
    login(client, "volunteer_a")
    response = client.get(reverse("visits:record", args=[world.households["a1"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert thaidate.format_numeric(timezone.localdate()) in body
    assert world.people["a1"].full_name in body
    assert 'capture="environment"' in body and 'accept="image/*"' in body
    assert body.count('class="problem-area') == 9
    assert 'name="client_uuid"' in body
    assert 'name="qa-i1"' in body  # the assessment part is in the form


@pytest.mark.parametrize(
    ("persona", "asked"), [("volunteer_a", False), ("district_coordinator_a", True)]
)
def test_who_is_not_a_volunteer_is_asked_who_made_the_visit(client, world, persona, asked):
    login(client, persona)
    page = client.get(reverse("visits:record", args=[world.households["a1"].pk]))
    assert page.context["visitors_needed"] is asked


def test_recording_a_visit_updates_the_household_and_shows_the_next_due_date(
    client, world, volunteer_a
):
    login(client, "volunteer_a")
    household = world.households["a1"]
    services.draft_save(actor=volunteer_a, household=household, data={"needs": "x"})
    data = valid_post(
        world,
        risk_level="watch",
        members_seen=[str(world.people["a1"].pk)],
        problems=["low_income", "no_welfare_card"],
    )
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 302
    visit = Visit.objects.get(client_uuid=data["client_uuid"])
    assert response["Location"] == reverse("visits:saved", args=[visit.pk])
    household.refresh_from_db()
    assert household.current_risk == "watch"
    assert household.next_visit_due == timezone.localdate(visit.visited_at) + timedelta(days=30)
    assert not VisitDraft.objects.exists()
    saved = client.get(response["Location"])
    assert thaidate.format_long(household.next_visit_due) in saved.content.decode()
    assert "localStorage.removeItem" in saved.content.decode()


def test_a_double_submit_stores_one_visit(client, world):
    login(client, "volunteer_a")
    data = valid_post(world)
    path = reverse("visits:record", args=[world.households["a1"].pk])
    first = client.post(path, data)
    second = client.post(path, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Visit.objects.filter(client_uuid=data["client_uuid"]).count() == 1


def test_the_same_form_sent_again_with_other_details_is_not_dropped_behind_a_saved(client, world):
    """Two tabs opened from one draft carry one form id: the second, with other words and
    risk, showed "saved" over the first tab's visit and was lost."""
    login(client, "volunteer_a")
    path = reverse("visits:record", args=[world.households["a1"].pk])
    before = set(Visit.objects.values_list("pk", flat=True))
    first = valid_post(world, observations="แท็บ A", risk_level="normal")
    assert client.post(path, first).status_code == 302
    second = {**first, "observations": "แท็บ B มีไข้", "risk_level": "watch"}
    page = client.post(path, second)
    assert page.status_code == 400 and "ไม่ได้บันทึก" in page.text
    assert Visit.objects.exclude(pk__in=before).count() == 1
    assert page.context["form"].data["client_uuid"] != first["client_uuid"]
    assert "แท็บ B มีไข้" in page.text  # what was typed is still there
    # Saved again after checking it: a visit of its own.
    again = {**second, "client_uuid": page.context["form"].data["client_uuid"]}
    assert client.post(path, again).status_code == 302
    stored = Visit.objects.exclude(pk__in=before).values_list("observations", flat=True)
    assert set(stored) == {"แท็บ A", "แท็บ B มีไข้"}


def test_an_urgent_visit_at_the_time_of_a_saved_one_is_not_lost(client, world):
    """The tester's steps: a routine visit yesterday at 08:00 is saved; a fresh form with the
    same date, time, type and words but urgent, a concern and a problem is a visit of its own,
    not a "saved" that points at the first and drops the concern."""
    household = world.households["a1"]
    path = reverse("visits:record", args=[household.pk])
    login(client, "volunteer_a")
    yesterday = thaidate.format_numeric(timezone.localdate() - timedelta(days=1))
    routine = valid_post(
        world, visit_date=yesterday, visit_time="08:00", observations="ปกติดี", risk_level="normal"
    )
    first = client.post(path, routine)
    assert first.status_code == 302
    visit = Visit.objects.get(client_uuid=routine["client_uuid"])
    # The back button brings the same entries back in a form with a new id: stored once.
    again = client.post(path, {**routine, "client_uuid": str(uuid.uuid4())})
    assert again["Location"] == first["Location"]
    urgent = {
        **routine,
        "client_uuid": str(uuid.uuid4()),
        "risk_level": "urgent",
        "raise_concern": "on",
        "concern_summary": "หลังคารั่ว พื้นผุ เด็กเล็กอยู่บ้านคนเดียว",
        "problems": ["unsafe_home"],
    }
    response = client.post(path, urgent)
    assert response.status_code == 302
    stored = Visit.objects.get(client_uuid=urgent["client_uuid"])
    assert response["Location"] == reverse("visits:saved", args=[stored.pk]) != first["Location"]
    assert stored.risk_level == "urgent"
    assert [p.code for p in stored.problems.all()] == ["unsafe_home"]
    concern = Concern.objects.get(visit=stored)
    assert concern.summary == urgent["concern_summary"]
    assert not Concern.objects.filter(visit=visit).exists()
    household.refresh_from_db()
    assert household.current_risk == "urgent"
    assert household.next_visit_due == timezone.localdate(stored.visited_at) + timedelta(days=7)
    assert 'data-testid="concern-raised"' in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("form_id", ["", "not-a-uuid"])
def test_a_form_that_lost_its_id_is_still_saved(client, world, form_id):
    login(client, "volunteer_a")
    path = reverse("visits:record", args=[world.households["a1"].pk])
    before = Visit.objects.count()
    assert client.post(path, {**valid_post(world), "client_uuid": form_id}).status_code == 302
    assert Visit.objects.count() == before + 1


def test_a_visit_in_the_future_is_refused_beside_the_date_and_the_draft_kept(client, world):
    english(login(client, "volunteer_a"))
    household = world.households["a1"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = valid_post(world, visit_date=thaidate.format_numeric(tomorrow), needs="ข้าวสาร")
    count = Visit.objects.count()
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "later than now" in body
    assert 'data-field="visit_date"' in body and "has-error" in body
    assert "ข้าวสาร" in body  # what was typed stays on the page
    assert Visit.objects.count() == count
    draft = VisitDraft.objects.get(household=household)
    assert draft.data["needs"] == "ข้าวสาร"
    assert draft.data["visit_date"] == thaidate.format_numeric(tomorrow)


def test_a_date_in_common_era_is_accepted(client, world):
    login(client, "volunteer_a")
    now = timezone.localtime() - timedelta(minutes=30)
    data = valid_post(world, visit_date=now.strftime("%d/%m/%Y"))
    response = client.post(reverse("visits:record", args=[world.households["a1"].pk]), data)
    assert response.status_code == 302


def test_an_unassigned_household_is_a_404_like_a_missing_one(client, world):
    login(client, "volunteer_a")
    before = snapshot()
    response = client.post(
        reverse("visits:record", args=[world.households["a2"].pk]), valid_post(world)
    )
    assert response.status_code == 404
    assert snapshot() == before


def real_jpeg(width=2400, height=1800) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (10, 120, 90)).save(out, "JPEG")
    return out.getvalue()


def test_photos_are_shrunk_and_stored(client, world):
    login(client, "volunteer_a")
    data = valid_post(
        world,
        photos=[
            SimpleUploadedFile("a.jpg", real_jpeg(), "image/jpeg"),
            SimpleUploadedFile("b.jpg", real_jpeg(800, 600), "image/jpeg"),
        ],
    )
    response = client.post(reverse("visits:record", args=[world.households["a1"].pk]), data)
    assert response.status_code == 302
    visit = Visit.objects.get(client_uuid=data["client_uuid"])
    sizes = sorted((p.width, p.height) for p in visit.photos.all())
    assert sizes == [(800, 600), (1600, 1200)]
    photo = visit.photos.order_by("pk").first()
    served = client.get(reverse("visits:photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    full = b"".join(served.streaming_content)
    small = client.get(reverse("visits:photo", args=[photo.pk]), {"size": "small"})
    assert small.status_code == 200 and small["Content-Type"] == "image/jpeg"
    with Image.open(BytesIO(small.content)) as preview:
        assert max(preview.size) == 480
    assert len(small.content) < len(full)
    # Kept by no browser, as the pages showing the same people: office PCs are shared.
    assert served["Cache-Control"] == small["Cache-Control"] == "private, no-store"
    login(client, "volunteer_b")  # the preview keeps the photo's scope
    assert (
        client.get(reverse("visits:photo", args=[photo.pk]), {"size": "small"}).status_code == 404
    )


def test_a_text_file_as_a_photo_gets_a_reason_and_nothing_is_lost(client, world):
    english(login(client, "volunteer_a"))
    household = world.households["a1"]
    data = valid_post(
        world,
        observations="หลังคารั่ว",
        photos=[SimpleUploadedFile("notes.jpg", b"not a photo" * 50, "image/jpeg")],
    )
    count = Visit.objects.count()
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "notes.jpg" in body and "is not a photo Carenet can read" in body
    assert "หลังคารั่ว" in body
    assert Visit.objects.count() == count
    assert VisitDraft.objects.get(household=household).data["observations"] == "หลังคารั่ว"


def test_a_50_mb_photo_gets_a_reason_and_nothing_is_lost(client, world):
    english(login(client, "volunteer_a"))
    household = world.households["a1"]
    big = SimpleUploadedFile(
        "big.jpg", real_jpeg(100, 100) + b"\0" * (50 * 1024 * 1024), "image/jpeg"
    )
    data = valid_post(world, observations="ถ่ายรูปใหญ่", photos=[big])
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "big.jpg" in body and "at most 20 MB" in body
    assert "ถ่ายรูปใหญ่" in body
    assert VisitDraft.objects.get(household=household).data["observations"] == "ถ่ายรูปใหญ่"


def test_an_urgent_visit_raises_a_concern_when_the_box_is_ticked(client, world):
    login(client, "volunteer_a")
    data = valid_post(
        world, risk_level="urgent", raise_concern="on", concern_summary="ผู้สูงอายุล้มในบ้าน"
    )
    response = client.post(reverse("visits:record", args=[world.households["a1"].pk]), data)
    assert response.status_code == 302
    concern = Concern.objects.get(summary="ผู้สูงอายุล้มในบ้าน")
    assert concern.status == ConcernStatus.OPEN
    assert 'data-testid="concern-raised"' in client.get(response["Location"]).content.decode()


def test_a_visit_with_an_assessment(client, world):
    login(client, "volunteer_a")
    answers = {
        f"qa-i{n}": "yes" for n in (1, 4, 5, 7, 8, 9, 10, 11, 15, 16, 17, 19, 20, 21, 22, 27, 28)
    }
    answers["qa-i1"] = "na"
    data = valid_post(world, **answers)
    response = client.post(reverse("visits:record", args=[world.households["a1"].pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    visit = Visit.objects.get(client_uuid=data["client_uuid"])
    assert visit.assessment.scores["health"] == 100


def test_an_incomplete_assessment_is_shown_beside_its_indicators(client, world):
    login(client, "volunteer_a")
    data = valid_post(world, **{"qa-i1": "yes"})
    count = Visit.objects.count()
    response = client.post(reverse("visits:record", args=[world.households["a1"].pk]), data)
    assert response.status_code == 400
    assert Visit.objects.count() == count
    assert 'class="qa-item has-error"' in response.content.decode()


# --- Drafts --------------------------------------------------------------------------------


def test_autosave_keeps_invalid_values_and_the_form_comes_back_from_it(client, world):
    login(client, "volunteer_a")
    household = world.households["a1"]
    path = reverse("visits:draft_save", args=[household.pk])
    tomorrow = thaidate.format_numeric(timezone.localdate() + timedelta(days=3))
    response = client.post(
        path,
        {
            "visit_date": tomorrow,
            "observations": "ยังพิมพ์ไม่จบ",
            "problems": ["low_income"],
            "risk_level": "watch",
            "qa-i8": "no",
        },
    )
    assert response.status_code == 200
    assert response.json()["saved"] is True
    draft = VisitDraft.objects.get()
    assert draft.data["problems"] == ["low_income"]
    assert draft.data["visit_date"] == tomorrow
    form = client.get(reverse("visits:record", args=[household.pk]))
    body = form.content.decode()
    assert 'data-testid="draft-notice"' in body
    assert "ยังพิมพ์ไม่จบ" in body and tomorrow in body
    assert re.search(r'value="low_income"[^>]*checked', body)
    assert re.search(r'value="watch"[^>]*checked', body)
    assert re.search(r'name="qa-i8" value="no"[^>]*checked', body)


def test_a_draft_save_with_an_expired_session_goes_to_login_and_writes_nothing(client, world):
    path = reverse("visits:draft_save", args=[world.households["a1"].pk])
    response = client.post(path, {"observations": "x"})
    assert response.status_code == 302
    assert not VisitDraft.objects.exists()


def test_discarding_the_draft(client, world):
    login(client, "volunteer_a")
    household = world.households["a1"]
    client.post(reverse("visits:draft_save", args=[household.pk]), {"needs": "x"})
    response = client.post(reverse("visits:draft_discard", args=[household.pk]))
    assert response.status_code == 302
    assert not VisitDraft.objects.exists()
    assert 'data-testid="draft-notice"' not in client.get(response["Location"]).content.decode()


def test_draft_save_takes_only_posts(client, world):
    login(client, "volunteer_a")
    response = client.get(reverse("visits:draft_save", args=[world.households["a1"].pk]))
    assert response.status_code == 405


# --- Acknowledgement -----------------------------------------------------------------------


def test_the_coordinator_acknowledges_and_the_volunteer_sees_it(client, world, volunteer_a):
    visit = world.visits["a1"]
    Visit.objects.filter(pk=visit.pk).update(recorded_by=volunteer_a)
    login(client, "district_coordinator_a")
    detail = client.get(reverse("visits:detail", args=[visit.pk]))
    assert 'data-testid="acknowledge"' in detail.content.decode()
    response = client.post(reverse("visits:acknowledge", args=[visit.pk]), {"comment": "ดีมากค่ะ"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.acknowledgement == "ดีมากค่ะ"
    client.logout()
    login(client, "volunteer_a")
    home = client.get(reverse("visits:my_households")).content.decode()
    assert 'data-testid="acknowledgements"' in home and "ดีมากค่ะ" in home
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert 'data-testid="acknowledgement"' in page and "ดีมากค่ะ" in page
    assert 'data-testid="acknowledge"' not in page  # a volunteer does not acknowledge


def test_a_second_acknowledgement_does_not_replace_the_first_unseen(client, world):
    visit = world.visits["a1"]
    login(client, "district_coordinator_a")
    page = client.get(reverse("visits:acknowledge", args=[visit.pk]))
    seen = page.context["form"]["seen"].value()
    assert seen == ""
    Visit.objects.filter(pk=visit.pk).update(
        acknowledged_at=timezone.now(), acknowledgement="ช่วยถ่ายรูปเพิ่ม"
    )
    url = reverse("visits:acknowledge", args=[visit.pk])
    response = client.post(url, {"comment": "รับทราบ", "seen": seen})
    assert response.status_code == 400
    assert "ช่วยถ่ายรูปเพิ่ม" in response.content.decode()  # shown, and kept
    visit.refresh_from_db()
    assert visit.acknowledgement == "ช่วยถ่ายรูปเพิ่ม"
    # Having seen it, the coordinator may replace it.
    again = response.context["form"]["seen"].value()
    assert client.post(url, {"comment": "รับทราบ", "seen": again}).status_code == 302
    visit.refresh_from_db()
    assert visit.acknowledgement == "รับทราบ"


# --- Concerns ------------------------------------------------------------------------------


def test_a_sensitive_concern_is_restricted_for_the_district_and_open_to_the_province(client, world):
    concern = world.concerns["a1"]
    Concern.objects.filter(pk=concern.pk).update(sensitive=True, summary="ถูกทำร้ายร่างกาย")
    login(client, "district_coordinator_a")
    body = client.get(reverse("visits:concerns")).content.decode()
    assert "ถูกทำร้ายร่างกาย" not in body
    assert client.get(reverse("visits:concern_handle", args=[concern.pk])).status_code == 403
    client.logout()
    login(client, "province_officer")
    assert "ถูกทำร้ายร่างกาย" in client.get(reverse("visits:concerns")).content.decode()


def test_a_sensitive_concern_comes_first_for_the_province_last_for_the_district(client, world):
    from carenet.visits.tests.factories import ConcernFactory

    household = world.concerns["a1"].household
    older = ConcernFactory(household=household, summary="เก่า")
    sensitive = ConcernFactory(household=household, sensitive=True, summary="ถูกทำร้าย")
    login(client, "province_officer")
    page = client.get(reverse("visits:concerns")).context["page"]
    assert page.object_list[0].concern.pk == sensitive.pk
    login(client, "district_coordinator_a")
    page = client.get(reverse("visits:concerns")).context["page"]
    opened = [row.concern.pk for row in page.object_list if row.concern.status == "open"]
    assert opened[-1] == sensitive.pk and older.pk in opened


def test_the_centre_closes_a_concern_with_a_note(client, world):
    concern = world.concerns["a1"]
    login(client, "district_coordinator_a")
    path = reverse("visits:concern_handle", args=[concern.pk])
    refused = client.post(path, {"status": "closed", "note": ""})
    assert refused.status_code == 400
    assert Concern.objects.get(pk=concern.pk).status == ConcernStatus.OPEN
    response = client.post(path, {"status": "closed", "note": "ประสาน อบต. แล้ว"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED and "ประสาน อบต. แล้ว" in concern.note
    closed = client.get(reverse("visits:concerns") + "?status=closed").content.decode()
    assert f"/visits/concerns/{concern.pk}/" in closed


# --- My households -------------------------------------------------------------------------


def test_my_households_lists_only_mine_most_urgent_first(client, world):
    vol_a = world.volunteers["a"]
    today = timezone.localdate()
    rows = {}
    for name, due, last in [
        ("later", today + timedelta(days=40), 50),
        ("overdue_old", today - timedelta(days=20), 110),
        ("overdue_new", today - timedelta(days=2), 92),
        ("soon", today + timedelta(days=3), 27),
        ("never", None, None),
    ]:
        household = HouseholdFactory.create(
            area_id="86010101",
            house_no=name,
            next_visit_due=due,
            last_visit_at=timezone.now() - timedelta(days=last) if last else None,
        )
        assign(household, vol_a)
        rows[name] = household
    login(client, "volunteer_a")
    response = client.get(reverse("visits:my_households"))
    assert response.status_code == 200
    body = response.content.decode()
    order = [m for m in re.findall(r"House no\. (\w+)|บ้านเลขที่ (\w+)", body)]
    shown = [a or b for a, b in order]
    # a1 (never visited, no due date) ranks with "never".
    assert shown[:2] == ["overdue_old", "overdue_new"]
    assert shown.index("soon") < shown.index("later")
    assert shown.index("never") < shown.index("later")
    assert world.households["a2"].house_no not in shown
    assert body.count('data-testid="record"') == 6


def test_a_household_never_visited_a_month_after_registering_is_overdue_for_its_volunteer(
    client, world
):
    """The centre's overdue list counted it overdue, 800 days late, while her own page said
    "due this week"."""
    vol_a = world.volunteers["a"]
    old = HouseholdFactory.create(area_id="86010101", house_no="old")
    new = HouseholdFactory.create(area_id="86010101", house_no="new")
    Household.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    for household in (old, new):
        assign(household, vol_a)
    login(client, "volunteer_a")
    mine = client.get(reverse("visits:my_households")).context["mine"]
    states = {row.household.pk: row.state for row in mine.page.object_list}
    assert (states[old.pk], states[new.pk]) == ("overdue", "never")
    late = next(row for row in mine.page.object_list if row.household.pk == old.pk)
    assert late.overdue_days == 10
    overdue_by_centre = Household.objects.filter(followup.overdue_q(timezone.localdate()))
    assert mine.overdue == overdue_by_centre.filter(assignments__volunteer=vol_a).count()


def make_mine(vol, n: int) -> None:
    for i in range(n):
        household = HouseholdFactory.create(
            area_id="86010101",
            priority_score=i,
            vulnerability=["bedridden", "elderly", "child", "disability"],
        )
        PersonFactory.create(household=household)
        assign(household, vol)


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_my_households_takes_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    login(client, "volunteer_a")
    path = reverse("visits:my_households")
    make_mine(world.volunteers["a"], 2)
    few = queries_for(client, path)
    make_mine(world.volunteers["a"], 25)
    with django_assert_max_num_queries(few):
        client.get(path)
    assert few <= 13  # 12, and one for the requests waiting for her (cases_intake)


@pytest.mark.parametrize("typed", ["09:30", "09.30", "0930", "๐๙.๓๐ น.", "9.3"])
def test_times_as_people_write_them(client, world, typed):
    login(client, "volunteer_a")
    yesterday = timezone.localdate() - timedelta(days=1)
    data = valid_post(world, visit_date=thaidate.format_numeric(yesterday), visit_time=typed)
    response = client.post(reverse("visits:record", args=[world.households["a1"].pk]), data)
    assert response.status_code == 302
    visit = Visit.objects.get(client_uuid=data["client_uuid"])
    assert timezone.localtime(visit.visited_at).strftime("%H:%M") == "09:30"


@pytest.mark.parametrize("typed", ["25:99", "24:00", "2pm"])
def test_a_time_that_cannot_be_read_says_how_to_write_one(client, world, typed):
    login(client, "volunteer_a")
    data = valid_post(world, visit_time=typed)
    response = client.post(reverse("visits:record", args=[world.households["a1"].pk]), data)
    assert response.status_code == 400
    assert "23.59" in " ".join(response.context["form"].errors["visit_time"])


def test_a_photo_whose_file_is_gone_is_a_404(client, world):
    login(client, "volunteer_a")
    photo = world.photos["a1"]
    photo.image.storage.delete(photo.image.name)
    assert client.get(reverse("visits:photo", args=[photo.pk])).status_code == 404


def test_a_preview_of_a_stored_file_that_is_no_photo_is_a_404(client, world):
    login(client, "volunteer_a")
    photo = world.photos["a1"]
    with photo.image.storage.open(photo.image.name, "wb") as broken:
        broken.write(b"not a jpeg")
    url = reverse("visits:photo", args=[photo.pk])
    assert client.get(url, {"size": "small"}).status_code == 404


def test_a_household_that_moved_away_sends_the_visit_form_back_to_its_page(client, world):
    household = world.households["a1"]
    Household.objects.filter(pk=household.pk).update(status="moved")
    login(client, "volunteer_a")
    response = client.get(reverse("visits:record", args=[household.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("households:detail", args=[household.pk])


def test_problem_names_follow_the_page_language():
    from django.utils import translation

    from carenet.visits.models import ProblemItem

    item = ProblemItem(code="x", name_th="ไม่มีที่อยู่อาศัย", name_en="homeless")
    with translation.override("en"):
        assert str(item) == "homeless"
    with translation.override("th"):
        assert str(item) == "ไม่มีที่อยู่อาศัย"


def test_the_form_says_when_the_household_was_already_visited_today(client, world):
    household = world.households["a1"]
    Visit.objects.update(created_at=timezone.now() - timedelta(days=3))  # the world's, long saved
    login(client, "volunteer_a")
    url = reverse("visits:record", args=[household.pk])
    assert 'data-testid="visited-today"' not in client.get(url).content.decode()
    VisitFactory.create(household=household, visited_at=timezone.now())
    assert 'data-testid="visited-today"' in client.get(url).content.decode()


def test_the_form_says_so_of_a_visit_saved_minutes_ago_though_dated_days_ago(client, world):
    """The Back button after saving a visit dated 29 Nov brought the form again; saved again,
    it made a second visit, and nothing said one had just been saved."""
    household = world.households["a1"]
    Visit.objects.update(created_at=timezone.now() - timedelta(days=3))
    login(client, "volunteer_a")
    url = reverse("visits:record", args=[household.pk])
    VisitFactory.create(household=household, visited_at=timezone.now() - timedelta(days=2))
    assert 'data-testid="visited-today"' in client.get(url).content.decode()


def test_a_new_volunteer_with_no_household_is_shown_how_to_register_one(client, world):
    Household.volunteers.through.objects.filter(volunteer=world.volunteers["a"]).delete()
    client.force_login(world.volunteers["a"].user)
    page = client.get(reverse("visits:my_households"))
    assert 'data-testid="register-first"' in page.text
    assert reverse("households:create") in page.text


@pytest.mark.parametrize(("who", "status"), [("volunteer_b", 404), (None, 302)])
def test_a_visit_is_withdrawn_from_its_page_only_by_those_who_may(client, world, who, status):
    visit = VisitFactory.create(household=world.households["a1"], observations="ผิดบ้าน")
    url = reverse("visits:withdraw", args=[visit.pk])
    if who:
        login(client, who)
    assert client.post(url, {"reason": "ผิด"}).status_code == status
    assert Visit.objects.filter(pk=visit.pk).exists()
    login(client, "district_coordinator_a")
    page = client.get(reverse("visits:detail", args=[visit.pk]))
    assert 'data-testid="withdraw"' in page.text
    done = client.post(url, {"reason": "บันทึกผิดบ้าน"})
    assert done.status_code == 302 and done["Location"] == reverse(
        "visits:timeline", args=[visit.household_id]
    )
    assert not Visit.objects.filter(pk=visit.pk).exists()
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 404
