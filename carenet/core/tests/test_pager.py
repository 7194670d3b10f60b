"""The one pager every list uses (core/_pager.html)."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from carenet.core import paging


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


def test_the_page_box_keeps_the_filters_and_the_anchor():
    html = pager("status=open&area=8601&area=8602&page=2", 2, anchor="#households")
    assert 'action="#households"' in html
    assert '<input type="hidden" name="status" value="open">' in html
    assert html.count('type="hidden" name="area"') == 2
    assert 'name="page" value="2"' in html
    assert 'type="hidden" name="page"' not in html


def test_the_page_box_escapes_what_the_address_carried():
    html = pager('q="><script>x</script>', 1)
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html


def test_a_typed_page_number_in_any_digits_or_out_of_range_lands_on_a_page():
    paginator = Paginator(range(100), 25)
    assert paginator.get_page("๓").number == 3
    assert paginator.get_page("99999").number == 4
    assert paginator.get_page("abc").number == 1


def test_a_page_number_below_one_opens_the_first_page():
    paginator = paging.Paginator(range(100), 25)
    assert [paginator.get_page(n).number for n in ("0", "-3", " -1 ", "๐")] == [1, 1, 1, 1]
    assert paginator.get_page("7").number == 4 and paginator.get_page(None).number == 1
