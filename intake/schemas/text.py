"""Text fields several resources share."""

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
