import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from carenet.accounts.models import User
from carenet.areas.models import Area
from carenet.areas.services import areas_load_from_geothai
from carenet.core.people import Sex, name_key
from carenet.demo.cases import build_cases
from carenet.demo.chumphon import (
    DEMO_VOLUNTEER_VILLAGE,
    build_chumphon,
    demo_volunteer,
    give_centres_phones,
)
from carenet.demo.fieldwork import build_fieldwork
from carenet.demo.training import build_training
from carenet.demo.users import DEMO_PASSWORD, demo_users_ensure
from carenet.volunteers.models import Volunteer, VolunteerStatus


class Command(BaseCommand):
    help = "Build the Chumphon demo (demo mode only). Running it again is safe and quick."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("The demo runs only in demo mode: set CARENET_DEMO=true.")
        started = time.monotonic()
        if not Area.objects.filter(code="86").exists():
            areas_load_from_geothai()
        counts = build_chumphon()
        logins = demo_users_ensure()
        link_demo_volunteer()
        link_subdistrict_volunteer()
        registry_done = time.monotonic()
        # A year of visits by those volunteers; it needs the logins (the `volunteer` login's
        # visits are recorded by them, `mueang` acknowledges some).
        work = build_fieldwork()
        fieldwork_done = time.monotonic()
        # Requests for help from those households and visits, up the review chain and beyond.
        cases = build_cases()
        cases_done = time.monotonic()
        # Trainings: the 26 ก.พ. 2568 workshop and the events around it, for the coverage report.
        training = build_training()
        give_centres_phones()  # the subdistrict centres are the training's
        self.stdout.write(
            f"Chumphon demo: {counts.villages} villages, {counts.volunteers} volunteers, "
            f"{counts.households} households, {counts.people} people "
            f"({registry_done - started:.0f} s)"
        )
        self.stdout.write(
            f"Field work: {work.visits} visits, {work.assessments} assessments, "
            f"{work.concerns} concerns, {work.acknowledged} acknowledged; "
            f"{work.overdue} households overdue, {work.never_visited} never visited, "
            f"{work.inactive_volunteers} volunteers inactive "
            f"({fieldwork_done - registry_done:.0f} s)"
        )
        self.stdout.write(
            f"Cases: {cases.cases} requests ({cases.in_review} in review, {cases.accepted} being "
            f"worked on, {cases.closed} closed, {cases.declined} declined, {cases.drafts} drafts, "
            f"{cases.returned} sent back), {cases.referrals} referrals, "
            f"{cases.assistance} assistance, {cases.agencies} agencies "
            f"({cases_done - fieldwork_done:.0f} s)"
        )
        self.stdout.write(
            f"Training: {training.events} events, {training.invitations} invitations, "
            f"{training.attendance} check-ins, {training.attempts} tests taken, "
            f"{training.evaluations} evaluations, {training.certificates} certificates, "
            f"{training.grants} competencies granted, {training.awards} award nominations; "
            f"{training.centres} subdistrict centres with {training.seats} committee seats "
            f"({time.monotonic() - cases_done:.0f} s)"
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.who}")


def _link(user: User, volunteer: Volunteer, title: str, sex: str) -> None:
    """The login and the volunteer record are the same person: one name on both."""
    volunteer.user = user
    volunteer.title, volunteer.first_name, volunteer.last_name = (
        title,
        user.first_name,
        user.last_name,
    )
    volunteer.name_key = name_key(user.first_name, user.last_name)
    volunteer.sex = sex
    volunteer.save(update_fields=["user", "title", "first_name", "last_name", "name_key", "sex"])


@transaction.atomic
def link_demo_volunteer() -> None:
    user = User.objects.get(username="volunteer")
    volunteer = demo_volunteer()
    if volunteer is not None and volunteer.user_id is None:
        _link(user, volunteer, "นาง", Sex.FEMALE)


@transaction.atomic
def link_subdistrict_volunteer() -> None:
    """The `tambon` login is an อพม. of ต.ท่าตะเภา as well: another active volunteer of the
    subdistrict (not the `volunteer` login's) becomes them."""
    user = User.objects.get(username="tambon")
    if Volunteer.objects.filter(user=user).exists():
        return
    ours = demo_volunteer()
    volunteer = (
        Volunteer.objects.filter(
            area_id=DEMO_VOLUNTEER_VILLAGE[:6], status=VolunteerStatus.ACTIVE, user__isnull=True
        )
        .exclude(pk=ours.pk if ours is not None else 0)
        .order_by("pk")
        .first()
    )
    if volunteer is not None:
        _link(user, volunteer, "นาย", Sex.MALE)
