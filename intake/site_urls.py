"""Comparing the URL a site reports with the URL it was registered with.

Two URLs name the same site when scheme, host, port and path agree, ignoring
case and a trailing slash; query, fragment and user info do not matter.
"""

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def site_url_key(url: str) -> tuple[str, str, int, str] | None:
    """What identifies a site URL, or None when `url` is not an http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return (scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme], parts.path.rstrip("/").lower())


def same_site_url(reported: str, registered: str) -> bool:
    reported_key = site_url_key(reported)
    return reported_key is not None and reported_key == site_url_key(registered)
