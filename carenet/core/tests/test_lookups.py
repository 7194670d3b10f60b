"""Integer `__in` with numbers past the column's range (carenet.core.lookups)."""

import pytest

from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_numbers_past_the_range_match_nothing_and_raise_nothing():
    event = AuditEvent.objects.create(action="test.event")
    huge = 10**22
    assert list(AuditEvent.objects.filter(pk__in=[huge])) == []
    assert list(AuditEvent.objects.filter(pk__in=[huge, event.pk])) == [event]
    assert list(AuditEvent.objects.filter(pk__in=[-huge])) == []
    assert AuditEvent.objects.exclude(pk__in=[huge]).count() == 1
