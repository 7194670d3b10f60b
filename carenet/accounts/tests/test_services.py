import pytest
from django.core.exceptions import ValidationError

from carenet.accounts import access
from carenet.accounts.models import AreaAssignment, Role, User
from carenet.accounts.services import assignment_grant, assignment_revoke, user_create
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_user_create_hashes_and_audits(national_admin):
    user = user_create(actor=national_admin, username="newbie", password="long-pass-ทดสอบ")
    assert user.check_password("long-pass-ทดสอบ")
    event = AuditEvent.objects.get(action="user.create")
    assert event.actor == national_admin
    assert event.target_id == str(user.pk)
    assert "long-pass" not in str(event.details)


def test_username_taken_is_a_clear_error_and_writes_nothing(national_admin):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        user_create(actor=national_admin, username="VOLUNTEER_A", password="x" * 12)
    assert AuditEvent.objects.count() == before
    assert User.objects.filter(username__iexact="volunteer_a").count() == 1


def test_grant_applies_to_everything_below_and_is_audited(area_tree, national_admin):
    user = user_create(actor=national_admin, username="coord", password="x" * 12)
    assert not access.can(user, access.Perm.VIEW_AREAS, "860101")
    assignment_grant(
        actor=national_admin, user=user, role=Role.CENTRE_COORDINATOR, area=area_tree["8601"]
    )
    assert access.can(user, access.Perm.VIEW_AREAS, "86010101")
    assert not access.can(user, access.Perm.VIEW_AREAS, "8602")
    event = AuditEvent.objects.get(action="assignment.grant")
    assert event.area_code == "8601"
    assert event.details == {"role": "coordinator", "area": "8601"}


def test_granting_twice_is_harmless(area_tree, national_admin, volunteer_a):
    before = AuditEvent.objects.count()
    assignment_grant(
        actor=national_admin, user=volunteer_a, role=Role.VOLUNTEER, area=area_tree["860101"]
    )
    assert AreaAssignment.objects.filter(user=volunteer_a).count() == 1
    assert AuditEvent.objects.count() == before


def test_only_national_roles_cover_the_whole_country(national_admin, volunteer_a):
    with pytest.raises(ValidationError):
        assignment_grant(actor=national_admin, user=volunteer_a, role=Role.VOLUNTEER, area=None)


def test_revoke_removes_scope_and_audits(national_admin, district_coordinator_a):
    assignment = AreaAssignment.objects.get(user=district_coordinator_a)
    assignment_revoke(actor=national_admin, assignment=assignment)
    assert access.scope_codes(district_coordinator_a) == []
    assert AuditEvent.objects.filter(action="assignment.revoke", area_code="8601").exists()


@pytest.mark.parametrize(
    "username",
    # ... and letters of other scripts that look Latin: Cyrillic а, Greek ο.
    [
        "admin\u200b",
        "\u202enimda",
        "<script>",
        "a b/c?d",
        "",
        "x" * 151,
        "\u0430dmin",
        "r\u03bfot",
    ],
)
def test_a_username_with_spaces_invisible_marks_or_symbols_is_refused(national_admin, username):
    with pytest.raises(ValidationError) as refused:
        user_create(actor=national_admin, username=username, password="long-pass-ทดสอบ")
    assert "username" in refused.value.message_dict
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_a_thai_username_is_fine(national_admin):
    user = user_create(actor=national_admin, username="สมชาย.ใจดี", password="long-pass-ทดสอบ")
    assert user.username == "สมชาย.ใจดี"
