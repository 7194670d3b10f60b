"""Factories for case tests, shared by every cases test module: append, do not reorder."""

from datetime import timedelta
from typing import Any, cast

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from carenet.accounts.models import AreaAssignment, Role, User
from carenet.accounts.tests.factories import UserFactory
from carenet.cases.models import (
    Agency,
    AgencyKind,
    Case,
    CaseCategory,
    CaseStatus,
    Referral,
    ReferralStatus,
)
from carenet.households.tests.factories import PersonFactory


class CaseFactory(DjangoModelFactory[Case]):
    """A draft request for a person in 86010101 (ท่าตะเภา หมู่ 1). Pass filed_by."""

    class Meta:
        model = Case

    person = factory.SubFactory(PersonFactory)
    household = factory.LazyAttribute(lambda o: o.person.household)
    area_id = factory.LazyAttribute(lambda o: o.household.area_id)
    category = factory.LazyFunction(lambda: CaseCategory.objects.get(code="poverty"))
    number = factory.Sequence(lambda n: f"T-{n + 1:06d}")
    help_wanted = "ขอรับเงินสงเคราะห์ค่าครองชีพ"
    status = CaseStatus.DRAFT
    urgent = factory.LazyAttribute(lambda o: o.category.urgency == "urgent")
    sensitive = factory.LazyAttribute(lambda o: o.category.sensitive)


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    area_id = "86"
    kind = AgencyKind.LOCAL_GOVERNMENT
    name = factory.Sequence(lambda n: f"องค์การบริหารส่วนตำบลทดสอบ {n + 1}")
    head_title = "นายกองค์การบริหารส่วนตำบล"


class ReferralFactory(DjangoModelFactory[Referral]):
    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    area_id = factory.LazyAttribute(lambda o: o.case.area_id)
    agency = factory.SubFactory(AgencyFactory)
    need = "ซ่อมแซมบ้าน"
    status = ReferralStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.LazyFunction(timezone.now)
    answer_due = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=7)).date())


def subdistrict_reviewer(area_code: str = "860101", **kwargs: Any) -> User:
    """A subdistrict-level volunteer who checks requests (a centre coordinator there)."""
    user = cast(User, UserFactory(**kwargs))
    AreaAssignment.objects.create(user=user, role=Role.CENTRE_COORDINATOR, area_id=area_code)
    return user
