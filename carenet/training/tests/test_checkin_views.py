"""Check-in pages: the access matrix, scanning and ticking through HTTP, badges, the volunteer's
own QR, the attendance page and CSV, and fixed query counts at two sizes."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.training import checkin
from carenet.training.models import Attendance, Certificate
from carenet.training.tests.factories_checkin import checkin_world, invite_many
from carenet.training.tests.factories_events import (
    AttendanceFactory,
    InvitationFactory,
    VolunteerFactory,
)
from conftest import PERSONAS, login

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(personas):
    return checkin_world(personas)


# Who may open the scanner of the 8601 event's session: 200, 403 (no MANAGE_TRAINING) or 404.
SCANNER = {
    "national_admin": 200,
    "province_officer": 200,
    "district_coordinator_a": 200,
    "district_coordinator_b": 404,
    "volunteer_a": 403,
    "volunteer_b": 403,
    "auditor": 403,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_scanner_page_is_for_the_events_managers(client, world, persona):
    login(client, persona)
    url = reverse("training:checkin", args=[world.session.pk])
    response = client.get(url)
    assert response.status_code == SCANNER[persona]
    if response.status_code == 200:
        body = response.content.decode()
        assert "vendor/qr-scanner/qr-scanner.min.js" in body
        assert "js/checkin.js" in body
        assert world.mine.volunteer.full_name in body
    scan = client.post(
        reverse("training:checkin_scan", args=[world.session.pk]),
        {"code": checkin.qr_text(world.mine)},
        **JSON,
    )
    assert scan.status_code == SCANNER[persona]
    tick = client.post(
        reverse("training:checkin_tick", args=[world.session.pk]),
        {"invitation": world.other.pk},
        **HTMX,
    )
    assert tick.status_code == SCANNER[persona]
    expected = 2 if SCANNER[persona] == 200 else 0
    assert Attendance.objects.count() == expected


def test_a_district_coordinator_gets_404_for_the_other_districts_session(client, world):
    login(client, "district_coordinator_a")
    assert client.get(reverse("training:checkin", args=[world.session_b.pk])).status_code == 404
    response = client.post(
        reverse("training:checkin_scan", args=[world.session_b.pk]),
        {"code": checkin.qr_text(world.invitation_b)},
        **JSON,
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    assert client.get(reverse("training:checkin", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in [
        reverse("training:checkin", args=[world.session.pk]),
        reverse("training:badges", args=[world.event.pk]),
        reverse("training:badge", args=[world.mine.pk]),
        reverse("training:my_qr", args=[world.mine.pk]),
        reverse("training:attendance", args=[world.event.pk]),
        reverse("training:attendance_csv", args=[world.event.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    response = client.post(
        reverse("training:checkin_scan", args=[world.session.pk]),
        {"code": checkin.qr_text(world.mine)},
    )
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_scan_results_through_http(client, world):
    login(client, "district_coordinator_a")
    url = reverse("training:checkin_scan", args=[world.session.pk])
    code = checkin.qr_text(world.mine)
    first = client.post(url, {"code": code}, **JSON).json()
    assert first["status"] == "new"
    assert first["message"] == "✓ " + world.mine.volunteer.full_name
    assert first["counts"] == {"checked_in": 1, "invited": 3, "confirmed": 2}
    assert first["invitation"] == world.mine.pk
    again = client.post(url, {"code": code}, **JSON).json()
    assert again["status"] == "already"
    assert again["time"] == first["time"] and again["time"] in again["message"]
    assert again["counts"]["checked_in"] == 1
    foreign = client.post(url, {"code": checkin.qr_text(world.invitation_b)}, **JSON).json()
    assert foreign["status"] == "refused" and foreign["message"]
    for junk in ["", "garbage", "\x00\x01", "ก" * 10000, "CARENET-T:" + "z" * 22]:
        response = client.post(url, {"code": junk}, **JSON)
        assert response.status_code == 200
        assert response.json()["status"] == "refused"
    assert client.post(url, {}, **JSON).json()["status"] == "refused"
    declined = client.post(url, {"code": checkin.qr_text(world.declined)}, **JSON).json()
    assert declined["status"] == "new" and declined["declined"]
    assert Attendance.objects.count() == 2


def test_scan_refuses_get_and_works_without_script(client, world):
    login(client, "district_coordinator_a")
    url = reverse("training:checkin_scan", args=[world.session.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"code": checkin.qr_text(world.mine)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("training:checkin", args=[world.session.pk])
    assert "✓ " + world.mine.volunteer.full_name in response.content.decode()


def test_ticking_from_the_list(client, world):
    login(client, "district_coordinator_a")
    url = reverse("training:checkin_tick", args=[world.session.pk])
    response = client.post(url, {"invitation": world.other.pk}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="checked"' in body and 'hx-swap-oob="true"' in body
    assert re.search(r'data-count="checked_in">1<', body)
    assert Attendance.objects.get().method == "list"
    # Ticking again is harmless.
    assert client.post(url, {"invitation": world.other.pk}, **HTMX).status_code == 200
    assert Attendance.objects.count() == 1
    for bad in [world.invitation_b.pk, world.unsent.pk, "x", ""]:
        assert client.post(url, {"invitation": bad}, **HTMX).status_code == 404
    assert client.get(url).status_code == 405
    assert Attendance.objects.count() == 1


def test_the_list_searches_by_thai_name_thirty_at_a_time(client, world):
    invite_many(world.event, 40)
    login(client, "district_coordinator_a")
    url = reverse("training:checkin", args=[world.session.pk])
    AttendanceFactory(invitation=world.mine, session=world.session)
    found = client.get(url, {"q": "มาลี"}, **HTMX)
    assert [r.pk for r in found.context["rows"]] == [world.mine.pk]
    assert 'data-testid="checked"' in found.content.decode()  # ticked people show as checked
    assert client.get(url, {"q": "ศรีสุข มาลี"}, **HTMX).context["rows"] == [world.mine]
    assert client.get(url, {"q": "ไม่มีชื่อนี้"}, **HTMX).context["rows"] == []
    first = client.get(url, **HTMX)
    assert len(first.context["rows"]) == 30 and first.context["next_from"] == 30
    rest = client.get(url, {"from": 30}, **HTMX)
    assert len(rest.context["rows"]) == 13 and rest.context["next_from"] is None  # 43 sent
    shown = {r.pk for r in first.context["rows"]} | {r.pk for r in rest.context["rows"]}
    assert world.unsent.pk not in shown and world.invitation_b.pk not in shown


def test_scanner_page_and_scan_cost_fixed_queries(client, world, django_assert_max_num_queries):
    login(client, "district_coordinator_a")
    page = reverse("training:checkin", args=[world.session.pk])
    with django_assert_max_num_queries(9) as small:
        client.get(page)
    invite_many(world.event, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(page)
    scan = reverse("training:checkin_scan", args=[world.session.pk])
    with django_assert_max_num_queries(10) as captured:
        response = client.post(scan, {"code": checkin.qr_text(world.other)}, **JSON)
    assert response.json()["status"] == "new"
    # Sign-in (session, user, grants) and the test's savepoints aside, a scan is five queries:
    # the session, the token lookup, two inserts (attendance, audit) and the counts.
    own = [
        q["sql"]
        for q in captured.captured_queries
        if not re.search(
            r"django_session|accounts_user|accounts_areaassignment|SAVEPOINT", q["sql"]
        )
    ]
    assert len(own) <= 5, own


# --- badges and the volunteer's own QR ---------------------------------------------------------

# the volunteer_a's own invitation at the 8601 event
OWN_QR = {
    "national_admin": 200,
    "province_officer": 200,
    "district_coordinator_a": 200,
    "district_coordinator_b": 404,
    "volunteer_a": 200,
    "volunteer_b": 404,
    "auditor": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_qr_and_badge_open_for_the_owner_and_the_managers(client, world, persona):
    login(client, persona)
    for name in ("training:my_qr", "training:badge"):
        response = client.get(reverse(name, args=[world.mine.pk]))
        assert response.status_code == OWN_QR[persona], name
        if response.status_code == 200:
            body = response.content.decode()
            assert "<svg" in body and world.mine.volunteer.full_name in body
    # Someone else's invitation: volunteer_a gets 404.
    other = client.get(reverse("training:my_qr", args=[world.other.pk]))
    expected = 404 if persona == "volunteer_a" else OWN_QR[persona]
    assert other.status_code == expected
    assert client.get(reverse("training:my_qr", args=[world.unsent.pk])).status_code == 404


def test_my_qr_shows_the_brightness_hint(client, world):
    login(client, "volunteer_a")
    body = client.get(reverse("training:my_qr", args=[world.mine.pk])).content.decode()
    assert 'data-testid="brightness-hint"' in body
    assert str(checkin.qr_svg(world.mine)) in body


BADGES = {
    "national_admin": 200,
    "province_officer": 200,
    "district_coordinator_a": 200,
    "district_coordinator_b": 404,
    "volunteer_a": 403,
    "volunteer_b": 403,
    "auditor": 403,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_badges_page_is_for_the_events_managers(client, world, persona):
    login(client, persona)
    response = client.get(reverse("training:badges", args=[world.event.pk]))
    assert response.status_code == BADGES[persona]
    if response.status_code == 200:
        body = response.content.decode()
        assert body.count('data-testid="badge"') == 2  # mine and other; not declined, not unsent
        assert world.declined.volunteer.full_name not in body


def test_badges_come_eight_to_a_sheet_with_fixed_queries(
    client, world, django_assert_max_num_queries
):
    login(client, "district_coordinator_a")
    url = reverse("training:badges", args=[world.event.pk])
    with django_assert_max_num_queries(8) as small:
        client.get(url)
    invite_many(world.event, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    sheets = response.context["sheets"]
    assert [len(sheet) for sheet in sheets] == [8, 8, 1]
    assert response.content.decode().count('data-testid="sheet"') == 3


# --- attendance --------------------------------------------------------------------------------

ATTENDANCE = {
    "national_admin": 200,
    "province_officer": 200,
    "district_coordinator_a": 200,
    "district_coordinator_b": 404,
    "volunteer_a": 404,
    "volunteer_b": 404,
    "auditor": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_attendance_page_and_csv_are_scoped(client, world, persona):
    AttendanceFactory(invitation=world.mine, session=world.session)
    login(client, persona)
    response = client.get(reverse("training:attendance", args=[world.event.pk]))
    assert response.status_code == ATTENDANCE[persona]
    csv = client.get(reverse("training:attendance_csv", args=[world.event.pk]))
    # The CSV needs EXPORT_DATA, which volunteers do not hold (403).
    expected = 403 if persona.startswith("volunteer") else ATTENDANCE[persona]
    assert csv.status_code == expected
    if csv.status_code == 200:
        text = b"".join(csv.streaming_content).decode("utf-8-sig")
        assert world.mine.volunteer.full_name in text


def test_the_attendance_page_shows_the_rates(client, world):
    AttendanceFactory(invitation=world.mine, session=world.session)
    AttendanceFactory(invitation=world.other, session=world.session)
    login(client, "district_coordinator_a")
    response = client.get(reverse("training:attendance", args=[world.event.pk]))
    summary = response.context["summary"]
    assert summary.sessions[0].rate.checked_in == 2
    body = response.content.decode()
    assert 'data-testid="session-rates"' in body and "67%" in body  # 2 of 3 invited
    assert "อ.เมืองชุมพร" in body


def test_the_csv_neutralises_formulas_and_lists_check_in_times(client, world):
    sly = VolunteerFactory(area_id="860101", title="=HYPERLINK(1)", first_name="@x", last_name="+y")
    invitation = InvitationFactory(event=world.event, volunteer=sly)
    AttendanceFactory(invitation=invitation, session=world.session)
    login(client, "district_coordinator_a")
    response = client.get(reverse("training:attendance_csv", args=[world.event.pk]))
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    line = next(row for row in text.splitlines() if "HYPERLINK" in row)
    assert line.startswith("'=HYPERLINK(1)")
    assert "09:00" in line and ",1," in line
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_csv_speaks_the_page_s_language_throughout(client, world):
    AttendanceFactory(invitation=world.mine, session=world.session)
    login(client, "district_coordinator_a")
    path = reverse("training:attendance_csv", args=[world.event.pk])
    thai = b"".join(client.get(path).streaming_content).decode("utf-8-sig").splitlines()
    assert thai[0].startswith("ชื่อ-สกุล,ตำบล,อำเภอ,การตอบรับ")
    client.cookies["carenet_language"] = "en"
    english = b"".join(client.get(path).streaming_content).decode("utf-8-sig").splitlines()
    assert english[0].startswith("Name,Subdistrict,District,Answer")
    assert english[0].endswith("Sessions attended,Attendance rule met")
    assert not [line for line in english if "ผ่าน" in line]


def test_a_check_in_ticked_on_another_day_shows_its_day(client, world):
    later = world.session.starts_at + timedelta(days=9)
    AttendanceFactory(invitation=world.mine, session=world.session, checked_in_at=later)
    login(client, "district_coordinator_a")
    response = client.get(reverse("training:attendance_csv", args=[world.event.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    line = next(row for row in text.splitlines() if world.mine.volunteer.last_name in row)
    local = timezone.localtime(later)
    assert f"{local.day:02d}/{local.month:02d}/{local.year + 543} {local:%H:%M}" in line


def test_attendance_page_and_csv_cost_fixed_queries(client, world, django_assert_max_num_queries):
    login(client, "district_coordinator_a")
    page = reverse("training:attendance", args=[world.event.pk])
    csv = reverse("training:attendance_csv", args=[world.event.pk])
    with django_assert_max_num_queries(14) as small_page:
        client.get(page)
    with django_assert_max_num_queries(14) as small_csv:
        b"".join(client.get(csv).streaming_content)
    for invitation in invite_many(world.event, 40):
        AttendanceFactory(invitation=invitation, session=world.session)
    with django_assert_max_num_queries(len(small_page.captured_queries)):
        client.get(page)
    with django_assert_max_num_queries(len(small_csv.captured_queries)):
        b"".join(client.get(csv).streaming_content)


def test_a_check_in_by_mistake_is_taken_back_unless_a_certificate_rests_on_it(client, world):
    login(client, "district_coordinator_a")
    tick = reverse("training:checkin_tick", args=[world.session.pk])
    untick = reverse("training:checkin_untick", args=[world.session.pk])
    client.post(tick, {"invitation": world.other.pk}, **HTMX)
    response = client.post(untick, {"invitation": world.other.pk}, **HTMX)
    assert response.status_code == 200 and 'data-testid="tick"' in response.text
    assert not Attendance.objects.exists()
    event = AuditEvent.objects.get(action="training.checkin_undo")
    assert event.details["session"] == world.session.pk
    # Once a certificate is issued on the attendance, the check-in stays.
    client.post(tick, {"invitation": world.other.pk}, **HTMX)
    Certificate.objects.create(
        event=world.event, invitation=world.other, volunteer=world.other.volunteer,
        area_id=world.other.area_id, code="TESTCODE01", name_printed="สมศรี ใจดี",
        issued_on=world.event.starts_on,
    )  # fmt: skip
    kept = client.post(untick, {"invitation": world.other.pk}, **HTMX)
    assert 'data-testid="row-refused"' in kept.text and Attendance.objects.count() == 1
    login(client, "district_coordinator_b")
    assert client.post(untick, {"invitation": world.other.pk}, **HTMX).status_code == 404


def test_a_session_of_a_later_day_takes_no_check_in(client, world):
    """The wrong tab picked the day before: refused, saying the session's day."""
    tomorrow = timezone.now() + timedelta(days=1)
    world.session2.starts_at, world.session2.ends_at = tomorrow, tomorrow + timedelta(hours=3)
    world.session2.save()
    login(client, "district_coordinator_a")
    url = reverse("training:checkin_tick", args=[world.session2.pk])
    response = client.post(url, {"invitation": world.other.pk}, **HTMX)
    assert 'data-testid="row-refused"' in response.text
    assert not Attendance.objects.exists()
    past = reverse("training:checkin_tick", args=[world.session.pk])  # a sign-in sheet, later
    assert 'data-testid="checked"' in client.post(past, {"invitation": world.other.pk}, **HTMX).text


def test_under_a_rule_of_nought_the_csv_passes_only_those_who_came(client, world):
    """The page and the certificates need one session at least: the file said no-shows met it."""
    type(world.event).objects.filter(pk=world.event.pk).update(attendance_rule=0)
    AttendanceFactory(invitation=world.mine, session=world.session)
    login(client, "district_coordinator_a")
    path = reverse("training:attendance_csv", args=[world.event.pk])
    lines = b"".join(client.get(path).streaming_content).decode("utf-8-sig").splitlines()
    met = [line for line in lines[1:] if line.endswith(",ผ่าน")]
    assert len(met) == 1 and world.mine.volunteer.last_name in met[0]
