"""Text as people type and paste it: Thai digits read as digits, and what the eye cannot see
is not kept."""

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Zero-width characters arrive with Thai text copied from web pages and break comparisons
# (a name of zero-width spaces looks blank but is not empty); control characters such as NUL
# cannot be stored in PostgreSQL text at all. Tabs and line breaks are spaces, kept.
INVISIBLE: dict[int, None] = {
    code: None
    for code in [*map(ord, "\u200b\u200c\u200d\u2060\ufeff"), *range(0x20), 0x7F]
    if not chr(code).isspace()
}


def visible(text: str) -> str:
    """The text without invisible characters, trimmed: "" when nothing could be seen."""
    return text.translate(INVISIBLE).strip()
