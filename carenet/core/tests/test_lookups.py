"""Integer `__in` with numbers past the column's range (carenet.core.lookups)."""

import pytest

from carenet.accounts.models import User

pytestmark = pytest.mark.django_db


def test_numbers_past_the_range_match_nothing_and_raise_nothing():
    user = User.objects.create(username="someone")
    huge = 10**22
    assert list(User.objects.filter(pk__in=[huge])) == []
    assert list(User.objects.filter(pk__in=[huge, user.pk])) == [user]
    assert list(User.objects.filter(pk__in=[-huge])) == []
    assert User.objects.exclude(pk__in=[huge]).count() == 1
