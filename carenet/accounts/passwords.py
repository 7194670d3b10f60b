"""A password rule Django's own validators leave out: what anyone would type first.

Django refuses passwords too like the username, too short, common or all digits, yet takes
ten spaces (which look like no password at all on a shared office PC), and the username, the
user's own name or the site's name with digits after it ("mueang2569", "กัญญา ทองดี 2569",
"carenet-demo1").
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

GUESSED_WORDS = ("carenet",)


class GuessablePasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip():
            raise ValidationError(
                _("The password is only spaces. Use letters, digits or signs."),
                code="password_blank",
            )
        folded = password.casefold()
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= 3 and username in folded:
            raise ValidationError(
                _("The password contains the username: anyone would try it first."),
                code="password_has_username",
            )
        names = (getattr(user, "first_name", ""), getattr(user, "last_name", ""))
        if any(len(name) >= 3 and name.casefold() in folded for name in names if name):
            raise ValidationError(
                _("The password contains your name: anyone who knows you would try it."),
                code="password_has_name",
            )
        for word in GUESSED_WORDS:
            if word in folded:
                raise ValidationError(
                    _("The password contains “%(word)s”, the system's name: anyone would try it.")
                    % {"word": word},
                    code="password_has_site_name",
                )

    def get_help_text(self) -> str:
        return _("It must not contain your name, your username or the word “carenet”.")
