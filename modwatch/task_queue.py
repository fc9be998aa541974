"""Why landed payloads may wait: what an operator needs to know when tasks stay pending.

Pending payloads are taken by the landing sensor, which only the Dagster
daemon runs. If the daemon is not running, or someone stopped the sensor in
the UI, nothing says so on the task itself; `modwatch tasks list` asks Dagster.
"""

import time

import dagster as dg
from dagster._core.definitions.run_request import InstigatorType
from dagster._core.scheduler.instigation import InstigatorStatus

LANDING_SENSOR = "landing_sensor"
# The daemon beats every 30 s or so; three missed beats mean it is gone.
DAEMON_SILENT_AFTER_SECONDS = 120
SENSOR_DAEMON = "SENSOR"


def landing_sensor_stopped(instance: dg.DagsterInstance) -> bool:
    """Stopped by hand (in the UI or the CLI); never toggled, it runs as its definition says: on."""
    return any(state.name == LANDING_SENSOR and state.status == InstigatorStatus.STOPPED
               for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR))


def sensor_daemon_running(instance: dg.DagsterInstance) -> bool:
    heartbeat = instance.get_daemon_heartbeats().get(SENSOR_DAEMON)
    return heartbeat is not None and time.time() - heartbeat.timestamp < DAEMON_SILENT_AFTER_SECONDS


def why_pending(instance: dg.DagsterInstance) -> str | None:
    """Why pending payloads are not being taken, or None when the landing sensor is running."""
    if landing_sensor_stopped(instance):
        return (f"the {LANDING_SENSOR} is stopped: start it in the Dagster UI (Automation), "
                "or run `modwatch process` to process them now")
    if not sensor_daemon_running(instance):
        return "no Dagster daemon is running: start `modwatch up`, or run `modwatch process` to process them now"
    return None
