"""The access model: scope by area prefix, deny by default, 404 for missing and not-yours."""

import pytest
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver

from carenet.accounts import access
from carenet.accounts.access import ROLE_PERMISSIONS, Perm
from carenet.accounts.models import Role
from carenet.areas.models import Area

pytestmark = pytest.mark.django_db


def visible_codes(user) -> set[str]:
    return set(
        access.visible_to(user, Area.objects.all(), field="code").values_list("code", flat=True)
    )


@pytest.mark.parametrize(
    ("persona", "sees", "does_not_see"),
    [
        ("national_admin", {"86", "8601", "860201", "84", "840101"}, set()),
        ("auditor", {"86", "84", "840101"}, set()),
        ("province_officer", {"86", "8601", "8602", "86010101", "86020101"}, {"84", "840101"}),
        (
            "district_coordinator_a",
            {"8601", "860101", "86010102", "860102"},
            {"86", "8602", "860201", "84"},
        ),
        ("district_coordinator_b", {"8602", "860201", "86020101"}, {"8601", "860101", "86"}),
        ("volunteer_a", {"860101", "86010101", "86010102"}, {"860102", "8601", "860201"}),
    ],
)
def test_scope_is_everything_below_the_assigned_area(personas, persona, sees, does_not_see):
    codes = visible_codes(personas[persona])
    assert sees <= codes
    assert not (does_not_see & codes)


def test_user_without_assignment_sees_nothing(area_tree, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert visible_codes(nobody) == set()


def test_anonymous_sees_nothing(area_tree):
    from django.contrib.auth.models import AnonymousUser

    assert visible_codes(AnonymousUser()) == set()


def test_inactive_user_sees_nothing(district_coordinator_a):
    district_coordinator_a.is_active = False
    access.forget_grants(district_coordinator_a)
    assert visible_codes(district_coordinator_a) == set()


def test_missing_and_out_of_scope_are_the_same_404(district_coordinator_a):
    qs = Area.objects.all()
    assert access.get_visible_or_404(district_coordinator_a, qs, field="code", code="860101")
    for code in ("8602", "99999999", "84"):
        with pytest.raises(Http404):
            access.get_visible_or_404(district_coordinator_a, qs, field="code", code=code)


def test_nested_grants_collapse_to_the_outer_one(area_tree, district_coordinator_a):
    from carenet.accounts.tests.factories import AreaAssignmentFactory

    AreaAssignmentFactory(
        user=district_coordinator_a, role=Role.VOLUNTEER, area=area_tree["860101"]
    )
    access.forget_grants(district_coordinator_a)
    assert access.scope_codes(district_coordinator_a) == ["8601"]


def test_auditor_role_grants_no_change_permission():
    changing = {Perm.MANAGE_AREAS, Perm.MANAGE_USERS}
    assert not (ROLE_PERMISSIONS[Role.AUDITOR] & changing)


def test_every_role_has_a_row_in_the_permission_table():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_scope_filter_is_an_index_range_not_like(district_coordinator_a):
    sql = str(access.visible_to(district_coordinator_a, Area.objects.all(), field="code").query)
    assert "LIKE" not in sql.upper()
    assert ">= 8601" in sql and "< 8602" in sql


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_url_declares_its_access():
    undeclared = [
        route
        for route, view in _walk(get_resolver().url_patterns)
        if not getattr(view, "access_rule", None)
    ]
    assert undeclared == [], f"views without an access declaration: {undeclared}"
