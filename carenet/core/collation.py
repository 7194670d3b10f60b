"""Thai dictionary order for names, in the database.

Ordered by code point, every name that starts with a leading vowel (เ แ โ ใ ไ) comes after
every name that starts with a consonant: เกษม after ฮ. A Thai reader looks for เกษม under ก.
`thai_order("first_name", "last_name")` gives ORDER BY terms that sort as a Thai dictionary
does: on PostgreSQL with ICU's Thai collation, on SQLite with a collation each connection gets
from `register_sqlite_collation` (pythainlp's dictionary key).
"""

from functools import lru_cache
from typing import Any

from django.db.models import F
from django.db.models.functions import Collate
from pythainlp.util.collate import _thkey  # the key pythainlp.util.collate sorts with

POSTGRESQL_COLLATION = "th-TH-x-icu"
SQLITE_COLLATION = "thai"


class ThaiOrder(Collate):
    """`expression COLLATE <Thai>`, the collation named as each database knows it."""

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, SQLITE_COLLATION)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        extra_context.setdefault("collation", connection.ops.quote_name(POSTGRESQL_COLLATION))
        return self.as_sql(compiler, connection, **extra_context)


def thai_order(*fields: str) -> list[Any]:
    """ORDER BY terms for text fields, in Thai dictionary order ("-field" for descending)."""
    terms = []
    for field in fields:
        descending = field.startswith("-")
        term = ThaiOrder(F(field.lstrip("-")))
        terms.append(term.desc() if descending else term.asc())
    return terms


@lru_cache(maxsize=65_536)
def _key(text: str) -> str:
    return _thkey(text)


def _compare(left: str, right: str) -> int:
    a, b = _key(left), _key(right)
    if a == b:  # the same in dictionary order (tone marks aside): code points decide
        a, b = left, right
    return (a > b) - (a < b)


def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: gives a new SQLite connection the Thai collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)
