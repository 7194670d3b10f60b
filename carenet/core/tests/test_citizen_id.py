"""Citizen IDs: checksum, encryption and lookup, and keeping them out of logs and error pages."""

import logging
import sys

import pytest
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import RequestFactory
from django.utils import translation
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter

from carenet.core import citizen_id
from carenet.core.citizen_id import CitizenIDReporterFilter, RedactCitizenIDs

VALID = "1234567890121"
OTHER_VALID = "3100600123450"
DASHED = "1-2345-67890-12-1"
SPACED = "1 2345 67890 12 1"
THAI_DIGITS = "๑๒๓๔๕๖๗๘๙๐๑๒๑"


# Checking -------------------------------------------------------------------------------------


def test_check_digit():
    assert citizen_id.checksum_digit("123456789012") == 1
    assert citizen_id.checksum_digit("310060012345") == 0
    assert citizen_id.checksum_digit("110170020345") == 0


@pytest.mark.parametrize(
    "typed",
    [VALID, DASHED, SPACED, THAI_DIGITS, "๑-๒๓๔๕-๖๗๘๙๐-๑๒-๑", f"  {VALID}  ", "1–2345–67890–12–1"],
)
def test_normalize_accepts_the_ways_people_type_an_id(typed):
    assert citizen_id.normalize(typed) == VALID


def test_normalize_accepts_other_valid_ids():
    assert citizen_id.normalize(OTHER_VALID) == OTHER_VALID
    assert citizen_id.normalize("1101700203450") == "1101700203450"


@pytest.mark.parametrize("typed", ["123456789012", "12345678901212", "", "abc", "12345678901x1"])
def test_wrong_length_or_letters_are_refused(typed):
    with pytest.raises(ValidationError) as error:
        citizen_id.normalize(typed)
    assert error.value.code == "citizen_id_length"


def test_digits_of_other_scripts_are_refused():
    # Thai and full-width digits are read as digits (see below); Arabic-Indic ones are not.
    for typed in ["١٢٣٤٥٦٧٨٩٠١٢١"]:
        with pytest.raises(ValidationError) as error:
            citizen_id.normalize(typed)
        assert error.value.code == "citizen_id_length"


@pytest.mark.parametrize("typed", ["1234567890122", "1234567890120", "3100600123451"])
def test_wrong_check_digit_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        citizen_id.normalize(typed)
    assert error.value.code == "citizen_id_checksum"
    with translation.override("en"):
        assert "check digit" in str(error.value.message)


def test_leading_zero_is_refused_even_with_a_good_check_digit():
    assert citizen_id.checksum_digit("012345678901") == 6
    with pytest.raises(ValidationError) as error:
        citizen_id.normalize("0123456789016")
    assert error.value.code == "citizen_id_leading"


def test_is_valid():
    assert citizen_id.is_valid(DASHED)
    assert not citizen_id.is_valid("1234567890122")
    assert not citizen_id.is_valid("")


def test_formatted_and_masked():
    assert citizen_id.formatted(VALID) == DASHED
    assert citizen_id.masked(VALID) == "x-xxxx-xxxxx-12-1"
    assert citizen_id.masked("") == ""


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1234567890121", "x-xxxx-xxxxx-12-1"),
        ("124599568230", "xxxxxxxxx230"),  # a digit missed: still most of an ID
        ("1-2459-95682-30", "x-xxxx-xxxx2-30"),
        ("12345678901234", "xxxxxxxxxxx234"),
        ("1234567890121, 124599568230", "x-xxxx-xxxxx-12-1, xxxxxxxxx230"),
        ("ไม่ทราบ", "ไม่ทราบ"),
    ],
)
def test_a_cell_typed_as_a_citizen_id_is_masked_whatever_its_length(typed, shown):
    assert citizen_id.mask_typed(typed) == shown


# Encryption and lookup ------------------------------------------------------------------------


def test_encrypt_decrypt_round_trip():
    assert citizen_id.decrypt(citizen_id.encrypt(VALID)) == VALID


def test_ciphertext_differs_each_time_and_hides_the_digits():
    first, second = citizen_id.encrypt(VALID), citizen_id.encrypt(VALID)
    assert first != second
    for token in (first, second):
        assert VALID not in token
        assert VALID[:6] not in token


def test_tampered_ciphertext_is_refused():
    token = citizen_id.encrypt(VALID)
    tampered = ("A" if token[0] != "A" else "B") + token[1:]
    with pytest.raises(InvalidTag):
        citizen_id.decrypt(tampered)


def test_lookup_hash_is_equal_for_equal_ids_and_hides_the_digits():
    digest = citizen_id.lookup_hash(VALID)
    assert digest == citizen_id.lookup_hash(citizen_id.normalize(DASHED))
    assert digest != citizen_id.lookup_hash(OTHER_VALID)
    assert len(digest) == 64
    assert VALID not in digest
    assert VALID[-6:] not in digest


def test_lookup_hash_is_the_hmac_stored_hashes_were_made_with():
    """Stored hashes must still be found: HMAC-SHA256 of the digits, keyed from the secret."""
    import base64
    import hashlib
    import hmac

    secret = base64.b64decode(settings.CITIZEN_ID_KEY)
    key = hmac.new(secret, b"carenet citizen-id lookup", hashlib.sha256).digest()
    for digits in (VALID, OTHER_VALID, VALID):  # the keyed state is copied, never changed
        assert (
            citizen_id.lookup_hash(digits) == hmac.new(key, digits.encode(), "sha256").hexdigest()
        )


def test_lookup_hash_is_keyed_not_a_plain_hash():
    import hashlib

    assert citizen_id.lookup_hash(VALID) != hashlib.sha256(VALID.encode()).hexdigest()


@pytest.fixture
def fresh_keys():
    citizen_id._keys.cache_clear()
    yield
    citizen_id._keys.cache_clear()


@pytest.mark.parametrize("bad_key", ["not base64!", "c2hvcnQ="])
def test_a_bad_key_is_a_configuration_error(settings, fresh_keys, bad_key):
    settings.CITIZEN_ID_KEY = bad_key
    with pytest.raises(ImproperlyConfigured):
        citizen_id.encrypt(VALID)


def test_another_key_cannot_read_or_find_the_id(settings, fresh_keys):
    token, digest = citizen_id.encrypt(VALID), citizen_id.lookup_hash(VALID)
    settings.CITIZEN_ID_KEY = "b3RoZXItY2l0aXplbi1pZC1rZXktMzItYnl0ZXMhISE="
    citizen_id._keys.cache_clear()
    assert citizen_id.lookup_hash(VALID) != digest
    with pytest.raises(InvalidTag):
        citizen_id.decrypt(token)


# Logs -----------------------------------------------------------------------------------------


@pytest.fixture
def redacting_caplog(caplog):
    caplog.handler.addFilter(RedactCitizenIDs())
    caplog.set_level(logging.INFO, logger="carenet.test")
    return caplog


@pytest.mark.parametrize("shown", [VALID, DASHED, SPACED, THAI_DIGITS])
def test_log_filter_masks_an_id_in_the_arguments(redacting_caplog, shown):
    logging.getLogger("carenet.test").info("looked up %s for %s", shown, "somchai")
    assert redacting_caplog.messages == ["looked up [citizen-id] for somchai"]
    assert shown not in redacting_caplog.text


def test_log_filter_masks_an_id_in_the_message_itself(redacting_caplog):
    logging.getLogger("carenet.test").warning(f"bad row: id={VALID}")
    assert redacting_caplog.messages == ["bad row: id=[citizen-id]"]


def test_log_filter_masks_an_id_in_a_traceback(redacting_caplog):
    try:
        raise ValueError(f"cannot save {VALID}")
    except ValueError:
        logging.getLogger("carenet.test").exception("saving failed")
    assert "saving failed" in redacting_caplog.text
    assert "cannot save [citizen-id]" in redacting_caplog.text
    assert VALID not in redacting_caplog.text


@pytest.mark.parametrize("joined", ["%20", "%2D", "+"])
def test_log_filter_masks_an_id_typed_after_a_word_in_a_logged_address(redacting_caplog, joined):
    """A gunicorn access line: "?q=นาย 5190641126891", the space percent-encoded."""
    line = f'"GET /households/?q=%E0%B8%99%E0%B8%B2%E0%B8%A2{joined}{VALID} HTTP/1.1" 302'
    logging.getLogger("carenet.test").info(line)
    assert VALID not in redacting_caplog.text and "[citizen-id]" in redacting_caplog.text


def test_log_filter_leaves_other_numbers_alone(redacting_caplog):
    logging.getLogger("carenet.test").info("phone %s, case %s, big %s", "0812345678", 42, "1" * 14)
    assert redacting_caplog.messages == [f"phone 0812345678, case 42, big {'1' * 14}"]


def test_logging_configuration_uses_the_filter():
    for handler in settings.LOGGING["handlers"].values():
        filters = [settings.LOGGING["filters"][name]["()"] for name in handler["filters"]]
        assert "carenet.core.citizen_id.RedactCitizenIDs" in filters


def test_request_lines_of_the_development_server_are_masked():
    # runserver logs each request line; a search typed as an ID would carry it.
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"GET /?q=%s HTTP/1.1" 302',
        ("1234567890121",),
        None,
    )
    for handler in logging.getLogger("django.server").handlers:
        assert handler.filter(record)
    assert record.getMessage() == '"GET /?q=[citizen-id] HTTP/1.1" 302'


# Error reports --------------------------------------------------------------------------------


def test_error_reports_use_the_citizen_id_filter():
    assert isinstance(get_default_exception_reporter_filter(), CitizenIDReporterFilter)


def failing_view(data: dict[str, str], typed_id: str) -> None:
    raise RuntimeError("something broke")


def technical_500(request) -> str:
    try:
        failing_view({"citizen_id": VALID, "name": "สมชาย"}, DASHED)
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    return reporter.get_traceback_html() + reporter.get_traceback_text()


@pytest.mark.parametrize("debug", [True, False])
def test_technical_500_page_hides_citizen_ids(settings, debug):
    settings.DEBUG = debug
    request = RequestFactory().post(
        "/households/new/",
        {
            "citizen_id": "123",  # a citizen_id field is hidden whatever it holds
            "note": f"บัตรประชาชน {DASHED}",
            "name": "สมชาย ใจดี",
        },
        HTTP_REFERER=f"https://carenet.example/search?q={VALID}",
    )
    page = technical_500(request)
    assert "something broke" in page
    assert "สมชาย ใจดี" in page
    for shown in (VALID, DASHED, "บัตรประชาชน"):
        assert shown not in page
    assert "[citizen-id]" in page


def test_reporter_filter_post_parameters():
    request = RequestFactory().post(
        "/", {"citizen_id": VALID, "spouse_citizen_id": "", "other": SPACED, "name": "x"}
    )
    params = CitizenIDReporterFilter().get_post_parameters(request)
    hidden = CitizenIDReporterFilter.cleansed_substitute
    assert params["citizen_id"] == hidden
    assert params["spouse_citizen_id"] == hidden
    assert params["other"] == hidden
    assert params["name"] == "x"
    assert request.POST["citizen_id"] == VALID  # the request itself is untouched


def test_reporter_filter_without_request_or_post():
    reporter_filter = CitizenIDReporterFilter()
    assert not reporter_filter.get_post_parameters(None)
    assert not reporter_filter.get_post_parameters(RequestFactory().get("/"))


def test_reporter_filter_hides_the_key_setting():
    safe = CitizenIDReporterFilter().get_safe_settings()
    assert safe["CITIZEN_ID_KEY"] == CitizenIDReporterFilter.cleansed_substitute


@pytest.mark.parametrize(
    "typed",
    [
        "1234567890121",
        "1-2345-67890-12-1",
        "๑๒๓๔๕๖๗๘๙๐๑๒๑",
        "1 2345 67890 12 1",
        "1.2345.67890.12.1",
        "１２３４５６７８９０１２１",  # full-width, from a phone's other keyboard
        "1–2345–67890–12–1",  # en dashes, as a word processor writes them
        "1 - 2345 - 67890 - 12 - 1",
        "1\u20102345\u201067890\u201012\u20101",
        "1\u22122345\u221267890\u221212\u22121",  # minus signs, copied from a PDF
    ],
)
def test_an_id_in_a_logged_address_is_masked_however_it_was_typed(typed):
    from urllib.parse import quote_plus

    line = f'"GET /households/?q={quote_plus(typed)}&page=2 HTTP/1.1" 302'
    assert citizen_id.redact(line) == '"GET /households/?q=[citizen-id]&page=2 HTTP/1.1" 302'


def test_full_width_digits_and_invisible_characters_are_read_as_the_id():
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in VALID)  # pasted from a PDF
    assert citizen_id.normalize(full_width) == VALID
    assert citizen_id.normalize("\u200b".join(VALID)) == VALID  # pasted from a chat


def test_the_form_field_does_not_count_what_cannot_be_seen():
    from carenet.core.forms import CitizenIDField

    assert CitizenIDField().clean("\u200b".join(DASHED) + "\u200b" * 10) == VALID


@pytest.mark.parametrize("typed", ["0891112222", "089-111-2222", "+66 89 111 2222", "๐๘๙๑๑๑๒๒๒๒"])
def test_a_phone_searched_for_is_masked_in_a_logged_address(typed):
    from urllib.parse import quote_plus

    line = f'"GET /households/?q={quote_plus(typed)}&page=2 HTTP/1.1" 302'
    assert citizen_id.redact(line) == '"GET /households/?q=[phone]&page=2 HTTP/1.1" 302'


def test_other_numbers_in_a_logged_address_are_left_alone():
    line = '"GET /households/?area=0891112222&q=82/7 HTTP/1.1" 200'
    assert citizen_id.redact(line) == line
