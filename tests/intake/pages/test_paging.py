"""Paging of the long lists: the page count, the offsets, and the pager's links (the demo has too few rows)."""

from typing import NamedTuple

import pytest

from intake.pages.paging import offset_of, one_page, page_count
from intake.pages.rendering import templates


@pytest.mark.parametrize("total, size, pages", [(0, 50, 1), (1, 50, 1), (50, 50, 1), (51, 50, 2), (10_001, 100, 101)])
def test_the_page_count_rounds_up_and_is_never_zero(total, size, pages):
    assert page_count(total, size) == pages


def test_page_one_starts_at_the_first_row():
    assert [offset_of(page, 50) for page in (1, 2, 3)] == [0, 50, 100]


def pager(page: int, pages: int, prefix: str = "?") -> str:
    return templates.env.from_string('{% from "pager.html" import pager %}{{ pager(page, pages, prefix) }}').render(
        page=page, pages=pages, prefix=prefix)


def test_the_pager_links_the_neighbouring_pages_keeping_the_other_parameters_escaped():
    middle = pager(2, 3, "/?kind=trouble&q=a%20b&")
    assert 'href="/?kind=trouble&amp;q=a%20b&amp;page=1"' in middle
    assert 'href="/?kind=trouble&amp;q=a%20b&amp;page=3"' in middle
    assert "page 2 of 3" in middle
    assert "previous" not in pager(1, 3) and 'href="?page=2"' in pager(1, 3)
    assert "next" not in pager(3, 3)
    assert pager(1, 1).strip() == ""


class Row(NamedTuple):
    total: int
    site_id: int | None


def test_a_page_past_the_end_is_empty_but_keeps_the_total():
    assert one_page([Row(120, 3), Row(120, 4)], page_size=100, present="site_id") == ([Row(120, 3), Row(120, 4)],
                                                                                       120, 2)
    assert one_page([Row(120, None)], page_size=100, present="site_id") == ([], 120, 2)
    assert one_page([Row(0, None)], page_size=100, present="site_id") == ([], 0, 1)
