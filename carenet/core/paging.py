"""The paginator of every list: Django's, but for a page number below 1.

Django's `get_page` sends any number past the ends to the last page, so a typed 0 or -3 opened
the last of 180 pages. Here a number below 1 opens the first, as people expect.
"""

from typing import Any

from django.core import paginator


class Paginator(paginator.Paginator):
    def get_page(self, number: Any) -> paginator.Page:
        try:
            if int(str(number).strip()) < 1:
                number = 1
        except ValueError:
            pass  # not a number: Django opens the first page
        return super().get_page(number)
