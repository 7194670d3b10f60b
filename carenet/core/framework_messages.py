"""Django's own messages that users see, but that Django's Thai catalogue leaves in English.

Listing them here puts them in Carenet's catalogue (locale/refresh.py extracts them), where
they get their Thai; Carenet's catalogue is read before Django's. Each string must be Django's
exactly, letter for letter: carenet/core/tests/test_translations.py shows them in Thai.
Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# Form fields and validators; Django's Thai for the first three reads as machine Thai
gettext_noop("This field is required.")
gettext_noop("Select a valid choice. %(value)s is not one of the available choices.")
gettext_noop("Select a valid choice. That choice is not one of the available choices.")
gettext_noop("Enter a valid integer.")
gettext_noop("Null characters are not allowed.")
gettext_noop("Enter a complete value.")
gettext_noop("“%(pk)s” is not a valid value.")
gettext_noop("Value %(value)r is not a valid choice.")
gettext_noop("%(model_name)s with this %(field_labels)s already exists.")
gettext_noop("That page contains no results")
gettext_noop("CSRF verification failed. Request aborted.")
ngettext_lazy(
    "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)
ngettext_lazy(
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)
ngettext_lazy(
    "Ensure that there are no more than %(max)s digit in total.",
    "Ensure that there are no more than %(max)s digits in total.",
    "max",
)
ngettext_lazy(
    "Ensure that there are no more than %(max)s decimal place.",
    "Ensure that there are no more than %(max)s decimal places.",
    "max",
)
ngettext_lazy(
    "Ensure that there are no more than %(max)s digit before the decimal point.",
    "Ensure that there are no more than %(max)s digits before the decimal point.",
    "max",
)

# Passwords (AUTH_PASSWORD_VALIDATORS and the password forms)
gettext_noop("Enter the same password as before, for verification.")
gettext_noop("The two password fields didn’t match.")
ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    8,
)
ngettext_lazy(
    "Your password must contain at least %(min_length)d character.",
    "Your password must contain at least %(min_length)d characters.",
    "min_length",
)
gettext_noop("The password is too similar to the %(verbose_name)s.")
gettext_noop("Your password can’t be too similar to your other personal information.")
gettext_noop("This password is too common.")
gettext_noop("Your password can’t be a commonly used password.")
gettext_noop("This password is entirely numeric.")
gettext_noop("Your password can’t be entirely numeric.")
