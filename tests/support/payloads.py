"""Build inventory payloads of both shapes for tests."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    machine_name: str
    version: str
    enabled: bool = True
    module_type: str = "contrib"
    project: str | None = None
    datestamp: int | None = None


def shape_a(url: str, modules: list[Module], *, core: str = "10.3.8", full_sync: bool = False) -> dict:
    """The first-generation payload (seeds/003): `full_sync` defaults to partial."""
    return {
        "site": {"url": url, "name": "Test site"},
        "drupal_info": {"core_version": core, "php_version": "8.3.2"},
        "modules": [
            {"machine_name": m.machine_name, "display_name": m.machine_name.replace("_", " ").title(),
             "module_type": m.module_type, "enabled": m.enabled, "version": m.version,
             **({"project": m.project} if m.project else {}),
             **({"datestamp": m.datestamp} if m.datestamp is not None else {})}
            for m in modules
        ],
        "full_sync": full_sync,
    }


def shape_b(modules: list[Module], *, core: str = "10.3.8", sync_type: str = "full") -> dict:
    """The second-generation payload (seeds/002): `sync_type` defaults to full."""
    return {
        "site_info": {"name": "Test site", "environment": "production"},
        "modules": [
            {"machine_name": m.machine_name, "name": m.machine_name.replace("_", " ").title(),
             "type": m.module_type, "version": m.version, "status": m.enabled,
             **({"project": m.project} if m.project else {}),
             **({"datestamp": m.datestamp} if m.datestamp is not None else {})}
            for m in modules
        ],
        "sync_timestamp": "2026-11-21T10:00:00Z",
        "drupal_version": core,
        "php_version": "8.3.2",
        "sync_type": sync_type,
    }


def many_modules(count: int, *, version: str = "8.x-1.0", prefix: str = "module") -> list[Module]:
    return [Module(f"{prefix}_{i:05d}", version) for i in range(count)]
