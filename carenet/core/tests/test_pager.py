"""The one pager every list uses (core/_pager.html)."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def pager(query: str, number: int, **context: object) -> str:
    request = RequestFactory().get(f"/list/?{query}")
    page = Paginator(range(100), 25).get_page(number)
    return render_to_string("core/_pager.html", {"page": page, **context}, request=request)


def test_links_keep_the_filters_and_move_the_page():
    html = pager("status=open&page=2", 2)
    assert 'href="?status=open&amp;page=1"' in html and 'rel="prev"' in html
    assert 'href="?status=open&amp;page=3"' in html and 'data-testid="next-page"' in html


def test_the_last_page_has_no_next_link_and_an_anchor_is_kept():
    html = pager("page=4", 4, anchor="#households")
    assert 'href="?page=3#households"' in html
    assert 'rel="next"' not in html


def test_one_page_shows_no_pager():
    request = RequestFactory().get("/list/")
    page = Paginator(range(10), 25).get_page(1)
    assert render_to_string("core/_pager.html", {"page": page}, request=request).strip() == ""
