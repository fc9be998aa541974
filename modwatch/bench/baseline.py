"""The baseline every throughput figure is compared with: the module sync the original product documents
specified, written as they describe it.

One sync per payload. For each module, in turn: get or create the module,
get or create its version, get or create the site module (or update it),
then look for a newer security release; every create and update is its own
commit followed by a read back. A full sync then marks the site modules the
payload no longer lists, one update each. The documents' per-request caches
of modules and versions are kept, and preloaded in one query each, so the
baseline is the design at its best, not a strawman.

The documents ran this on an async session with `asyncio.gather` over
batches of 100; one session cannot run statements concurrently, so those
calls end up one after the other anyway. A sync session runs the same
statements and commits in the same order without an event loop's overhead,
which only makes the baseline faster and the ratio smaller.
"""

import re
import time
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy.orm import Session

from sql import baseline


@dataclass
class SyncResult:
    processed: int = 0
    new_modules: int = 0
    updated_modules: int = 0
    removed_modules: int = 0
    security_updates: int = 0
    errors: list[str] = field(default_factory=list)


def parse_semantic_version(version: str) -> str:
    """`8.x-1.0` → `1.0.0`, the documents' simplified normalisation."""
    version = re.sub(r"^\d+\.x-", "", version)
    version = re.sub(r"-\w+\d*$", "", version)
    parts = version.split(".")
    while len(parts) < 3:
        parts.append("0")
    return ".".join(parts[:3])


class ModuleSyncService:
    """One payload's sync, with the per-request caches the documents give it."""

    def __init__(self, session: Session):
        self.session = session
        self.modules: dict[str, baseline.Module] = {}
        self.versions: dict[tuple[int, str], baseline.ModuleVersion] = {}

    def process_sync(self, site_id: int, modules: list[dict], *, full_sync: bool, core_version: str) -> SyncResult:
        site = baseline.site(self.session, site_id)
        if site is None:
            raise LookupError(f"no baseline site {site_id}")
        self._preload(modules)
        result = SyncResult(processed=len(modules))
        for module in modules:
            self._process_module(site_id, module, result)
        if full_sync:
            result.removed_modules = self._remove_missing(site_id, {m["machine_name"] for m in modules})
        baseline.update(self.session, site, {"last_sync": baseline.now(), "drupal_version": core_version})
        return result

    def _preload(self, modules: list[dict]) -> None:
        names = [module["machine_name"] for module in modules]
        for found in baseline.modules_named(self.session, names):
            self.modules[found.machine_name] = found
        known = [module for module in modules if module["machine_name"] in self.modules]
        pairs = [(self.modules[module["machine_name"]].id, module["version"]) for module in known]
        for found in baseline.versions_of(self.session, pairs):
            self.versions[(found.module_id, found.version_string)] = found

    def _process_module(self, site_id: int, info: dict, result: SyncResult) -> None:
        try:
            module = self._get_or_create_module(info)
            version = self._get_or_create_version(module, info)
            is_new, version_changed = self._update_site_module(site_id, module.id, version.id, info["enabled"])
            result.new_modules += is_new
            result.updated_modules += version_changed
            result.security_updates += baseline.has_newer_security_release(self.session, module.id, version.id)
        except Exception as error:  # the documents collect a failing module's error and go on
            self.session.rollback()
            result.errors.append(f"{info['machine_name']}: {error}")

    def _get_or_create_module(self, info: dict) -> baseline.Module:
        name = info["machine_name"]
        if name in self.modules:
            return self.modules[name]
        module = baseline.module_by_machine_name(self.session, name)
        if module is None:
            module = baseline.create(self.session, baseline.Module(
                machine_name=name, display_name=info.get("display_name") or name,
                module_type=info["module_type"], description=None, drupal_org_link=None))
        self.modules[name] = module
        return module

    def _get_or_create_version(self, module: baseline.Module, info: dict) -> baseline.ModuleVersion:
        key = (module.id, info["version"])
        if key in self.versions:
            return self.versions[key]
        version = baseline.version_of(self.session, module.id, info["version"])
        if version is None:
            version = baseline.create(self.session, baseline.ModuleVersion(
                module_id=module.id, version_string=info["version"],
                semantic_version=parse_semantic_version(info["version"]),
                drupal_core_compatibility=[], release_date=baseline.now()))
        self.versions[key] = version
        return version

    def _update_site_module(self, site_id: int, module_id: int, version_id: int, enabled: bool) -> tuple[bool, bool]:
        site_module = baseline.site_module_of(self.session, site_id, module_id)
        seen = baseline.now()
        if site_module is None:
            baseline.create(self.session, baseline.SiteModule(
                site_id=site_id, module_id=module_id, current_version_id=version_id, enabled=enabled,
                first_seen=seen, last_seen=seen))
            return True, False
        values = {"enabled": enabled, "last_seen": seen}
        changed = site_module.current_version_id != version_id
        if changed:
            values |= {"current_version_id": version_id, "last_updated": seen}
        baseline.update(self.session, site_module, values)
        return False, changed

    def _remove_missing(self, site_id: int, listed: set[str]) -> int:
        removed = 0
        for site_module in baseline.enabled_site_modules(self.session, site_id):
            if site_module.module.machine_name not in listed:
                baseline.update(self.session, site_module, {"enabled": False, "last_seen": baseline.now()})
                removed += 1
        return removed


def register_sites(factory, count: int) -> list[int]:
    with factory() as session:
        return [baseline.create(session, baseline.Site(name=f"baseline {n}", url=f"https://baseline-{n}.bench.example")).id
                for n in range(count)]


def sync_rounds(database_url: str, rounds: list[pl.DataFrame], tick=lambda: None) -> dict:
    """Sync every round of inventories (each: the `site` column indexes sites) with the baseline, one payload
    at a time as a site would push them; answers the rows, seconds and what the syncs reported."""
    factory, tally = baseline.sessions(database_url)
    try:
        baseline.create_tables(factory)
        sites = int(max(frame["site"].max() for frame in rounds)) + 1
        site_ids = register_sites(factory, sites)
        totals = SyncResult()
        seconds = 0.0
        tally.statements = tally.commits = 0
        for inventory in rounds:
            for (index,), rows in inventory.partition_by("site", as_dict=True, maintain_order=True).items():
                modules = rows.select("machine_name", "module_type", "version", "enabled").to_dicts()
                core = rows.filter(pl.col("project") == "drupal")["version"]
                with factory() as session:
                    started = time.perf_counter()
                    done = ModuleSyncService(session).process_sync(
                        site_ids[index], modules, full_sync=True, core_version=core[0] if len(core) else "")
                    seconds += time.perf_counter() - started
                for name in ("processed", "new_modules", "updated_modules", "removed_modules", "security_updates"):
                    setattr(totals, name, getattr(totals, name) + getattr(done, name))
                totals.errors += done.errors
                tick()
        sent = baseline.RoundTrips(tally.statements, tally.commits)
        with factory() as session:
            tables = baseline.counts(session)
    finally:
        baseline.drop_tables(factory)
        factory.kw["bind"].dispose()
    return {"payloads": sum(frame["site"].n_unique() for frame in rounds), "rows": totals.processed,
            "seconds": round(seconds, 2), "rows_per_second": round(totals.processed / seconds, 1) if seconds else None,
            "created": totals.new_modules, "version_changed": totals.updated_modules,
            "removed": totals.removed_modules, "errors": len(totals.errors), "tables": tables,
            # Each commit waits for the WAL flush: commits per row and the server's flush time set the pace.
            "statements_per_row": round(sent.statements / max(1, totals.processed), 2),
            "commits_per_row": round(sent.commits / max(1, totals.processed), 2)}
