"""A drupal.org-like project population: release histories, feeds and advisories (a composer metapackage, and
an OSV database as the Drupal Security Team publishes it).

Each contrib project has one to three majors (older projects still carry an
`8.x-N` branch), releases dated over the last years, occasional security
releases — after which drupal.org marks the older releases of that major
`Insecure` — a rare revoked (unpublished) release, and only its newest majors
in `supported_branches`. A few projects are unsupported or insecure as a
whole. Core (`drupal`) has 10.x and 11.x branches. Popularity is Zipf-like,
so a few projects are on almost every site and most on few.

Generation is seeded: the same options give the same population.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

NOW = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
DAY = 86_400
CORE_MODULES = [
    "block", "block_content", "breakpoint", "ckeditor5", "comment", "config", "contact", "contextual",
    "datetime", "dblog", "dynamic_page_cache", "editor", "field", "field_ui", "file", "filter", "help",
    "history", "image", "link", "menu_link_content", "menu_ui", "node", "options", "page_cache", "path",
    "path_alias", "search", "shortcut", "system", "taxonomy", "text", "toolbar", "update", "user",
    "views", "views_ui", "media", "media_library", "responsive_image",
]
CORE_BRANCHES = {10: [2, 3, 4, 5], 11: [0, 1, 2]}
CORE_SUPPORTED = "10.4.,10.5.,11.1.,11.2."


@dataclass
class Release:
    version: str
    major: int
    date: int
    types: list[str] = field(default_factory=list)
    status: str = "published"


@dataclass
class Project:
    name: str
    weight: float
    status: str
    supported_branches: list[str]
    releases: list[Release]  # newest first, as drupal.org lists them
    dev_branch: str  # a dev snapshot's version on the newest branch


def _contrib_project(rng: random.Random, rank: int) -> Project:
    name = f"contrib_{rank:05d}"
    majors = rng.choices([1, 2, 3], weights=[45, 40, 15])[0]
    legacy = rng.random() < 0.35  # still carries 8.x-N.M releases
    date = NOW - rng.randint(900, 3000) * DAY
    releases: list[Release] = []
    branches: list[str] = []
    for index in range(majors):
        major = index + 1
        minors = [0] if legacy and index == 0 else list(range(rng.randint(1, 3)))
        for minor in minors:
            for patch in range(rng.randint(2, 9)):
                date += rng.randint(20, 120) * DAY
                version = (f"8.x-{major}.{patch}" if legacy and index == 0 else f"{major}.{minor}.{patch}")
                kind = "Security update" if rng.random() < 0.09 else rng.choice(["Bug fixes", "New features"])
                releases.append(Release(version, major, min(date, NOW - DAY), [kind]))
        last = releases[-1]
        branches.append(f"8.x-{major}." if legacy and index == 0 else last.version.rsplit(".", 1)[0] + ".")
    _mark_insecure(releases)
    if rng.random() < 0.03:
        rng.choice(releases).status = "unpublished"
    supported = branches[-2:] if majors == 3 else branches[-1:]
    status = rng.choices(["published", "unsupported", "insecure"], weights=[97, 2, 1])[0]
    newest = releases[-1]
    dev = (f"8.x-{newest.major}.x-dev" if newest.version.startswith("8.x-") else f"{newest.major}.x-dev")
    return Project(name, 1.0 / (rank + 1) ** 1.05, status, supported, releases[::-1], dev)


def _mark_insecure(releases: list[Release]) -> None:
    """Releases of a major older than its newest security release are insecure."""
    newest_security: dict[int, int] = {}
    for position, release in enumerate(releases):
        if "Security update" in release.types:
            newest_security[release.major] = position
    for position, release in enumerate(releases):
        if position < newest_security.get(release.major, -1):
            release.types.append("Insecure")


def _core_project(rng: random.Random) -> Project:
    releases: list[Release] = []
    date = NOW - 1000 * DAY
    for major, minors in CORE_BRANCHES.items():
        for minor in minors:
            for patch in range(rng.randint(3, 10)):
                date += rng.randint(10, 30) * DAY
                kind = "Security update" if rng.random() < 0.15 else "Bug fixes"
                releases.append(Release(f"{major}.{minor}.{patch}", major, min(date, NOW - DAY), [kind]))
    _mark_insecure(releases)
    return Project("drupal", 1.0, "published", CORE_SUPPORTED.split(","), releases[::-1], "11.x-dev")


@dataclass
class Catalog:
    projects: list[Project]

    @property
    def core(self) -> Project:
        return self.projects[0]

    @property
    def contrib(self) -> list[Project]:
        return self.projects[1:]

    def releases_frame(self) -> pl.DataFrame:
        """One row per release, newest first: project, position, version, and whether a site
        upgrading would land on it (published, in a supported branch)."""
        rows = [(p.name, r.version, r.status == "published" and any(
                    r.version.startswith(b) for b in p.supported_branches))
                for p in self.projects for r in p.releases]
        frame = pl.DataFrame(rows, schema={"project": pl.String, "version": pl.String, "supported": pl.Boolean},
                             orient="row")
        return frame.with_columns(pl.int_range(pl.len()).over("project").alias("position"))

    def projects_frame(self) -> pl.DataFrame:
        """Per contrib project: its popularity's cumulative share, newest release and dev branch."""
        contrib = self.contrib
        weights = pl.Series([p.weight for p in contrib])
        return pl.DataFrame({
            "project": [p.name for p in contrib],
            "cumulative": (weights.cum_sum() / weights.sum()),
            "newest": [next(r.version for r in p.releases if r.status == "published") for p in contrib],
            "dev_version": [p.dev_branch for p in contrib],
        })


def generate_catalog(projects: int, seed: int = 7) -> Catalog:
    rng = random.Random(seed)
    return Catalog([_core_project(rng)] + [_contrib_project(rng, rank) for rank in range(projects)])


FEED = """<?xml version="1.0" encoding="utf-8"?>
<project xmlns:dc="http://purl.org/dc/elements/1.1/"><title>{name}</title><short_name>{name}</short_name>
<api_version>current</api_version><project_status>{status}</project_status>
<supported_branches>{branches}</supported_branches><releases>{releases}</releases></project>
"""
RELEASE = ("<release><name>{name} {version}</name><version>{version}</version><status>{status}</status>"
           "<date>{date}</date><terms>{terms}</terms></release>")
TERM = "<term><name>Release type</name><value>{}</value></term>"


def feed_xml(project: Project) -> str:
    releases = "".join(
        RELEASE.format(name=escape(project.name), version=escape(r.version), status=r.status, date=r.date,
                       terms="".join(TERM.format(escape(t)) for t in r.types))
        for r in project.releases)
    return FEED.format(name=escape(project.name), status=project.status,
                       branches=",".join(project.supported_branches), releases=releases)


def write_feeds(catalog: Catalog, folder: Path) -> Path:
    """`{project}-current.xml` files, a layout the `file://` fetcher reads."""
    folder.mkdir(parents=True, exist_ok=True)
    for project in catalog.projects:
        (folder / f"{project.name}-current.xml").write_text(feed_xml(project))
    return folder


def composer_form(version: str) -> str:
    return version.removeprefix("8.x-")


def write_advisories(catalog: Catalog, path: Path, share: float = 0.7, seed: int = 7) -> Path:
    """A composer metapackage: `<` the newest security release of each affected major."""
    rng = random.Random(seed)
    conflict = {}
    for project in catalog.projects:
        security = {}
        for release in project.releases:  # newest first: the first one per major wins
            if "Security update" in release.types and release.status == "published":
                security.setdefault(release.major, release.version)
        if not security or (project.name != "drupal" and rng.random() > share):
            continue
        package = "drupal/core" if project.name == "drupal" else f"drupal/{project.name}"
        ranges = []
        for major, fixed in sorted(security.items()):
            low = f"{major}.0" if fixed.startswith("8.x-") else f"{major}.0.0"
            ranges.append(f">={low},<{composer_form(fixed)}")
        conflict[package] = "|".join(ranges)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"name": "drupal/core-security-advisories-bench", "conflict": conflict}))
    return path


def osv_documents(catalog: Catalog, share: float = 0.7, seed: int = 7) -> list[dict]:
    """One OSV advisory per security release of an affected project: every release of that major before it
    is affected (`introduced` the major's first version, `fixed` the security release)."""
    rng = random.Random(seed)
    documents = []
    for project in catalog.projects:
        if project.name != "drupal" and rng.random() > share:
            continue
        package, ecosystem = (("drupal/core", "Packagist") if project.name == "drupal"
                              else (f"drupal/{project.name}", "Packagist:https://packages.drupal.org/8"))
        kind = "CORE" if project.name == "drupal" else "CONTRIB"
        for release in project.releases[::-1]:
            if "Security update" not in release.types or release.status != "published":
                continue
            fixed = composer_form(release.version)
            low = f"{release.major}.0" if release.version.startswith("8.x-") else f"{release.major}.0.0"
            published = datetime.fromtimestamp(release.date, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            number = len(documents) + 1
            documents.append({
                "schema_version": "1.7.0", "id": f"DRUPAL-{kind}-BENCH-{number:05d}", "modified": published,
                "published": published, "aliases": [f"CVE-2099-{number:05d}"],
                "details": f"{project.name} {release.version} fixes a vulnerability of its {release.major}.x "
                           "releases.\n\nGenerated for the benchmark.",
                "affected": [{"package": {"ecosystem": ecosystem, "name": package}, "ranges": [{
                    "type": "ECOSYSTEM", "events": [{"introduced": low}, {"fixed": fixed}],
                    "database_specific": {"constraint": f">={low} <{fixed}"}}]}],
                "references": [{"type": "WEB", "url": f"https://www.drupal.org/sa-bench-{number:05d}"}],
            })
    return documents


def write_osv_advisories(catalog: Catalog, folder: Path, share: float = 0.7, seed: int = 7) -> Path:
    """An OSV database folder (`advisories/<project>/<id>.json`), a source `modwatch advisories load` reads."""
    for document in osv_documents(catalog, share=share, seed=seed):
        project = document["affected"][0]["package"]["name"].removeprefix("drupal/")
        path = folder / "advisories" / project / f"{document['id']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
    return folder
