"""`__in` on integer columns, made safe for numbers past the column's range.

Since Django 5.0 an exact or range lookup with such a number matches nothing, but `__in` still
passes it on: SQLite then fails with OverflowError (a 500), where PostgreSQL just finds
nothing. Form fields that pick records by number (ModelMultipleChoiceField) filter with `__in`
on whatever was posted, so a 23-digit "id" was a server error. Here such numbers match nothing
on both databases.
"""

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerIn(In):
    lookup_name = "in"

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [value for value in self.rhs if _within(value, low, high)]
        return super().process_rhs(compiler, connection)


def _within(value: Any, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int):
        return True  # None and expressions: In handles them
    return (low is None or value >= low) and (high is None or value <= high)
