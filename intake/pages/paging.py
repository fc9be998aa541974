"""Pages of a long list: the `page` parameter every list page takes, and what it means for the query."""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query

# Deep enough for any portfolio; bounded so that an offset never overflows the query.
PageQuery = Annotated[int, Query(ge=1, le=100_000, description="1 for the first page")]


def offset_of(page: int, page_size: int) -> int:
    return (page - 1) * page_size


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` rows fill; an empty list is still one page."""
    return max(1, -(-total // page_size))


def one_page(rows: Sequence[Any], *, page_size: int, present: str) -> tuple[list[Any], int, int]:
    """(the rows, the total, the page count) of a page the store answers with the total on every row,
    and a single row of NULLs but the total past the last page; `present` is a column never NULL otherwise."""
    total = rows[0].total
    return [row for row in rows if getattr(row, present) is not None], total, page_count(total, page_size)
