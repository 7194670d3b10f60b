"""Text as people type and paste it: Thai digits read as digits, and what the eye cannot see
is not kept."""

from functools import cache

from django.utils import translation

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Zero-width characters arrive with Thai text copied from web pages and break comparisons
# (a name of zero-width spaces looks blank but is not empty); control characters such as NUL
# cannot be stored in PostgreSQL text at all. Tabs and line breaks are spaces, kept. Direction
# marks and overrides turn the rest of a line around on the pages that show the text; soft
# hyphens and blank-looking letters (Hangul fillers, the empty Braille cell) show nothing.
INVISIBLE: dict[int, None] = {
    code: None
    for code in [
        *map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f\u061c\u180e"),
        *range(0x200E, 0x2010),  # left-to-right and right-to-left marks
        *range(0x202A, 0x202F),  # embeddings and overrides
        *range(0x2061, 0x2065),  # invisible operators
        *range(0x2066, 0x206A),  # isolates
        *map(ord, "\u115f\u1160\u3164\uffa0\u2800"),
        *range(0x20),
        0x7F,
    ]
    if not chr(code).isspace()
}


def visible(text: str) -> str:
    """The text without invisible characters, trimmed: "" when nothing could be seen."""
    return text.translate(INVISIBLE).strip()


@cache
def said_in_both(msgid: str) -> tuple[str, str]:
    """A msgid as Thai and English pages say it."""
    said = []
    for language in ("th", "en"):
        with translation.override(language):
            said.append(translation.gettext(msgid))
    return said[0], said[1]


def written_by_carenet(text: str, msgids: tuple[str, ...]) -> str:
    """Text Carenet stored in the language of whoever acted ("Registered"), in the page's
    language when it is one of `msgids`; any other text (typed by someone) as it is."""
    for msgid in msgids:
        if text in said_in_both(msgid):
            return translation.gettext(msgid)
    return text
