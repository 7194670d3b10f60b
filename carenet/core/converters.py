"""The `<id:pk>` of every address that names a record: digits that fit the database's key.

Django's `<int:>` takes any number of digits, and a number past the 64-bit key column made
some lookups fail with OverflowError (a 500) where a missing record is a 404."""

from django.urls import register_converter

# 18 digits: below 2**63, the largest key PostgreSQL and SQLite store.
ID_DIGITS = 18


class RecordIdConverter:
    regex = f"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    register_converter(RecordIdConverter, "id")
