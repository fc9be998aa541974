"""Text and time fields several resources share."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field

from intake.site_urls import site_url_key

# Printable text with at least one visible character: site names, module display names.
VisibleName = Annotated[
    str, Field(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$")
]
# One word of printable characters: URLs, version strings.
NO_SPACE_PATTERN = r"^[^\x00-\x20\x7f]+$"


def http_url(url: str) -> str:
    """`url`, when it is an http(s) URL with a host (a validator)."""
    if site_url_key(url) is None:
        raise ValueError("must be an http:// or https:// URL with a host")
    return url


def storable_moment(moment: datetime) -> datetime:
    """`moment` in UTC (a time without a zone is taken as UTC), when that is still a date of years 1 to 9999.

    `0001-01-01T00:00:00+14:00` is a valid ISO 8601 time, but in UTC it falls
    before year 1: stored, it could never be read back (a validator).
    """
    try:
        return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError("must fall between years 1 and 9999 in UTC") from None
