"""A synthetic portfolio written straight into the tables with `generate_series`.

For query plans and timings at scale, where going through the intake and the
ingest job would take far too long: `sites` sites of `modules_per_site`
modules each, drawn from a catalogue of `catalog` modules with `versions`
versions each. The first `core_modules` modules are on every site (as core's
are); the rest slide over the catalogue, so every module is used by a similar
share of sites. A project has one state per site (one version, one status),
as Drupal reports it: core's modules all share the state of the first.
Roughly `insecure_permille` of the contrib site modules are in trouble
(NOT_SECURE, REVOKED or known-vulnerable), all of them on one module in 20 —
as in a real portfolio, where trouble follows the few projects with an
advisory out — and 15 % of the rest have an ordinary update.

Ids are never assumed: temporary tables number the generated rows, so the
loader works on any database with the schema, emptied or not.
"""

from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class Population:
    sites: int = 300
    modules_per_site: int = 60
    catalog: int = 400
    core_modules: int = 20
    versions: int = 8
    insecure_permille: int = 15
    events_per_module: int = 1  # an `added` event per site module; 2 adds a `version_changed`


STEPS = [
    """
    CREATE TEMP TABLE pop_modules ON COMMIT DROP AS
    WITH inserted AS (
        INSERT INTO modules (machine_name, display_name, module_type, project, description)
        SELECT format('pop_%%s', lpad(n::text, 6, '0')), format('Population module %%s', n),
               CASE WHEN n < %(core_modules)s THEN 'core' WHEN n %% 25 = 0 THEN 'custom' ELSE 'contrib' END,
               CASE WHEN n < %(core_modules)s THEN 'drupal' ELSE format('pop_%%s', lpad(n::text, 6, '0')) END,
               'Generated for a scale test'
        FROM generate_series(0, %(catalog)s - 1) AS n
        RETURNING id, machine_name, module_type, project
    )
    SELECT substr(machine_name, 5)::int AS n, id, module_type, project FROM inserted
    """,
    "CREATE UNIQUE INDEX ON pop_modules (n)",
    """
    CREATE TEMP TABLE pop_versions ON COMMIT DROP AS
    WITH inserted AS (
        INSERT INTO module_versions (module_id, version_string, sort_key, release_date)
        SELECT m.id, format('8.x-1.%%s', k), 1000000000000000 + k * 100000000 + 50000000,
               now() - (%(versions)s - k) * interval '30 days'
        FROM pop_modules m CROSS JOIN generate_series(0, %(versions)s - 1) AS k
        RETURNING id, module_id, version_string
    )
    SELECT m.n, split_part(i.version_string, '.', 3)::int AS k, i.id
    FROM inserted i JOIN pop_modules m ON m.id = i.module_id
    """,
    "CREATE UNIQUE INDEX ON pop_versions (n, k)",
    """
    CREATE TEMP TABLE pop_sites ON COMMIT DROP AS
    WITH inserted AS (
        INSERT INTO sites (name, url, token_hash, core_version, php_version, created_at, last_sync_at)
        SELECT format('Population site %%s', s), format('https://pop-%%s.example.org', s),
               sha256(convert_to(format('pop-token-%%s-%%s', s, clock_timestamp()), 'UTF8')),
               '10.3.8', '8.3.2', now() - interval '90 days',
               -- one site in 20 has not synced for over two days
               now() - CASE WHEN s %% 20 = 0 THEN interval '72 hours' ELSE (s %% 24) * interval '1 hour' END
        FROM generate_series(0, %(sites)s - 1) AS s
        RETURNING id, name
    )
    SELECT split_part(name, ' ', 3)::int AS n, id FROM inserted
    """,
    """
    CREATE TEMP TABLE pop_site_modules ON COMMIT DROP AS
    SELECT s.id AS site_id, m.id AS module_id, cv.id AS current_version_id,
           format('8.x-1.%%s', %(versions)s - 1) AS latest_version,
           m.project, m.module_type, picked.j %% 17 <> 0 AS enabled,
           state.status IN ('NOT_SECURE', 'NOT_CURRENT') AS update_available,
           state.status = 'NOT_SECURE' AS security_update_available, state.vulnerable AS known_vulnerable,
           state.status,
           CASE WHEN state.status = 'UNKNOWN' THEN 'custom code: no release data on drupal.org'
                WHEN state.status = 'REVOKED' THEN 'installed release revoked (unpublished)' END AS status_reason,
           format('8.x-1.%%s', %(versions)s - 1) AS recommended_version,
           CASE WHEN state.status = 'NOT_SECURE' THEN ARRAY[format('8.x-1.%%s', %(versions)s - 1)]
                ELSE '{}' END AS security_updates,
           CASE WHEN state.vulnerable THEN jsonb_build_array(jsonb_build_object(
                    'id', NULL, 'aliases', '[]'::jsonb, 'url', NULL, 'summary', NULL, 'fixed_in', NULL,
                    'constraint', format('<1.%%s', %(versions)s - 1)))
                ELSE '[]'::jsonb END AS advisories,
           now() - interval '60 days' AS first_seen, now() - (s.n %% 24) * interval '1 hour' AS last_seen,
           now() - interval '30 days' AS last_updated, bucket.n
    FROM pop_sites s
    CROSS JOIN LATERAL generate_series(0, %(modules_per_site)s - 1) AS picked(j)
    CROSS JOIN LATERAL (
        SELECT CASE WHEN picked.j < %(core_modules)s THEN picked.j
                    ELSE %(core_modules)s + (s.n * 131 + picked.j - %(core_modules)s)
                         %% (%(catalog)s - %(core_modules)s) END AS n,
               -- a project has one state per site: core's modules all draw its first module's
               abs(hashtext(s.n || ':' || CASE WHEN picked.j < %(core_modules)s THEN 0 ELSE picked.j END))
                   %% 1000 AS b
    ) AS bucket
    JOIN pop_modules m ON m.n = bucket.n
    CROSS JOIN LATERAL (
        -- Trouble sticks to one project in 20 (those with an advisory out), on
        -- 20 x insecure_permille per mille of their sites: 70 %% of it
        -- NOT_SECURE, 10 %% REVOKED, 20 %% known-vulnerable (and NOT_CURRENT).
        -- Core is not prone: its modules share the state of its first, which is not.
        SELECT m.module_type = 'contrib' AND bucket.n %% 20 = 7 AS prone,
               least(%(insecure_permille)s * 20, 850) AS trouble
    ) AS risk
    CROSS JOIN LATERAL (
        SELECT CASE WHEN m.module_type = 'custom' THEN 'UNKNOWN'
                    WHEN risk.prone AND bucket.b < risk.trouble * 7 / 10 THEN 'NOT_SECURE'
                    WHEN risk.prone AND bucket.b < risk.trouble * 8 / 10 THEN 'REVOKED'
                    WHEN risk.prone AND bucket.b < risk.trouble THEN 'NOT_CURRENT'
                    WHEN bucket.b >= 850 THEN 'NOT_CURRENT'
                    ELSE 'CURRENT' END AS status,
               risk.prone AND bucket.b >= risk.trouble * 8 / 10 AND bucket.b < risk.trouble AS vulnerable
    ) AS state
    JOIN pop_versions cv ON cv.n = bucket.n AND cv.k = CASE WHEN state.status IN ('CURRENT', 'UNKNOWN')
        THEN %(versions)s - 1 ELSE bucket.b %% (%(versions)s - 1) END
    """,
    """
    INSERT INTO site_modules (site_id, module_id, current_version_id, project, module_type, enabled,
                              first_seen, last_seen, last_updated)
    SELECT site_id, module_id, current_version_id, project, module_type, enabled, first_seen, last_seen,
           last_updated
    FROM pop_site_modules
    ORDER BY site_id, module_id
    """,
    # One status per site and project: its modules share their state, so any of them speaks for it.
    """
    INSERT INTO site_projects (site_id, project, version, modules, status, status_reason, latest_version,
                               recommended_version, security_updates, update_available,
                               security_update_available, known_vulnerable, advisories, status_checked_at)
    SELECT DISTINCT ON (p.site_id, p.project)
           p.site_id, p.project, v.version_string, count(*) OVER (PARTITION BY p.site_id, p.project), p.status,
           p.status_reason, p.latest_version, p.recommended_version, p.security_updates, p.update_available,
           p.security_update_available, p.known_vulnerable, p.advisories, now()
    FROM pop_site_modules p
    JOIN module_versions v ON v.id = p.current_version_id
    ORDER BY p.site_id, p.project, p.n
    """,
    """
    INSERT INTO site_module_events (site_module_id, site_id, module_id, event_type, from_version, to_version,
                                    occurred_at)
    SELECT sm.id, sm.site_id, sm.module_id, kind.event_type,
           CASE WHEN kind.event_type = 'version_changed' THEN '8.x-1.0' END, v.version_string,
           sm.first_seen + kind.after
    FROM pop_sites s
    JOIN site_modules sm ON sm.site_id = s.id
    JOIN module_versions v ON v.id = sm.current_version_id
    CROSS JOIN LATERAL (VALUES ('added', interval '0'), ('version_changed', interval '20 days'))
        AS kind(event_type, after)
    WHERE kind.event_type = 'added' OR %(events_per_module)s > 1
    """,
]


def load_population(conn: psycopg.Connection, population: Population = Population()) -> list[int]:
    """Write the population in one transaction; returns the new site ids in order."""
    params = vars(population)
    with conn.transaction():
        for step in STEPS:
            conn.execute(step, params)
        rows = conn.execute("SELECT id FROM pop_sites ORDER BY n").fetchall()
    return [row[0] if isinstance(row, tuple) else row["id"] for row in rows]
