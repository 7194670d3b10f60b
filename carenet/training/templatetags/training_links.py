"""{% optional_url %}: a link to a page that may not exist yet.

The training pages link to pages that other parts of the app provide (check-in, tests,
certificates). `{% optional_url "training:badges" event.pk as href %}` gives "" when that URL name
is not installed, so the template shows the link only when there is somewhere to go.
"""

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
