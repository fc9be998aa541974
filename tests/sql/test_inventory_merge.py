"""The merge applies a run's payloads in rounds, all at once: a batch must leave the tables, the history
and the task results exactly as merging its payloads one at a time, in arrival order, would.

Each scenario is merged twice on the same database, for two sets of sites with identical payloads: once
as batches (several payloads per site in one merge, a site's later batch finding what the earlier one
stored) and once payload by payload. The payloads cover what a run may hold: full and partial syncs,
modules left out (removed) and listed again, version changes, modules enabled and disabled, project, type
and datestamp changes, and a module new to the catalogue in one payload and removed by the next.
"""

import datetime as dt
import random
import uuid
from dataclasses import dataclass

import polars as pl
import psycopg
import pytest

from orchestration.pipeline.merge import merge_inventory

FRAME_SCHEMA = {
    "landing_id": pl.Int64, "task_id": pl.String, "site_id": pl.Int64, "sync_type": pl.String,
    "received_at": pl.Datetime("us", "UTC"), "machine_name": pl.String, "project": pl.String,
    "display_name": pl.String, "module_type": pl.String, "enabled": pl.Boolean, "description": pl.String,
    "version": pl.String, "major": pl.Int32, "minor": pl.Int32, "patch": pl.Int32, "extra": pl.String,
    "sort_key": pl.Int64, "datestamp": pl.Int64, "warning": pl.String,
}
# Parsed fields per version; "" is what the normaliser makes of a missing version.
VERSIONS = {"1.0": (1, 0, 10), "1.1": (1, 1, 11), "2.0": (2, 0, 20), "1.x-dev": (1, None, 5), "": (None, None, None)}
START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Payload:
    site: int  # the site's position in the scenario, not its id
    sync_type: str
    modules: tuple[tuple, ...]  # (machine_name, version, enabled, project, module_type, datestamp)


def module(name, version="1.0", enabled=True, project=None, module_type="contrib", datestamp=None) -> tuple:
    return (name, version, enabled, project or name, module_type, datestamp)


# Two sites; batches of payloads, each site's in arrival order.
HANDWRITTEN = [
    [Payload(0, "full", (module("a"), module("b"), module("c"))),
     Payload(1, "full", (module("a"), module("d"), module("blank", ""))),
     Payload(0, "partial", (module("b", "1.1"), module("e"))),
     Payload(0, "full", (module("a", enabled=False), module("c"))),  # b and e go
     Payload(1, "full", (module("d"), module("blank", "")))],  # a goes
    [Payload(0, "full", (module("a", "2.0"), module("b", "1.1"), module("c", project="group"))),  # b is back
     Payload(1, "partial", (module("a"),)),  # a is back
     Payload(0, "full", (module("a", "2.0"), module("b", "1.1", enabled=False),
                         module("c", project="group", datestamp=1_700_000_000))),
     Payload(0, "full", (module("a", "1.x-dev", module_type="custom"), module("fresh"))),  # b and c go
     Payload(0, "full", (module("a", "1.x-dev", module_type="custom"),))],  # fresh goes in the same run
]


def random_scenario(seed: int) -> list[list[Payload]]:
    rng = random.Random(seed)
    names = [f"m{i}" for i in range(rng.randint(3, 9))]
    return [[Payload(rng.randrange(2), rng.choice(["full", "full", "partial"]),
                     tuple(module(name, rng.choice(list(VERSIONS)), rng.random() < 0.7,
                                  rng.choice([name, name, "shared"]), rng.choice(["contrib", "contrib", "custom"]),
                                  rng.choice([None, None, 1_700_000_000]))
                           for name in rng.sample(names, rng.randint(1, len(names)))))
             for _ in range(rng.randint(1, 7))]
            for _ in range(rng.randint(1, 3))]


class Scenario:
    """Lands payloads for sites of its own and merges them as the ingest run does."""

    def __init__(self, conn: psycopg.Connection, label: str):
        self.conn = conn
        self.site_ids = [conn.execute(
            "INSERT INTO sites (name, url, token_hash) VALUES (%s, %s, %s) RETURNING id",
            (f"{label} {n}", f"https://{label}-{n}.test", uuid.uuid4().bytes)).fetchone()[0] for n in range(2)]
        self.outcomes: dict[str, int] = {}

    def land(self, payload: Payload, received_at: dt.datetime) -> pl.DataFrame:
        site_id = self.site_ids[payload.site]
        landing_id, task_id = self.conn.execute(
            "INSERT INTO landing_payloads (site_id, received_at, payload_shape, sync_type, core_version,"
            " modules_received, body, body_sha256) VALUES (%s, %s, 'a', %s, '10.3.0', %s, '', '')"
            " RETURNING id, task_id::text",
            (site_id, received_at, payload.sync_type, len(payload.modules))).fetchone()
        rows = [{"landing_id": landing_id, "task_id": task_id, "site_id": site_id, "sync_type": payload.sync_type,
                 "received_at": received_at, "machine_name": name, "project": project, "display_name": name.upper(),
                 "module_type": module_type, "enabled": enabled, "description": None, "version": version,
                 "major": VERSIONS[version][0], "minor": VERSIONS[version][1], "patch": None, "extra": None,
                 "sort_key": VERSIONS[version][2], "datestamp": datestamp,
                 "warning": None if version[:1].isdigit() else "odd version"}
                for name, version, enabled, project, module_type, datestamp in payload.modules]
        return pl.DataFrame(rows, schema=FRAME_SCHEMA)

    def merge(self, frame: pl.DataFrame) -> None:
        for outcome, count in merge_inventory(self.conn, frame).items():
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + count

    def state(self) -> dict:
        """Everything the merge writes for these sites, with ids replaced by the site's position."""
        position = {site_id: n for n, site_id in enumerate(self.site_ids)}
        site_modules = self.conn.execute(
            "SELECT sm.site_id, m.machine_name, v.version_string, sm.project, sm.module_type, sm.enabled,"
            "       sm.datestamp, sm.first_seen, sm.last_seen, sm.last_updated, sm.removed_at"
            " FROM site_modules sm JOIN modules m ON m.id = sm.module_id"
            " JOIN module_versions v ON v.id = sm.current_version_id"
            " WHERE sm.site_id = ANY(%s) ORDER BY sm.site_id, m.machine_name", (self.site_ids,)).fetchall()
        # Each site's history in the order it was written (the history page's tie-break).
        events = self.conn.execute(
            "SELECT e.site_id, m.machine_name, e.event_type, e.from_version, e.to_version, e.occurred_at,"
            "       sm.module_id = e.module_id"
            " FROM site_module_events e JOIN modules m ON m.id = e.module_id"
            " JOIN site_modules sm ON sm.id = e.site_module_id"
            " WHERE e.site_id = ANY(%s) ORDER BY e.site_id, e.id", (self.site_ids,)).fetchall()
        results = self.conn.execute(
            "SELECT site_id, result - 'site_id', progress_message, merged_at IS NOT NULL FROM landing_payloads"
            " WHERE site_id = ANY(%s) ORDER BY id", (self.site_ids,)).fetchall()
        sites = self.conn.execute(
            "SELECT last_sync_at, last_full_sync_at FROM sites WHERE id = ANY(%s) ORDER BY id",
            (self.site_ids,)).fetchall()
        return {
            "site_modules": [(position[row[0]], *row[1:]) for row in site_modules],
            "events": [(position[row[0]], *row[1:]) for row in events],
            "results": [(position[row[0]], *row[1:]) for row in results],
            "sites": sites,
            "outcomes": self.outcomes,
        }


def merged_both_ways(conn: psycopg.Connection, batches: list[list[Payload]]) -> tuple[dict, dict]:
    batched, one_by_one = Scenario(conn, "batched"), Scenario(conn, "single")
    received_at = START
    for batch in batches:
        frames = []
        for payload in batch:
            received_at += dt.timedelta(minutes=1)
            frames.append(batched.land(payload, received_at))
            one_by_one.merge(one_by_one.land(payload, received_at))
        batched.merge(pl.concat(frames))
    return batched.state(), one_by_one.state()


@pytest.fixture
def conn(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


def test_a_batch_of_every_kind_of_change_equals_its_payloads_merged_one_by_one(conn):
    batched, one_by_one = merged_both_ways(conn, HANDWRITTEN)
    assert batched == one_by_one
    # The scenario does what it says: removals, re-additions and every event type happen.
    assert {event[2] for event in batched["events"]} == {"added", "removed", "version_changed", "enabled",
                                                         "disabled"}
    assert batched["outcomes"] == {"created": 10, "updated": 5, "unchanged": 7, "removed": 6}
    assert [row[2] for row in batched["site_modules"] if row[1] == "blank"] == [""]
    fresh = [row for row in batched["site_modules"] if row[1] == "fresh"]
    assert len(fresh) == 1 and fresh[0][10] is not None and not fresh[0][5]  # removed, disabled


@pytest.mark.parametrize("seed", range(12))
def test_random_batches_equal_their_payloads_merged_one_by_one(conn, seed):
    batched, one_by_one = merged_both_ways(conn, random_scenario(seed))
    assert batched == one_by_one
