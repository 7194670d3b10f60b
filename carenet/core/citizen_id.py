"""Thai citizen IDs (เลขประจำตัวประชาชน): checking, encryption, lookup and redaction.

An ID is 13 digits; the last is a checksum of the first twelve. People type them with dashes or
spaces (1-2345-67890-12-1) and sometimes in Thai digits, so `normalize` accepts all of those.

An ID is never stored in clear. `encrypt` seals it with AES-GCM under CARENET_CITIZEN_ID_KEY; a
row finds its ID again only through `decrypt`. To look a person up by ID, the database holds
`lookup_hash`, an HMAC of the ID under a key derived from the same secret: equal IDs give equal
hashes, but the hash cannot be reversed without the key.

The plaintext must not reach logs, URLs or error pages: `RedactCitizenIDs` masks anything that
looks like an ID in log records, and `CitizenIDReporterFilter` does the same on Django's error
reports.
"""

import base64
import hashlib
import hmac
import logging
import os
import re
import unicodedata
from functools import cache
from operator import mul
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.defaultfilters import pprint
from django.utils.translation import gettext_lazy as _
from django.views.debug import SafeExceptionReporterFilter

from carenet.core.text import INVISIBLE, THAI_DIGITS

# Dashes as word processors and PDFs write them too: en and em dashes, hyphens of Unicode.
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
_SEPARATORS = re.compile(rf"[\s{_DASHES}.]")
# 13 digits, possibly grouped 1-4-5-2-1 with dashes (of any kind, spaced or not), spaces or
# dots, not inside a longer number.
LOOKS_LIKE_ID = re.compile(rf"(?<!\d)\d(?:(?:\s*[{_DASHES}.]\s*|\s)?\d){{12}}(?!\d)")
# The same in a logged address too: Thai and full-width digits percent-encoded (๐ is
# %E0%B9%90, ０ %EF%BC%90), spaces as "+" or %20, dashes as %2D, dots as themselves or %2E.
_URL_DIGIT = r"(?:\d|%E0%B9%9\d|%EF%BC%9\d)"
_URL_SEPARATOR = r"(?:[\s+.-]|%20|%2D|%2E|%E2%80%9[0-4]|%E2%88%92)"
# Not inside a longer number, but right after an encoded space or dash ("?q=นาย%20519..."):
# the 0 of %20 is no digit of the number.
_LOGGED_START = r"(?:(?<!\d)|(?<=%20)|(?<=%2D))"
LOGGED_ID = re.compile(
    rf"{_LOGGED_START}{_URL_DIGIT}(?:{_URL_SEPARATOR}{{0,3}}{_URL_DIGIT}){{12}}(?!\d)",
    re.IGNORECASE,
)
REDACTED = "[citizen-id]"
# A passport no. (one or two letters, then 6 to 8 digits): personal data too, kept out of
# addresses and logs the same way.
# One or two letters, then 6 to 8 digits, in groups as people type them: N01234567,
# N0123-4567, n0123 4567.
LOOKS_LIKE_PASSPORT = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{1,2}[\s-]?(?:\d[\s-]?){5,7}\d(?![A-Za-z0-9])"
)
REDACTED_DOCUMENT = "[document-no]"
# A phone number searched for (?q=089-111-2222, q=%2B66+89...): the search is moved out of the
# address (core.id_search), but the request that typed it is logged first.
LOGGED_PHONE_SEARCH = re.compile(
    rf"(?<=[?&]q=)(?:%2B66|0|%E0%B9%90)(?:{_URL_SEPARATOR}*{_URL_DIGIT}){{8,9}}(?!\d)",
    re.IGNORECASE,
)
REDACTED_PHONE = "[phone]"


_WEIGHTS = tuple(range(13, 1, -1))
_ZERO_TOTAL = ord("0") * sum(_WEIGHTS)


def checksum_digit(first_twelve: str) -> int:
    """The check digit of twelve ASCII digits: 11 minus their weighted sum (weights 13 to 2),
    modulo 11, last digit. Weighing the character codes saves an int() per digit."""
    total = sum(map(mul, first_twelve.encode(), _WEIGHTS)) - _ZERO_TOTAL
    return (11 - total % 11) % 10


def without_separators(raw: str) -> str:
    """What was typed, in ASCII digits, without the dashes, spaces and dots of its grouping."""
    text = str(raw)
    if not text.isascii():  # Thai or full-width digits, characters that show nothing
        text = unicodedata.normalize("NFKC", text).translate(THAI_DIGITS).translate(INVISIBLE)
    return _SEPARATORS.sub("", text)


def has_valid_checksum(digits: str) -> bool:
    """13 ASCII digits whose last is the check digit of the first twelve."""
    return (
        len(digits) == 13
        and digits.isascii()
        and digits.isdigit()
        and checksum_digit(digits[:12]) == int(digits[12])
    )


def card_normalize(raw: str) -> str:
    """The 13 digits of a typed non-Thai ID card (บัตรชมพู), or ValidationError with the
    reason. Such a card is numbered and checked as a citizen ID is, but may start with 0."""
    digits = without_separators(raw)
    if not (digits.isascii() and digits.isdigit()) or len(digits) != 13:
        raise ValidationError(_("A pink card number has 13 digits."), code="card_length")
    if not has_valid_checksum(digits):
        raise ValidationError(
            _("This pink card number is not valid: its check digit does not match."),
            code="card_checksum",
        )
    return digits


def normalize(raw: str) -> str:
    """Returns the 13 digits of a typed ID, or raises ValidationError with the reason in Thai."""
    digits = without_separators(raw)
    if not (digits.isascii() and digits.isdigit()) or len(digits) != 13:
        raise ValidationError(_("A citizen ID has 13 digits."), code="citizen_id_length")
    if digits[0] == "0":
        raise ValidationError(_("A citizen ID cannot start with 0."), code="citizen_id_leading")
    if checksum_digit(digits[:12]) != int(digits[12]):
        raise ValidationError(
            _("This citizen ID is not valid: its check digit does not match."),
            code="citizen_id_checksum",
        )
    return digits


def is_valid(raw: str) -> bool:
    try:
        normalize(raw)
    except ValidationError:
        return False
    return True


def formatted(digits: str) -> str:
    """1234567890121 -> 1-2345-67890-12-1, the way the ID card prints it."""
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def masked(digits: str) -> str:
    """Shows only the last four digits: x-xxxx-xxxxx-12-1."""
    return f"x-xxxx-xxxxx-{digits[10:12]}-{digits[12]}" if len(digits) == 13 else ""


Keys = tuple[AESGCM, Any]  # the cipher, and the keyed HMAC each lookup hash copies


def derive_keys(key: str, name: str = "CARENET_CITIZEN_ID_KEY") -> Keys:
    """The two keys a citizen-ID key (base64 of 32 bytes) gives."""
    try:
        secret = base64.b64decode(key, validate=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be base64") from error
    if len(secret) != 32:
        raise ImproperlyConfigured(f"{name} must decode to 32 bytes")
    encryption_key = hmac.new(secret, b"carenet citizen-id encryption", hashlib.sha256).digest()
    lookup_key = hmac.new(secret, b"carenet citizen-id lookup", hashlib.sha256).digest()
    # Keyed once: each hash copies it (a copy costs less than keying anew, a million times).
    return AESGCM(encryption_key), hmac.new(lookup_key, digestmod=hashlib.sha256)


@cache
def _keys() -> Keys:
    return derive_keys(settings.CITIZEN_ID_KEY)


def encrypt(digits: str, keys: Keys | None = None) -> str:
    nonce = os.urandom(12)
    sealed = (keys or _keys())[0].encrypt(nonce, digits.encode(), None)
    return base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    data = base64.b64decode(token)
    return _keys()[0].decrypt(data[:12], data[12:], None).decode()


def lookup_hash(digits: str, keys: Keys | None = None) -> str:
    keyed = (keys or _keys())[1].copy()
    keyed.update(digits.encode())
    return keyed.hexdigest()


def redact(text: str) -> str:
    text = LOGGED_PHONE_SEARCH.sub(REDACTED_PHONE, text)
    return LOOKS_LIKE_PASSPORT.sub(REDACTED_DOCUMENT, LOGGED_ID.sub(REDACTED, text))


def looks_like_id_or_passport(text: str) -> bool:
    return bool(LOOKS_LIKE_ID.search(text) or LOOKS_LIKE_PASSPORT.search(text))


def mask_all(text: str) -> str:
    """`text` with everything shaped like an ID `masked`: its last three digits still tell
    which ID it was to whoever holds the file it came from."""
    return LOOKS_LIKE_ID.sub(lambda found: masked(_SEPARATORS.sub("", found.group())), text)


# A phone number as typed into a search: 0 or +66, then 8 or 9 digits, grouped any way.
_TYPED_PHONE = re.compile(r"(?<!\d)(?:\+66|0)(?:[\s\-–.]?\d){8,9}(?!\d)")


def mask_searched(text: str) -> str:
    """A search as the audit log keeps it: IDs `masked`, a phone number with only its last
    SHOWN_DIGITS digits; names and case numbers as typed."""
    return _TYPED_PHONE.sub(lambda found: _masked_digits(found.group()), mask_all(text))


# In a cell typed as a citizen ID: an ID, else any run of digits (with the dashes, spaces or
# dots people group them with), whatever its length.
_TYPED_ID = re.compile(rf"{LOOKS_LIKE_ID.pattern}|\d(?:[\s\-–.]?\d)*")
SHOWN_DIGITS = 3


def mask_typed(text: str) -> str:
    """A cell typed as a citizen ID (or a list of them) masked whatever it holds: an ID as
    `masked`, and a number of another length (a digit missed or one too many) with only its
    last SHOWN_DIGITS digits, which still tell the clerk which one it was."""
    return _TYPED_ID.sub(lambda found: _masked_digits(found.group()), text)


def _masked_digits(typed: str) -> str:
    digits = _SEPARATORS.sub("", typed)
    if len(digits) == 13:
        return masked(digits)
    hidden = len(digits) - SHOWN_DIGITS
    shown = []
    for char in typed:
        if char.isdigit() and hidden > 0:
            char, hidden = "x", hidden - 1
        shown.append(char)
    return "".join(shown)


class RedactCitizenIDs(logging.Filter):
    """Logging filter: masks anything shaped like a citizen ID in the message, its arguments,
    and the traceback or stack printed with it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        # An exception's message can quote what the user typed. Formatting the traceback here
        # and storing it as exc_text makes every handler print the redacted text instead.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _Redacted:
    """Stands in for a traceback variable whose printed form held an ID: prints the masked form."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class CitizenIDReporterFilter(SafeExceptionReporterFilter):
    """Error reports hide citizen-ID fields and anything shaped like an ID."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CITIZEN", flags=re.IGNORECASE
    )

    def get_post_parameters(self, request: Any) -> Any:
        params = super().get_post_parameters(request)
        if request is None or not params:
            return params
        cleaned = params.copy()
        for key in cleaned:
            values = cleaned.getlist(key) if hasattr(cleaned, "getlist") else [cleaned[key]]
            if "citizen" in key.lower() or any(LOOKS_LIKE_ID.search(str(v)) for v in values):
                cleaned[key] = self.cleansed_substitute
        return cleaned

    def get_safe_request_meta(self, request: Any) -> Any:
        return {
            key: redact(value) if isinstance(value, str) else value
            for key, value in super().get_safe_request_meta(request).items()
        }

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        return [
            (name, self._redacted_variable(value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    @staticmethod
    def _redacted_variable(value: Any) -> Any:
        if isinstance(value, str):
            return redact(value)
        # Dicts, forms and requests print their contents; mask what they print.
        shown = pprint(value)
        cleaned = redact(shown)
        return value if cleaned == shown else _Redacted(cleaned)
