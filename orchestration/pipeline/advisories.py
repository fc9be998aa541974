"""Security advisories: load the Drupal Security Team's OSV database, or a composer metapackage, and recompute
the statuses of the projects whose advisories changed.

The OSV database is read from a directory, a zip of the repository (as
GitHub serves it) or an http(s) URL of either a zip or a file, with a
conditional GET: a source that has not changed since the last load is not
read again. Loading with no source, or from one that cannot be read, is an
`AdvisoriesError` naming the source and the reason, in one line.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx
import psycopg

from orchestration.pipeline.status import changed_statuses, compute_statuses, project_inputs, write_changed
from sql import advisories, statuses
from transforms import osv
from transforms.advisories import advisories_feed_api

OSV_OFF = "none"
METAPACKAGE_JOB = "load_advisories"
OSV_JOB = "load_osv_advisories"


class AdvisoriesError(ValueError):
    pass


# --- the composer metapackage (Drupal 7 sites) -----------------------------------------------------------


def read_source(source: str, timeout_seconds: float = 30.0) -> bytes:
    if source.startswith(("http://", "https://")):
        answer = httpx.get(source, timeout=timeout_seconds, follow_redirects=True)
        answer.raise_for_status()
        return answer.content
    return _local_path(source).read_bytes()


def _local_path(source: str) -> Path:
    return Path(unquote(urlsplit(source).path)) if source.startswith("file://") else Path(source)


def load_advisories(conn: psycopg.Connection, source: str | None) -> dict:
    if not source:
        raise AdvisoriesError("no advisories metapackage configured (MODWATCH_ADVISORIES_URL)")
    try:
        document = json.loads(read_source(source))
    except (OSError, httpx.HTTPError, json.JSONDecodeError) as error:
        raise AdvisoriesError(f"cannot read advisories from {source}: {error}") from error
    conflict = document.get("conflict") if isinstance(document, dict) else None
    if not isinstance(conflict, dict) or not all(isinstance(v, str) for v in conflict.values()):
        raise AdvisoriesError(f"{source} is not a composer metapackage with a 'conflict' map")
    feed_api = advisories_feed_api(conflict)
    with conn.transaction():
        advisories.replace(conn, feed_api=feed_api, source=source, conflict=conflict)
    return {"feed_api": feed_api, "packages": len(conflict), "source": source}


# --- the OSV database (Drupal 8+ sites) ------------------------------------------------------------------


@dataclass
class OsvRead:
    """What one read of an OSV source gave: its documents (None: not modified since the last load)."""

    documents: list[dict] | None
    etag: str | None = None
    last_modified: str | None = None
    unreadable_files: list[str] = field(default_factory=list)


def _advisory_files(names: list[str]) -> list[str]:
    # A repository holds other JSON too (tooling, CI): take the advisories folder when there is one.
    json_files = [name for name in names if name.endswith(".json")]
    in_folder = [name for name in json_files if "advisories" in PurePosixPath(name).parts[:-1]]
    return sorted(in_folder or json_files)


def _documents(files: dict[str, bytes], source: str) -> OsvRead:
    documents, unreadable = [], []
    for name, content in files.items():
        try:
            document = json.loads(content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            unreadable.append(name)
            continue
        if isinstance(document, dict) and isinstance(document.get("id"), str):
            documents.append(document)
        else:
            unreadable.append(name)
    if not documents:
        raise AdvisoriesError(f"no OSV advisories in {source}")
    return OsvRead(documents, unreadable_files=unreadable)


def _read_zip(content: bytes, source: str) -> OsvRead:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = _advisory_files([info.filename for info in archive.infolist() if not info.is_dir()])
            return _documents({name: archive.read(name) for name in names}, source)
    except zipfile.BadZipFile as error:
        raise AdvisoriesError(f"cannot read OSV advisories from {source}: not a zip archive ({error})") from error


def _read_local(source: str) -> OsvRead:
    path = _local_path(source)
    try:
        if path.is_dir():
            names = _advisory_files([str(file.relative_to(path)) for file in path.rglob("*.json")])
            return _documents({name: (path / name).read_bytes() for name in names}, source)
        content = path.read_bytes()
    except OSError as error:
        raise AdvisoriesError(f"cannot read OSV advisories from {source}: {error.strerror or error}") from error
    if zipfile.is_zipfile(io.BytesIO(content)):
        return _read_zip(content, source)
    return _documents({path.name: content}, source)


def _read_url(source: str, previous: advisories.SourceState | None, timeout_seconds: float) -> OsvRead:
    headers = {}
    if previous and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    try:
        answer = httpx.get(source, headers=headers, timeout=timeout_seconds, follow_redirects=True)
    except httpx.HTTPError as error:
        raise AdvisoriesError(f"cannot read OSV advisories from {source}: {error}") from error
    if answer.status_code == 304:
        return OsvRead(None, previous.etag, previous.last_modified)
    if answer.status_code != 200:
        raise AdvisoriesError(f"cannot read OSV advisories from {source}: HTTP {answer.status_code}")
    content = answer.content
    read = (_read_zip(content, source) if zipfile.is_zipfile(io.BytesIO(content))
            else _documents({source: content}, source))
    read.etag, read.last_modified = answer.headers.get("ETag"), answer.headers.get("Last-Modified")
    return read


def read_osv(source: str | None, previous: advisories.SourceState | None = None,
             timeout_seconds: float = 60.0) -> OsvRead:
    """The documents of an OSV source: a directory, a zip, a JSON file, or an http(s) URL of a zip or a file."""
    if not source:
        raise AdvisoriesError("no OSV advisories source configured (MODWATCH_OSV_URL)")
    if source.strip().lower() == OSV_OFF:
        raise AdvisoriesError("OSV advisories are turned off (MODWATCH_OSV_URL=none)")
    if source.startswith(("http://", "https://")):
        return _read_url(source, previous, timeout_seconds)
    return _read_local(source)


def load_osv(conn: psycopg.Connection, source: str | None, timeout_seconds: float = 60.0) -> dict:
    """Load an OSV source: write what changed and queue its projects for `recompute_changed_projects`."""
    previous = advisories.source_state(conn, source=source) if source else None
    read = read_osv(source, previous, timeout_seconds)
    if read.documents is None:
        stored = advisories.counts(conn)
        with conn.transaction():
            advisories.source_loaded(conn, source=source, etag=read.etag, last_modified=read.last_modified,
                                     advisories=stored.advisories)
        return {"source": source, "not_modified": True, "advisories": stored.advisories, "ranges": stored.ranges,
                "added": 0, "changed": 0, "removed": 0, "unreadable_files": 0, "unreadable_ranges": 0}
    documents = osv.documents_frame(read.documents)
    advisory_rows = osv.advisories(documents)
    ranges, unreadable_ranges = osv.ranges(documents)
    with conn.transaction():
        changes = advisories.store_osv(conn, advisories=advisory_rows, ranges=ranges, source=source)
        advisories.source_loaded(conn, source=source, etag=read.etag, last_modified=read.last_modified,
                                 advisories=advisory_rows.height)
    kinds = [change.change for change in changes]
    return {"source": source, "not_modified": False, "advisories": advisory_rows.height, "ranges": ranges.height,
            "added": kinds.count("added"), "changed": kinds.count("changed"), "removed": kinds.count("removed"),
            "changed_ids": [change.advisory_id for change in changes][:50],
            "unreadable_files": len(read.unreadable_files), "unreadable_ranges": unreadable_ranges}


def recompute_changed_projects(conn: psycopg.Connection) -> dict:
    """Recompute the statuses of every project queued by a load (and only those) on every site, then
    recount the security summaries of the sites whose rows changed, and empty the queue: one transaction."""
    projects = advisories.recompute_queue(conn)
    if not projects:
        return {"projects": [], "site_modules_checked": 0, "site_modules_changed": 0}
    # Site modules first: the sites and versions they name exist when those are read after them.
    site_modules = statuses.installed(conn, site_ids=None, projects=projects)
    computed = compute_statuses(project_inputs(conn, site_modules, site_ids=None, projects=projects))
    changed = changed_statuses(computed)
    site_ids = changed["site_id"].unique().sort().to_list()
    with conn.transaction():
        written = write_changed(conn, computed, site_ids=site_ids)
        advisories.recompute_done(conn, projects=projects)
    return {"projects": projects, **written}


# --- what `modwatch advisories load` runs ----------------------------------------------------------------


def advisories_job_run(source: str | None) -> tuple[str, dict]:
    """The job and run config that load `source`: a composer metapackage (`.json`) or the OSV database
    (a directory, a zip, a URL; None: MODWATCH_OSV_URL, else the public database)."""
    if source and source.lower().endswith(".json") and not _is_osv_file(source):
        return METAPACKAGE_JOB, {"ops": {"security_advisories": {"config": {"source": source}}}}
    return OSV_JOB, {"ops": {"osv_advisories": {"config": {"source": source}}}}


def _is_osv_file(source: str) -> bool:
    # A local JSON file is an OSV advisory when it says so; a URL ending in .json is taken as a metapackage.
    if source.startswith(("http://", "https://")):
        return False
    try:
        document = json.loads(_local_path(source).read_bytes())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(document, dict) and "conflict" not in document and "affected" in document
