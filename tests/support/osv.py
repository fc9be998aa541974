"""The Drupal Security Team's OSV database as the tests use it: a snapshot of the repository, zipped."""

import json
import zipfile
from functools import cache
from pathlib import Path

SNAPSHOT_ZIP = Path(__file__).resolve().parents[1] / "transforms" / "data" / "osv" / "drupal-advisory-database-main.zip"
SNAPSHOT_ADVISORIES = 591


@cache
def _snapshot() -> dict[str, dict]:
    with zipfile.ZipFile(SNAPSHOT_ZIP) as archive:
        return {document["id"]: document for document in (
            json.loads(archive.read(name)) for name in archive.namelist()
            if "/advisories/" in name and name.endswith(".json"))}


def snapshot_documents() -> list[dict]:
    """Every advisory of the snapshot (fresh copies: a test may change them)."""
    return json.loads(json.dumps(list(_snapshot().values())))


def advisory(advisory_id: str) -> dict:
    """One advisory of the snapshot (a fresh copy)."""
    return json.loads(json.dumps(_snapshot()[advisory_id]))


def write_database(folder: Path, documents: list[dict]) -> Path:
    """An OSV database folder laid out as the repository is: `advisories/<project>/<id>.json`."""
    for document in documents:
        project = document["affected"][0]["package"]["name"].removeprefix("drupal/")
        path = folder / "advisories" / project / f"{document['id']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
    return folder
