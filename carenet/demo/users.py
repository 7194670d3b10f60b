"""The demo logins. Their names and scopes are stable: checks and docs rely on them."""

from dataclasses import dataclass

from django.db import transaction

from carenet.accounts.models import Role, User
from carenet.accounts.services import assignment_grant, user_create
from carenet.areas.models import Area

DEMO_PASSWORD = "carenet-demo"  # noqa: S105 - public by design, demo mode only


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    area_code: str | None
    first_name: str
    last_name: str
    who: str


DEMO_LOGINS = [
    DemoLogin("admin", Role.NATIONAL_ADMIN, None, "ผู้ดูแล", "ระบบ", "national admin"),
    DemoLogin("chumphon", Role.PROVINCIAL_OFFICER, "86", "สมศรี", "ใจดี", "provincial officer, ชุมพร"),
    DemoLogin(
        "mueang",
        Role.CENTRE_COORDINATOR,
        "8601",
        "ประเสริฐ",
        "รักถิ่น",
        "district coordinator, เมืองชุมพร",
    ),
    DemoLogin(
        "tambon",
        Role.CENTRE_COORDINATOR,
        "860101",
        "สมชาย",
        "ทองดี",
        "subdistrict centre coordinator, ต.ท่าตะเภา (checks requests first)",
    ),
    DemoLogin("volunteer", Role.VOLUNTEER, "860101", "มาลี", "ศรีสุข", "volunteer, ต.ท่าตะเภา"),
    DemoLogin("auditor", Role.AUDITOR, None, "ผู้ตรวจ", "สอบ", "auditor, read-only, whole country"),
]


@transaction.atomic
def demo_users_ensure() -> list[DemoLogin]:
    """Creates the demo users, or resets their password and scope. Safe to run again."""
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=login.username,
                password=DEMO_PASSWORD,
                first_name=login.first_name,
                last_name=login.last_name,
                is_demo=True,
            )
        else:
            user.set_password(DEMO_PASSWORD)
            user.is_active, user.is_demo = True, True
            user.save(update_fields=["password", "is_active", "is_demo"])
        area = Area.objects.get(code=login.area_code) if login.area_code else None
        assignment_grant(actor=None, user=user, role=login.role, area=area)
    return DEMO_LOGINS
