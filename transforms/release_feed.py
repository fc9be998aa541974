"""Parse one drupal.org release-history feed into a project row and a releases frame.

A feed is ``{base}/{project}/7.x`` (legacy: ``supported_majors``,
``recommended_major``, ``default_major``) or ``{base}/{project}/current``
(modern: ``supported_branches`` and ``core_compatibility`` per release). Both
share the ``releases/release`` layout with ``version``, ``status``, ``date`` and
``terms/term`` name/value pairs; only terms named ``Release type`` matter here.

A project has a few dozen releases at most, so walking the XML in Python is
cheap; the version columns are still derived with the vectorised
``version_struct`` so that feed releases and installed versions are parsed by
exactly the same code.

drupal.org answers an unknown project with an ``<error>`` document instead of a
404 body we could tell apart otherwise; that becomes :class:`NoReleaseHistory`
(the caller records "no release data"), while a document that is not a feed at
all becomes :class:`FeedParseError` (the caller keeps its last good data).

One ``<release>`` that cannot be read — no ``<version>``, a ``<date>`` that is
not a unix time, a ``<status>`` other than published/unpublished — is left out
and counted in :attr:`ParsedFeed.skipped_releases`, with the reason in
:attr:`ParsedFeed.skipped_reasons`: Drupal's Update Status
skips such a release and judges the project by the others, so one bad entry
must not cost the whole feed. (Drupal also requires ``<release_link>``; it is
kept optional here, as it is only ever shown, never reasoned about.)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from transforms.versions import (
    VERSION_FIELDS,
    VERSION_STRUCT_DTYPE,
    supported_branches_list,
    supported_majors_list,
    version_struct,
)

__all__ = [
    "PROJECT_SCHEMA",
    "RELEASES_SCHEMA",
    "FeedParseError",
    "FeedProject",
    "NoReleaseHistory",
    "ParsedFeed",
    "parse_release_feed",
]

RELEASE_TYPE_TERM = "Release type"
SECURITY_UPDATE = "Security update"
INSECURE = "Insecure"
UNSUPPORTED = "Unsupported"
RELEASE_STATUSES = ("published", "unpublished")

PROJECT_SCHEMA = pl.Schema(
    {
        "project": pl.String,
        "title": pl.String,
        "api_version": pl.String,
        "project_status": pl.String,
        "link": pl.String,
        "supported_branches": pl.List(pl.String),
        "supported_majors": pl.List(pl.Int64),
        "recommended_major": pl.Int64,
        "default_major": pl.Int64,
    }
)

RELEASES_SCHEMA = pl.Schema(
    {
        "project": pl.String,
        "version": pl.String,
        "status": pl.String,
        "date": pl.Datetime("us", "UTC"),
        "release_types": pl.List(pl.String),
        "is_security_update": pl.Boolean,
        "is_insecure": pl.Boolean,
        "is_unsupported": pl.Boolean,
        "core_compatibility": pl.String,
        "release_link": pl.String,
        # Parsed from ``version`` by transforms.versions.version_struct:
        **VERSION_STRUCT_DTYPE.to_schema(),
    }
)

_RAW_RELEASE_COLUMNS = (
    "project",
    "version",
    "status",
    "date",
    "release_types",
    "core_compatibility",
    "release_link",
)
_ERROR_PROJECT = re.compile(r"\(([^()]*)\)\s*\.?\s*$")


class FeedParseError(ValueError):
    """The bytes are not a readable release-history feed."""


class NoReleaseHistory(LookupError):
    """drupal.org has no release history for the project (an ``<error>`` feed).

    ``project`` is the short name drupal.org echoed back, when it did.
    """

    def __init__(self, message: str, project: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.project = project


@dataclass(frozen=True, slots=True)
class FeedProject:
    short_name: str
    title: str | None
    api_version: str | None
    project_status: str | None
    link: str | None
    supported_branches: tuple[str, ...]
    supported_majors: tuple[int, ...]
    recommended_major: int | None
    default_major: int | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    project: FeedProject
    releases: pl.DataFrame  # RELEASES_SCHEMA, in feed order (newest first on drupal.org)
    # Why each <release> that could not be read was left out, in feed order.
    skipped_reasons: tuple[str, ...] = ()

    @property
    def skipped_releases(self) -> int:
        """How many <release> elements were left out because they could not be read."""
        return len(self.skipped_reasons)

    def project_frame(self) -> pl.DataFrame:
        """The project as one row of PROJECT_SCHEMA, ready to concat with others."""
        p = self.project
        row = {
            "project": [p.short_name],
            "title": [p.title],
            "api_version": [p.api_version],
            "project_status": [p.project_status],
            "link": [p.link],
            "supported_branches": [list(p.supported_branches)],
            "supported_majors": [list(p.supported_majors)],
            "recommended_major": [p.recommended_major],
            "default_major": [p.default_major],
        }
        return pl.DataFrame(row, schema=PROJECT_SCHEMA)


def parse_release_feed(xml: bytes) -> ParsedFeed:
    """Parse a release-history feed.

    Raises :class:`NoReleaseHistory` for drupal.org's ``<error>`` answer and
    :class:`FeedParseError` for anything that is not a well-formed feed.
    """
    root = _parse_root(xml)
    if root.tag == "error":
        message = (root.text or "").strip() or "No release history was found."
        match = _ERROR_PROJECT.search(message)
        raise NoReleaseHistory(message, match.group(1) if match else None)
    if root.tag != "project":
        raise FeedParseError(f"expected a <project> or <error> document, got <{root.tag}>")

    short_name = _text(root, "short_name")
    if not short_name:
        raise FeedParseError("feed has no <short_name>")

    project = FeedProject(
        short_name=short_name,
        title=_text(root, "title"),
        api_version=_text(root, "api_version"),
        project_status=_text(root, "project_status"),
        link=_text(root, "link"),
        supported_branches=tuple(supported_branches_list(_text(root, "supported_branches"))),
        supported_majors=tuple(supported_majors_list(_text(root, "supported_majors"))),
        recommended_major=_optional_int(_text(root, "recommended_major"), "recommended_major"),
        default_major=_optional_int(_text(root, "default_major"), "default_major"),
    )

    raw: dict[str, list[object]] = {name: [] for name in _RAW_RELEASE_COLUMNS}
    skipped: list[str] = []
    releases_element = root.find("releases")
    for position, release in enumerate(
            releases_element.iterfind("release") if releases_element is not None else (), start=1):
        row = _release_row(release)
        if isinstance(row, str):
            skipped.append(f"release {position}: {row}")
            continue
        for name, value in row.items():
            raw[name].append(value)
        raw["project"].append(short_name)

    return ParsedFeed(project=project, releases=_releases_frame(raw), skipped_reasons=tuple(skipped))


def _release_row(release: ET.Element) -> dict[str, object] | str:
    """The fields of one ``<release>``, or why it cannot be read."""
    version = _text(release, "version")
    if not version:
        return "no <version>"
    status = _text(release, "status")
    if status not in RELEASE_STATUSES:
        return f"{version}: <status> {_shown(status)} is neither published nor unpublished"
    date_text = _text(release, "date")
    if date_text is None:
        date = None
    else:
        try:
            date = datetime.fromtimestamp(int(date_text), tz=UTC)
        except (ValueError, OverflowError, OSError):
            return f"{version}: <date> {_shown(date_text)} is not a unix time"
    return {
        "version": version,
        "status": status,
        "date": date,
        "release_types": [
            (term.findtext("value") or "").strip()
            for term in release.iterfind("terms/term")
            if (term.findtext("name") or "").strip() == RELEASE_TYPE_TERM
        ],
        "core_compatibility": _text(release, "core_compatibility"),
        "release_link": _text(release, "release_link"),
    }


def _releases_frame(raw: dict[str, list[object]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        raw,
        schema={
            name: RELEASES_SCHEMA[name] for name in _RAW_RELEASE_COLUMNS
        },
    )
    types = pl.col("release_types")
    return (
        frame.with_columns(
            is_security_update=types.list.contains(SECURITY_UPDATE),
            is_insecure=types.list.contains(INSECURE),
            is_unsupported=types.list.contains(UNSUPPORTED),
            _version=version_struct(pl.col("version")),
        )
        .with_columns(
            pl.col("_version").struct.field(name).alias(name) for name in VERSION_FIELDS
        )
        .drop("_version")
        .select(pl.col(name).cast(dtype) for name, dtype in RELEASES_SCHEMA.items())
    )


def _parse_root(xml: bytes) -> ET.Element:
    if not xml or not xml.strip():
        raise FeedParseError("empty feed")
    # drupal.org feeds never carry a DTD; refusing one rules out entity-expansion
    # attacks without needing defusedxml.
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise FeedParseError("feed contains a DTD, which release feeds never do")
    try:
        return ET.fromstring(xml)
    except ET.ParseError as error:
        raise FeedParseError(f"malformed XML: {error}") from error


def _shown(value: str | None, limit: int = 40) -> str:
    """A feed value quoted for a message, cut short: the reason must not carry a whole document."""
    if value is None:
        return "(missing)"
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _text(element: ET.Element, path: str) -> str | None:
    value = element.findtext(path)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError as error:
        raise FeedParseError(f"<{field}> is not an integer: {value!r}") from error


def _optional_int(value: str | None, field: str) -> int | None:
    return None if value is None else _int(value, field)
