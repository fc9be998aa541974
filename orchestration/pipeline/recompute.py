"""Recompute statuses: of a few sites in one pass, of every site part by part.

A full recompute (the release refresh, the daily reconcile, a rule change)
computes millions of statuses and, when most of them changed, writes a whole
new table (`sql.statuses.rebuild`). Computing them takes seconds of Polars,
storing them seconds of one PostgreSQL backend; one after the other, each
leaves a core idle. So every site's statuses are computed in SITE_PARTS parts
(ranges of site ids): when the first part shows most statuses changed, the
rebuild starts, and the COPY takes each part's rows as it is computed, so
PostgreSQL stores one part while Polars computes the next. When the first part
shows few changes, every part is computed first and the decision is taken on
all of them, as it is for a few sites.
"""

import itertools
from collections.abc import Iterator
from functools import partial
from typing import NamedTuple

import polars as pl
import psycopg

from orchestration.pipeline.status import (
    StatusInputs,
    compute_statuses,
    drifted_statuses,
    load_inputs,
    mostly_changed,
    store_written,
    stored_json,
    write_changed,
)
from sql import statuses

# Enough parts that the first is stored early, few enough that the release data each part is judged by
# (shared by every part) is walked only a few times over.
SITE_PARTS = 4
# What is kept of a drifted row: the reconcile's check shows a sample.
DRIFT_COLUMNS = ("site_id", "project", "version", "status", "status_reason")


class Recomputed(NamedTuple):
    """What a recompute of every site wrote (`write_changed`'s counts) and the rows that had drifted."""

    written: dict[str, int]
    drift: pl.DataFrame


def refresh_status(conn: psycopg.Connection, site_ids: list[int] | None = None, *,
                   rebuild: bool | None = None) -> dict[str, int]:
    """Recompute statuses for the given sites' projects (every site when None), and their security
    summaries; answers the counts of the write. `rebuild`: write a whole new table (True) or update rows in
    place (False); None: rebuild when REBUILD_SHARE of the projects changed or more."""
    if site_ids is None:
        return recompute_all(conn, rebuild=rebuild).written
    return write_changed(conn, compute_statuses(load_inputs(conn, site_ids)), site_ids=site_ids, rebuild=rebuild)


def recompute_all(conn: psycopg.Connection, *, rebuild: bool | None = None) -> Recomputed:
    """Every site's statuses recomputed, part by part, and written with the security summaries (see the
    module's docstring); `rebuild` as `refresh_status` has it, None judged on the first part."""
    parts = computed_parts(load_inputs(conn, None))
    first = next(parts)
    if not (rebuild if rebuild is not None else mostly_changed(first)):
        computed = pl.concat([first, *parts])
        return Recomputed(write_changed(conn, computed, rebuild=rebuild),
                          drifted_statuses(computed).select(DRIFT_COLUMNS))
    tallies: list[pl.DataFrame] = []
    drifts: list[pl.DataFrame] = []

    def stored_parts() -> Iterator[pl.DataFrame]:
        for part in itertools.chain([first], parts):  # each part computed only when the COPY asks for it
            tallies.append(part.select("modules", "status_changed"))
            drifts.append(drifted_statuses(part).select(DRIFT_COLUMNS))
            yield stored_json(part)

    written = store_written(conn, partial(statuses.rebuild, conn, stored_parts()),
                            lambda: pl.concat(tallies), site_ids=None)
    return Recomputed(written, pl.concat(drifts))


def computed_parts(inputs: StatusInputs) -> Iterator[pl.DataFrame]:
    """`compute_statuses` of the inputs' site projects in SITE_PARTS ranges of site ids, in increasing order,
    each computed only when asked for; one empty part when there is no site."""
    site_ids = inputs.installed["site_id"].unique().sort().to_list()
    starts = sorted({site_ids[position * len(site_ids) // SITE_PARTS] for position in range(SITE_PARTS)}
                    if site_ids else set())
    bounds = list(itertools.pairwise([*starts, None])) or [(None, None)]
    for start, end in bounds:
        yield compute_statuses(inputs._replace(installed=_sites_between(inputs.installed, start, end),
                                               stored=partial(_stored_between, inputs, start, end)))


def _sites_between(frame: pl.DataFrame, start: int | None, end: int | None) -> pl.DataFrame:
    """The rows of sites from `start` (None: the first) to before `end` (None: the last)."""
    site, wanted = pl.col("site_id"), pl.lit(True)
    if start is not None:
        wanted &= site >= start
    if end is not None:
        wanted &= site < end
    return frame.filter(wanted)


def _stored_between(inputs: StatusInputs, start: int | None, end: int | None) -> pl.DataFrame:
    return _sites_between(inputs.stored(), start, end)
