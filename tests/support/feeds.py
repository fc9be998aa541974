"""Release-history feeds written to a folder that MODWATCH_RELEASE_FEED_URL points at."""

from pathlib import Path

FEED = """<?xml version="1.0" encoding="utf-8"?>
<project xmlns:dc="http://purl.org/dc/elements/1.1/">
<title>{project}</title><short_name>{project}</short_name><api_version>current</api_version>
<project_status>{project_status}</project_status><supported_branches>{branches}</supported_branches>
<releases>{releases}</releases></project>"""
RELEASE = """<release><name>{project} {version}</name><version>{version}</version><status>published</status>
<date>{date}</date><terms><term><name>Release type</name><value>{kind}</value></term></terms></release>"""


def release_types(kinds: str) -> str:
    """`"Bug fixes, Insecure"` as the values of two `Release type` terms, as drupal.org lists a release that a
    later security release superseded (the template supplies the outer tags)."""
    return "</value></term><term><name>Release type</name><value>".join(kinds.split(", "))


def write_feed(folder: Path, project: str, releases: list[tuple[str, int, str]], *,
               branches: str = "8.x-1.", project_status: str = "published") -> None:
    """`releases` are (version, unix date, release type), newest first as drupal.org lists them."""
    body = "".join(RELEASE.format(project=project, version=v, date=d, kind=release_types(k)) for v, d, k in releases)
    (folder / project).mkdir(parents=True, exist_ok=True)
    (folder / project / "current").write_text(
        FEED.format(project=project, project_status=project_status, branches=branches, releases=body))
