"""Pages of a long list: the `page` parameter every list page takes, and what it means for the query."""

from typing import Annotated

from fastapi import Query

# Deep enough for any portfolio; bounded so that an offset never overflows the query.
PageQuery = Annotated[int, Query(ge=1, le=100_000, description="1 for the first page")]


def offset_of(page: int, page_size: int) -> int:
    return (page - 1) * page_size


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` rows fill; an empty list is still one page."""
    return max(1, -(-total // page_size))
