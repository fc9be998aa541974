"""Manual catalogue changes start a status recomputation: the catalog sensor.

An admin who marks a version as a security release by hand (POST
/modules/{name}/versions) changes what statuses should say for every site on
an older version. The API only writes the catalogue and its audit row; this
sensor notices those audit rows and requests the `reconcile` job, which keys
versions added by hand and recomputes every status
(orchestration/defs/release_data/). Changes made between two evaluations
share one run.
"""

import dagster as dg

from orchestration.defs.release_data.jobs import reconcile
from orchestration.defs.resources import PostgresResource
from sql import catalogue

# Admin edits come in bursts: wait a little so that a burst makes one run.
INTERVAL_SECONDS = 30


@dg.sensor(
    job=reconcile,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Recomputes statuses after versions are added or marked as security releases by hand.",
)
def catalog_sensor(context: dg.SensorEvaluationContext, database: PostgresResource):
    after_id = int(context.cursor or 0)
    with database.connect(autocommit=True) as conn:
        # Only version changes (catalogue.VERSION_ACTIONS) feed the status computation; names, links and
        # descriptions do not, and a deleted module takes its rows along.
        changes = catalogue.version_changes(conn, after_id=after_id)
    if not changes:
        return dg.SkipReason(f"no manual version change after audit row {after_id}")
    first, last = changes[0].id, changes[-1].id
    modules = sorted({change.entity_id for change in changes})
    return dg.SensorResult(
        run_requests=[dg.RunRequest(
            run_key=f"catalog:{first}-{last}",
            tags={"modwatch/audit_ids": f"{first}-{last}", "modwatch/modules": ",".join(modules)[:200]},
        )],
        cursor=str(last),
    )
