"""The module catalogue: modules, the versions seen of them, and which sites use them.

Reads for the API, and the admin's changes by hand. Every change takes the
catalogue lock first (lock.sql) and writes its audit row in the same
transaction, so changes are serialised and their audit rows commit in id
order: the catalog sensor reads them with `version_changes`.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sql import audit, summaries
from sql.query import Query, Statement, operation

# Audit actions of the changes that can move statuses: only versions feed the
# status computation; names, links and descriptions do not, and a deleted
# module takes its rows along.
VERSION_ACTIONS = ("module.version_add", "module.version_update")
# The version fields a change by hand may set (absent: kept).
VERSION_FIELDS = ("is_security_update", "release_date", "release_notes_link")
# The module fields a change by hand may set.
EDITABLE_FIELDS = ("display_name", "drupal_org_link", "description")


class ModuleRow(NamedTuple):
    id: int
    machine_name: str
    display_name: str
    project: str
    module_type: str
    description: str | None
    drupal_org_link: str | None
    created_at: datetime
    updated_at: datetime


class UpdatedModule(NamedTuple):
    """The module after the change, and the values it had before."""

    id: int
    machine_name: str
    display_name: str
    project: str
    module_type: str
    description: str | None
    drupal_org_link: str | None
    created_at: datetime
    updated_at: datetime
    old_display_name: str
    old_drupal_org_link: str | None
    old_description: str | None


class ModuleSummaryRow(NamedTuple):
    id: int
    machine_name: str
    display_name: str
    project: str
    module_type: str
    description: str | None
    drupal_org_link: str | None
    created_at: datetime
    updated_at: datetime
    site_count: int
    version_count: int


class ModulePageRow(NamedTuple):
    """A module of one page with its counts (NULLs past the end, with the total)."""

    total: int
    machine_name: str | None
    display_name: str | None
    project: str | None
    module_type: str | None
    description: str | None
    drupal_org_link: str | None
    created_at: datetime | None
    updated_at: datetime | None
    site_count: int | None
    version_count: int | None


class VersionPageRow(NamedTuple):
    """A version of one page; `module_id` is NULL for no such module, the rest past the end."""

    module_id: int | None
    total: int | None
    version: str | None
    is_security_update: bool | None
    release_date: datetime | None
    release_notes_link: str | None
    created_at: datetime | None
    site_count: int | None


class ModuleSiteRow(NamedTuple):
    """A site of one page and the module on it; `module_id` is NULL for no such module."""

    module_id: int | None
    total: int | None
    site_id: int | None
    site_name: str | None
    site_url: str | None
    version: str | None
    enabled: bool | None
    status: str | None
    known_vulnerable: bool | None
    removed_at: datetime | None


class LockedModule(NamedTuple):
    id: int
    machine_name: str
    display_name: str
    project: str


class Usage(NamedTuple):
    sites_using: int
    sites_removed: int


class DeletedModule(NamedTuple):
    id: int
    site_ids: Sequence[int]


class VersionState(NamedTuple):
    """A module and one of its versions before a change: `version_id` NULL for a new version,
    `module_id` NULL for no such module."""

    module_id: int | None
    version_id: int | None
    is_security_update: bool | None
    release_date: datetime | None
    release_notes_link: str | None


class VersionRow(NamedTuple):
    version: str
    is_security_update: bool
    release_date: datetime | None
    release_notes_link: str | None
    created_at: datetime
    site_count: int


class CatalogueChange(NamedTuple):
    """An audit row of a change by hand: `entity_id` is the module's machine name."""

    id: int
    action: str
    entity_id: str


class ModuleDeletion(NamedTuple):
    """What `delete` did: `deleted` is false when sites use or used the module and it was not forced."""

    deleted: bool
    sites_using: int
    sites_removed: int


class VersionChange(NamedTuple):
    """The version after `add_version`, and whether it was new."""

    version: VersionRow
    created: bool


LOCK = Statement.of(__file__, "lock")
GET = Query.of(__file__, "get", row=ModuleSummaryRow)
PAGE = Query.of(__file__, "page", row=ModulePageRow)
VERSIONS_PAGE = Query.of(__file__, "versions_page", row=VersionPageRow)
SITES_USING = Query.of(__file__, "sites_using", row=ModuleSiteRow)
SITES_NOT_USING = Query.of(__file__, "sites_not_using", row=ModuleSiteRow)
INSERT = Query.of(__file__, "insert", row=ModuleRow)
UPDATE = Query.of(__file__, "update", row=UpdatedModule)
LOCK_MODULE = Query.of(__file__, "lock_module", row=LockedModule)
USAGE = Query.of(__file__, "usage", row=Usage)
DELETE = Query.of(__file__, "delete", row=DeletedModule)
VERSION_STATE = Query.of(__file__, "version_state", row=VersionState)
VERSION_UPSERT = Query.of(__file__, "version_upsert", row=VersionRow)
VERSION_CHANGES = Query.of(__file__, "version_changes", row=CatalogueChange)


def like_pattern(text: str) -> str:
    """`text` anywhere, with LIKE's wildcards in it taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def get(conn, *, machine_name: str):
    """The module with its counts (`ModuleSummaryRow`), or None."""
    return GET.one(conn, machine_name=machine_name)


def page(conn, *, module_type: str | None, project: str | None, search: str | None, limit: int, offset: int):
    """`ModulePageRow`s by machine name; `search` is text anywhere in the machine or display name."""
    return PAGE.all(conn, module_type=module_type, project=project,
                    search=like_pattern(search) if search else None, limit=limit, offset=offset)


def versions_page(conn, *, machine_name: str, limit: int, offset: int):
    """`VersionPageRow`s, newest first (unparsable versions last)."""
    return VERSIONS_PAGE.all(conn, machine_name=machine_name, limit=limit, offset=offset)


def sites_page(conn, *, machine_name: str, using: bool, limit: int, offset: int):
    """`ModuleSiteRow`s by site id: the sites with the module installed, or (`using=False`) the others."""
    query = SITES_USING if using else SITES_NOT_USING
    return query.all(conn, machine_name=machine_name, limit=limit, offset=offset)


def version_changes(conn, *, actions: Sequence[str] = VERSION_ACTIONS, after_id: int):
    """The audit rows (`CatalogueChange`) of changes by hand with one of `actions`, past audit row `after_id`."""
    return VERSION_CHANGES.all(conn, actions=list(actions), after_id=after_id)


@operation
def create(*, machine_name: str, display_name: str, project: str | None, module_type: str,
           description: str | None, drupal_org_link: str | None, actor: str):
    """Add a module (`ModuleRow`; its project is its machine name unless given), or None when the
    machine name is taken. Audited as `module.create`."""
    values = {"machine_name": machine_name, "display_name": display_name, "project": project or machine_name,
              "module_type": module_type, "description": description, "drupal_org_link": drupal_org_link}
    yield LOCK.step()
    rows = yield INSERT.step(**values)
    if not rows:
        return None
    yield audit.entry(actor=actor, action="module.create", entity_type="module", entity_id=machine_name,
                      details=values)
    return rows[0]


@operation
def update(*, machine_name: str, changes: dict[str, Any], actor: str):
    """Set the `EDITABLE_FIELDS` in `changes`, keep the others (`UpdatedModule`), or None for no such
    module. Audited as `module.update` with each field's `from` and `to`, when anything changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    yield LOCK.step()
    rows = yield UPDATE.step(machine_name=machine_name,
                             **{name: changes.get(name) for name in EDITABLE_FIELDS},
                             **{f"set_{name}": name in changes for name in EDITABLE_FIELDS})
    if not rows:
        return None
    (row,) = rows
    changed = {name: {"from": getattr(row, f"old_{name}"), "to": value} for name, value in changes.items()
               if getattr(row, f"old_{name}") != value}
    if changed:
        yield audit.entry(actor=actor, action="module.update", entity_type="module", entity_id=machine_name,
                          details=changed)
    return row


@operation
def delete(*, machine_name: str, force: bool, actor: str):
    """Delete the module with its versions, site modules and their events (`ModuleDeletion`), or None
    for no such module. While sites use or used it, only with `force`.

    The security summaries counted the module: its sites are recounted in the same transaction.
    """
    yield LOCK.step()
    modules = yield LOCK_MODULE.step(machine_name=machine_name)
    if not modules:
        return None
    (module,) = modules
    ((used_by, had_it),) = yield USAGE.step(module_id=module.id)
    if (used_by or had_it) and not force:
        return ModuleDeletion(False, used_by, had_it)
    (deleted,) = yield DELETE.step(module_id=module.id)
    yield from summaries.recount.steps(site_ids=deleted.site_ids)
    yield audit.entry(actor=actor, action="module.delete", entity_type="module", entity_id=machine_name,
                      details={"display_name": module.display_name, "project": module.project, "forced": force,
                               "sites_using": used_by, "sites_removed": had_it})
    return ModuleDeletion(True, used_by, had_it)


@operation
def add_version(*, machine_name: str, version: str, sort_key: int | None, is_security_update: bool | None,
                release_date: datetime | None, release_notes_link: str | None, actor: str):
    """Add a version of the module or change the fields given (None: keep) (`VersionChange`), or None
    for no such module. Audited as `module.version_add`, or `module.version_update` with what changed."""
    yield LOCK.step()
    (before,) = yield VERSION_STATE.step(machine_name=machine_name, version=version)
    if before.module_id is None:
        return None
    (row,) = yield VERSION_UPSERT.step(module_id=before.module_id, version=version, sort_key=sort_key,
                                       is_security_update=is_security_update, release_date=release_date,
                                       release_notes_link=release_notes_link)
    if before.version_id is None:
        yield audit.entry(actor=actor, action="module.version_add", entity_type="module", entity_id=machine_name,
                          details={"version": version,
                                   **{name: _jsonable(getattr(row, name)) for name in VERSION_FIELDS}})
        return VersionChange(row, created=True)
    changed = {name: {"from": _jsonable(getattr(before, name)), "to": _jsonable(getattr(row, name))}
               for name in VERSION_FIELDS if getattr(before, name) != getattr(row, name)}
    if changed:
        yield audit.entry(actor=actor, action="module.version_update", entity_type="module",
                          entity_id=machine_name, details={"version": version, "changed": changed})
    return VersionChange(row, created=False)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
