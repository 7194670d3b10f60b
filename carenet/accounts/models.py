"""Users, their roles, and where each role applies (see access.py for what it all means)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from carenet.areas.models import Area


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("volunteer (อพม.)")
    CENTRE_COORDINATOR = "coordinator", _("centre coordinator")
    PROVINCIAL_OFFICER = "provincial_officer", _("provincial officer")
    NATIONAL_ADMIN = "national_admin", _("national admin")
    AUDITOR = "auditor", _("auditor")


class User(AbstractUser):
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Demo users exist only in demo mode; a production process refuses to start while any remain.
    is_demo = models.BooleanField(_("demo user"), default=False)
    # Set when someone else chose the password (a centre making or resetting a login): its
    # owner chooses their own at the next sign-in, so that what is done under the login is
    # theirs alone (accounts.middleware.PasswordChosenMiddleware).
    must_change_password = models.BooleanField(_("must choose a new password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AreaAssignment(models.Model):
    """A role granted to a user at an area; it applies to everything inside that area.

    An assignment with no area applies to the whole country (national admin, auditor).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("area assignment")
        verbose_name_plural = _("area assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "area", "role"], name="assignment_unique_per_area_role"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(area__isnull=True),
                name="assignment_unique_national_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area or _('Thailand')}"
