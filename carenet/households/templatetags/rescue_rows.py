"""The rows of the printable priority list (households/priority_list.html), written in Python.

The list is never paged (a rescue team prints it whole, up to rescue.RESCUE_CAP households), and
the template engine spent about 90 nodes a row on it: a district's list of a few thousand
households took seconds to draw. These functions write the same markup, with the same words,
in a fraction of the time. A household's address is written as households/_address.html
writes it elsewhere.
"""

from collections.abc import Iterable
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carenet.core import thaidate
from carenet.core.people import phone_shown
from carenet.volunteers.models import VolunteerStatus

register = template.Library()


@register.simple_tag
def rescue_rows(rows: Iterable[Any]) -> SafeString:
    labels = _Labels()
    return mark_safe("".join(_row(n, row, labels) for n, row in enumerate(rows, 1)))  # noqa: S308


class _Labels:
    """The words every row repeats, translated once a page."""

    def __init__(self) -> None:
        self.levels = {
            "high": _("High priority"),
            "medium": _("Medium priority"),
            "low": _("Low priority"),
        }
        self.score, self.map, self.no_gps = _("Priority score"), _("Map"), _("no GPS point")
        self.head, self.volunteer = _("Head"), _("Volunteer")
        self.no_phone, self.no_volunteer = _("No phone recorded"), _("No volunteer assigned")
        self.restricted = format_html(
            ' <span class="warn-text" data-testid="restricted">⚠ {}</span>',
            _("Consent withdrawn"),
        )


def _row(number: int, row: Any, labels: _Labels) -> str:
    h = row.household
    return format_html(
        '<li class="pl-row prio-edge-{level}" data-household="{pk}"><div class="pl-where">'
        '<span class="pl-n">{number}.</span> '
        '<span class="badge prio prio-{level}" data-testid="priority" '
        'title="{score_label} {score}">'
        "{level_label} · {score}</span> "
        '<a class="pl-addr" href="{url}">{address}</a>'
        '<div class="muted small">{place}</div>{evacuated}'
        '<div class="small" data-testid="gps">{gps}</div></div>'
        '<div class="pl-who"><div><span class="muted">{head_label}:</span> {head} · {members}</div>'
        "{phones}{needs}</div>"
        '<div class="pl-vol small" data-testid="volunteers">{volunteers}</div></li>',
        level=row.level,
        pk=h.pk,
        number=number,
        score_label=labels.score,
        score=h.priority_score,
        level_label=labels.levels.get(row.level, labels.levels["low"]),
        url=reverse("households:detail", args=[h.pk]),
        address=address_text(h),
        place=h.area.parent.label if h.area.level == "village" else h.area.label,
        evacuated=_evacuated(row),
        gps=_gps(h, labels),
        head_label=labels.head,
        head=row.head_name or "—",
        members=ngettext("%(shown)s member", "%(shown)s members", h.member_count)
        % {"shown": intcomma(h.member_count)},
        phones=_phones(row, labels),
        needs=_needs(row, labels),
        volunteers=_volunteers(row, labels),
    )


def address_text(h: Any) -> str:
    """House no., village (or moo), soi and road, as households/_address.html writes them."""
    parts = [f"{_('House no.')} {h.house_no}" if h.house_no else _("No house no.")]
    if h.area.level == "village":
        parts.append(h.area.label)
    elif h.moo:
        parts.append(f"หมู่ {h.moo}")
    if h.soi:
        parts.append(h.soi if h.soi.startswith(("ซอย", "ซ.")) else f"ซ.{h.soi}")
    if h.road:
        parts.append(h.road if h.road.startswith(("ถนน", "ถ.")) else f"ถ.{h.road}")
    return " ".join(parts)


def _evacuated(row: Any) -> str:
    if not row.evacuated_to:
        return ""
    since = thaidate.format_short(row.evacuated_since) if row.evacuated_since else ""
    return format_html(
        '<div class="evacuated small" data-testid="evacuated">{}</div>',
        _("Evacuated to %(place)s since %(since)s") % {"place": row.evacuated_to, "since": since},
    )


def _gps(h: Any, labels: _Labels) -> str:
    if h.latitude is None:
        return format_html('<span class="warn-text">{}</span>', labels.no_gps)
    return format_html(
        '<a href="https://www.google.com/maps/search/?api=1&amp;query={lat},{lon}" '
        'target="_blank" rel="noopener">{map} ↗</a> <span class="code">{lat}, {lon}</span>',
        lat=h.latitude,
        lon=h.longitude,
        map=labels.map,
    )


def _restricted(person: Any, labels: _Labels) -> str:
    return labels.restricted if getattr(person, "restricted", False) else ""


def _phones(row: Any, labels: _Labels) -> str:
    if not row.phones:
        return format_html('<div class="muted small">{}</div>', labels.no_phone)
    return format_html(
        '<div class="pl-phones" data-testid="phones">{}</div>',
        format_html_join(
            "",
            '<span>{}{} <a href="tel:{}">{}</a></span>',
            (
                (p.first_name, _restricted(p, labels), p.phone, phone_shown(p.phone))
                for p in row.phones
            ),
        ),
    )


def _age(need: Any) -> str:
    if need.months is not None:
        return ngettext("%(counter)s month", "%(counter)s months", need.months) % {
            "counter": need.months
        }
    return ngettext("%(shown)s year", "%(shown)s years", need.age) % {"shown": intcomma(need.age)}


def _badges(groups: list[Any]) -> str:
    if not groups:
        return ""
    said = _("weighs much in the priority:")
    heavy = format_html('<span class="visually-hidden">{} </span>', said)
    return format_html(
        '<ul class="badges">{}</ul>',
        format_html_join(
            "",
            '<li class="badge g{}" data-group="{}">{}{}</li>',
            (
                (" heavy" if g.heavy else "", g.code, heavy if g.heavy else "", g.label)
                for g in groups
            ),
        ),
    )


def _needs(row: Any, labels: _Labels) -> str:
    if not row.needs and not row.household_groups:
        return ""
    items = [
        format_html(
            "<li><span>{}{}{}</span>{}</li>",
            need.person.first_name,
            _restricted(need.person, labels),
            "" if need.age is None else f" ({_age(need)})",
            _badges(need.groups),
        )
        for need in row.needs
    ]
    if row.household_groups:
        items.append(format_html("<li>{}</li>", _badges(row.household_groups)))
    return format_html(
        '<ul class="pl-needs" data-testid="needs">{}</ul>',
        mark_safe("".join(items)),  # noqa: S308
    )


def _volunteers(row: Any, labels: _Labels) -> str:
    if not row.volunteers:
        return format_html('<span class="warn-text">{}</span>', labels.no_volunteer)
    return format_html_join(
        "",
        '<div><span class="muted">{}:</span> {}{}{}</div>',
        (
            (
                labels.volunteer,
                v.full_name,
                # Not serving now (inactive, or left): a rescue team calls someone else.
                format_html(
                    ' <span class="warn-text" data-testid="volunteer-status">({})</span>',
                    v.get_status_display(),
                )
                if v.status != VolunteerStatus.ACTIVE
                else "",
                format_html(' <a href="tel:{}">{}</a>', v.phone, phone_shown(v.phone))
                if v.phone
                else "",
            )
            for v in row.volunteers
        ),
    )
