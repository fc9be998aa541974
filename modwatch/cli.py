"""The `modwatch` command line.

Every command ends with one line saying what it did, and exits non-zero when
what it was asked to do failed. Failures an operator can fix (a database that
does not answer, a missing file, a busy port) are one line on stderr, not a
traceback; `--verbose` shows Dagster's own logs and Python's warnings.
"""

import functools
import json
import logging
import os
import sys
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from pydantic_core import to_json

from foundation.settings import Settings
from modwatch.outcomes import counted

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Know which Drupal sites run insecure or outdated modules.")
site_app = typer.Typer(no_args_is_help=True, help="Register and manage monitored sites.")
app.add_typer(site_app, name="site")
tasks_app = typer.Typer(no_args_is_help=True, help="Landed payloads: list them, retry failed ones.")
app.add_typer(tasks_app, name="tasks")
releases_app = typer.Typer(no_args_is_help=True, help="drupal.org release data.")
app.add_typer(releases_app, name="releases")
advisories_app = typer.Typer(no_args_is_help=True,
                             help="Security advisories: the Drupal Security Team's OSV database, or a metapackage.")
app.add_typer(advisories_app, name="advisories")

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
ROOT = Path(__file__).resolve().parent.parent
VERBOSE = {"on": False}


@app.callback()
def options(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Dagster's logs and warnings.")]
            = False) -> None:
    VERBOSE["on"] = verbose
    # The embedded server's library falls back to a runtime directory of its own when XDG_RUNTIME_DIR is
    # unset, as it is outside a desktop session; that fallback is fine, its warning is noise.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    if not verbose:
        warnings.simplefilter("ignore")
        logging.getLogger("dagster").setLevel(logging.ERROR)
        logging.getLogger("alembic").setLevel(logging.WARNING)


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"modwatch: {message}", err=True)
    return typer.Exit(code)


def database_error_line(error: Exception) -> str:
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return f"cannot reach the database (MODWATCH_DATABASE_URL): {reason}"


def one_line_errors(command):
    """A database that does not answer is one line on stderr and exit 1, whatever the command."""
    import psycopg
    from sqlalchemy.exc import OperationalError as SqlAlchemyOperationalError

    @functools.wraps(command)
    def guarded(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (psycopg.OperationalError, SqlAlchemyOperationalError) as error:
            raise fail(database_error_line(error)) from None

    return guarded


def load_settings() -> Settings:
    """The settings: the environment (and `.env`), then those of a platform running on the same home."""
    from modwatch.runtime import join_running_platform

    try:
        join_running_platform(Settings().home)
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            variable = "MODWATCH_" + "_".join(str(part) for part in problem["loc"]).upper()
            typer.echo(f"modwatch: configuration error: {variable}: {problem['msg']}", err=True)
        raise typer.Exit(2) from None


def runtime(migrate: bool = True):
    from modwatch.runtime import prepare

    return prepare(load_settings(), migrate=migrate)


def emit(data, as_json: bool, text: str) -> None:
    """`--json`: the data, with timestamps as the API writes them; else the text."""
    typer.echo(to_json(data).decode() if as_json else text)


@app.command()
@one_line_errors
def migrate(
    downgrade: Annotated[str | None, typer.Option(help="Downgrade to this revision (e.g. base).")] = None,
) -> None:
    """Apply schema migrations (or downgrade with --downgrade REV)."""
    from sql import migrate as migrations

    env = runtime(migrate=False)
    if downgrade:
        migrations.downgrade(env.database_url, downgrade)
        typer.echo(f"downgraded to {downgrade}")
    else:
        migrations.upgrade(env.database_url)
        typer.echo("schema is up to date")


@site_app.command("add")
@one_line_errors
def site_add(
    name: Annotated[str, typer.Option(help="Human name of the site.")],
    url: Annotated[str, typer.Option(help="Base URL the site reports.")],
    as_json: JsonFlag = False,
) -> None:
    """Register a site; prints its id and token (shown only once)."""
    from sql import connection, store
    from sql.sites import UrlTaken

    env = runtime()
    with connection.connect(env.database_url) as conn:
        created = store.sites.create(conn, name=name, url=url, actor="cli")
    if isinstance(created, UrlTaken):
        holder = created.holder
        raise fail(f"site {holder.id} ({holder.name!r}) is registered with {holder.url!r}")
    site = {**created.site._asdict(), "token": created.token}
    emit(site, as_json, f"site {site['id']} created\ntoken: {site['token']}  (shown only once)")


@site_app.command("list")
@one_line_errors
def site_list(as_json: JsonFlag = False) -> None:
    """List registered sites."""
    from sql import connection, store

    env = runtime()
    with connection.connect(env.database_url) as conn:
        sites = store.sites.list_brief(conn)
    lines = [f"{s.id:>6}  {s.name:<30} {s.url:<40} last sync: {s.last_sync_at or '-'}" for s in sites]
    emit([site._asdict() for site in sites], as_json, "\n".join([*lines, counted(len(sites), "site")]))


@site_app.command("token")
@one_line_errors
def site_token(
    site_id: Annotated[int, typer.Argument(help="Site id.")],
    rotate: Annotated[bool, typer.Option("--rotate", help="Issue a new token; the old one stops working.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Rotate a site's token (tokens are stored hashed, so they cannot be shown again)."""
    from sql import connection, store

    if not rotate:
        raise fail("tokens are stored only as hashes; use --rotate to issue a new one", 2)
    env = runtime()
    with connection.connect(env.database_url) as conn:
        rotated = store.sites.rotate_token(conn, site_id=site_id, actor="cli")
    if rotated is None:
        raise fail(f"no site {site_id}")
    site = {**rotated.site._asdict(), "token": rotated.token}
    emit(site, as_json, f"site {site_id}: new token: {site['token']}  (shown only once)")


@tasks_app.command("list")
@one_line_errors
def tasks_list(
    status: Annotated[str | None, typer.Option(help="Only tasks in this state (pending, in_progress, "
                                                    "completed, failed).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """The latest tasks, with a hint when pending ones are not being taken."""
    import dagster as dg

    from foundation.vocabulary import TaskState
    from modwatch.task_queue import why_pending
    from sql import connection, store

    if status is not None and status not in {state.value for state in TaskState}:
        raise fail(f"--status must be one of {', '.join(state.value for state in TaskState)}", 2)
    env = runtime()
    with connection.connect(env.database_url) as conn:
        tasks = store.tasks.recent(conn, status=status, limit=limit)
        counts = {count.status: count for count in store.tasks.counts(conn)}
    pending = counts["pending"].tasks if "pending" in counts else 0
    hint = None
    if pending:
        os.environ.update(env.child_environment())
        with dg.DagsterInstance.get() as instance:
            hint = why_pending(instance)
    lines = [f"{t.task_id}  site {t.site_id:<5} {t.status:<11} {t.received_at:%Y-%m-%d %H:%M:%S}  "
             f"{t.error or t.progress_message or ''}" for t in tasks]
    summary = ", ".join(f"{count.tasks} {name}" for name, count in sorted(counts.items())) or "no tasks"
    if hint:
        summary += f"; {pending} pending since {counts['pending'].oldest_received_at:%Y-%m-%d %H:%M:%S}: {hint}"
    emit({"tasks": [task._asdict() for task in tasks], "counts": {name: count.tasks for name, count in counts.items()},
          "pending_hint": hint}, as_json, "\n".join([*lines, summary]))


@tasks_app.command("retry")
@one_line_errors
def tasks_retry(
    task_ids: Annotated[list[str] | None, typer.Argument(help="Failed tasks to retry.")] = None,
    every_failed: Annotated[bool, typer.Option("--failed", help="Retry every failed task.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Put failed tasks back to pending: the next ingest run takes them again."""
    from uuid import UUID

    from sql import connection, store

    if not task_ids and not every_failed:
        raise fail("name the tasks to retry, or pass --failed for every failed task", 2)
    for task_id in task_ids or []:
        try:
            UUID(task_id)
        except ValueError:
            raise fail(f"{task_id!r} is not a task id (a UUID)", 2) from None
    env = runtime()
    with connection.connect(env.database_url) as conn:
        outcomes = store.tasks.retry(conn, task_ids=task_ids or [], every_failed=every_failed, actor="cli")
    found = {outcome.task_id for outcome in outcomes}
    problems = [f"no task {task_id}" for task_id in task_ids or [] if str(UUID(task_id)) not in found]
    problems += [f"task {o.task_id} is {o.status}" if o.status != "failed" else
                 f"task {o.task_id}: task {o.superseded_by} of site {o.site_id} was applied after it"
                 for o in outcomes if not o.retried]
    retried = [o for o in outcomes if o.retried]
    lines = [f"{o.task_id}  site {o.site_id:<5} retried (was: {o.error})" for o in retried]
    summary = f"{counted(len(retried), 'task')} back to pending" + (
        f"; not retried: {'; '.join(problems)}" if problems else "")
    if every_failed and not outcomes:
        summary = "no failed tasks"
    emit({"retried": [o.task_id for o in retried], "not_retried": problems}, as_json, "\n".join([*lines, summary]))
    if problems:
        raise typer.Exit(1)


@app.command()
@one_line_errors
def process(as_json: JsonFlag = False) -> None:
    """Run the ingest job now, in this process, until nothing is pending."""
    import dagster as dg

    from orchestration.pipeline.process import process_pending

    env = runtime()
    os.environ.update(env.child_environment())
    with dg.DagsterInstance.get() as instance:
        processed = process_pending(env.database_url, instance, env.settings.ingest_batch_size,
                                    run_config=dagster_logging())
    parts = [f"{counted(len(processed.runs), 'ingest run')}: {counted(processed.completed, 'payload')} completed, "
             f"{processed.failed} failed"] if processed.runs else ["nothing pending"]
    if processed.failed_runs:
        parts.append(f"runs failed: {', '.join(processed.failed_runs)}")
    if processed.released_runs:
        parts.append(f"put back the payloads of dead runs {', '.join(processed.released_runs)}")
    if processed.waiting:
        waits = "waits" if processed.waiting == 1 else "wait"
        behind = "a run" if len(processed.blocking_runs) == 1 else "runs"
        parts.append(f"{counted(processed.waiting, 'payload')} {waits} behind {behind} still in progress: "
                     f"{', '.join(processed.blocking_runs) or 'unknown'}")
    summary = "; ".join(parts)
    if as_json:
        typer.echo(json.dumps([{"run_id": run.run_id, "success": run.success} for run in processed.runs]))
        typer.echo(summary, err=True)
    else:
        typer.echo(summary)
    if processed.failed_runs or processed.failed or processed.waiting:
        raise typer.Exit(1)


def dagster_logging() -> dict:
    """Run config for Dagster's console logger: its DEBUG stream only with --verbose."""
    from modwatch.jobs import console_logging

    return console_logging(VERBOSE["on"])


def run_job_in_process(job_name: str, run_config: dict):
    """Run a Dagster job here, recorded in the platform's Dagster instance (visible in the UI)."""
    import dagster as dg

    from modwatch.jobs import run_job

    env = runtime()
    os.environ.update(env.child_environment())
    with dg.DagsterInstance.get() as instance:
        return run_job(instance, job_name, run_config, verbose=VERBOSE["on"])


@releases_app.command("refresh")
@one_line_errors
def releases_refresh(
    project: Annotated[list[str] | None, typer.Option("--project", help="Only this project (repeatable).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Fetch release feeds now (stale ones, or --project) and recompute statuses."""
    from modwatch.outcomes import releases_summary

    outcome = run_job_in_process("refresh_releases", {"ops": {"release_data": {"config": {
        "projects": project or None, "force": bool(project)}}}})
    summary, succeeded = releases_summary(outcome)
    emit({**outcome.as_json(), "summary": summary}, as_json, summary)
    if not succeeded:
        raise typer.Exit(1)


@advisories_app.command("load")
@one_line_errors
def advisories_load(
    source: Annotated[str | None, typer.Argument(
        help="OSV database (directory, zip or URL) or a composer metapackage (.json); "
             "default MODWATCH_OSV_URL.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Load security advisories and recompute the statuses they change."""
    from modwatch.outcomes import advisories_summary
    from orchestration.pipeline.advisories import advisories_job_run

    if source and "://" not in source and not Path(source).exists():
        raise fail(f"advisories not loaded: no such file: {source}", 2)
    job, run_config = advisories_job_run(source)
    outcome = run_job_in_process(job, run_config)
    summary, succeeded = advisories_summary(outcome)
    emit({**outcome.as_json(), "summary": summary}, as_json, summary)
    if not succeeded:
        raise typer.Exit(1)


class BenchPhase(StrEnum):
    status = "status"


@app.command()
def bench(
    sites: Annotated[int, typer.Option(help="Intake sites (1000-module payloads each).")] = 40,
    rounds: Annotated[int, typer.Option(help="Payloads per intake site; later ones drift 3 %.")] = 5,
    concurrency: Annotated[int, typer.Option(help="Concurrent intake clients.")] = 8,
    large_payloads: Annotated[int, typer.Option(help="2000-module requests for the memory figure.")] = 20,
    e2e_payloads: Annotated[int, typer.Option(help="POST → completed samples with the daemon.")] = 8,
    e2e_spacing: Annotated[float, typer.Option(help="Mean seconds between those POSTs (gaps 0.5-1.5x).")] = 5.0,
    scale_sites: Annotated[int, typer.Option(help="Sites loaded for the scale figures.")] = 2000,
    scale_modules: Annotated[int, typer.Option(help="Modules per scale site.")] = 300,
    query_requests: Annotated[int, typer.Option(help="GETs per report query.")] = 200,
    projects: Annotated[int, typer.Option(help="Contrib projects in the generated catalog.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the generated population.")] = 7,
    database: Annotated[str, typer.Option(help="Database the benchmark creates on the platform's server.")] = (
        "modwatch_bench"),
    keep: Annotated[bool, typer.Option("--keep", help="Keep the benchmark database afterwards.")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar on stderr.")] = False,
    only: Annotated[BenchPhase | None, typer.Option(
        help="Run one phase alone: `status` loads the scale portfolio and times a full recompute.")] = None,
    reuse: Annotated[bool, typer.Option(
        "--reuse", help="With --only status: time again on the portfolio a --keep run left, statuses reset.")] = False,
) -> None:
    """Run the real stack on generated data; print one JSON object of figures (SPEC §9)."""
    from modwatch.bench.progress import phase_progress
    from modwatch.bench.runner import BenchOptions, run_bench, run_status_only

    options = BenchOptions(sites=sites, rounds=rounds, concurrency=concurrency, large_payloads=large_payloads,
                           e2e_payloads=e2e_payloads, e2e_spacing=e2e_spacing, scale_sites=scale_sites,
                           scale_modules=scale_modules, query_requests=query_requests, projects=projects,
                           seed=seed, database=database, keep=keep or reuse)
    if only is BenchPhase.status:
        typer.echo(json.dumps(run_status_only(options, reuse=reuse), indent=2))
        return
    with phase_progress(not no_progress) as progress:
        figures = run_bench(options, progress)
    typer.echo(json.dumps(figures, indent=2))


@app.command()
@one_line_errors
def up(
    demo: Annotated[bool, typer.Option("--demo", help="Load three demo sites and bundled release feeds.")] = False,
    api_port: Annotated[int, typer.Option(help="Port of the HTTP API.")] = 8000,
    ui_port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
) -> None:
    """Run everything: migrations, the API, the Dagster webserver and daemon. Ctrl-C stops all."""
    from modwatch.runtime import PlatformRunning, platform_lock
    from modwatch.supervisor import port_in_use

    settings = load_settings()
    try:
        with platform_lock(settings.home):
            for port, what, option in ((api_port, "the API", "--api-port"), (ui_port, "the Dagster UI", "--ui-port")):
                if port_in_use(port):
                    raise fail(f"port {port} for {what} is already in use; choose another with {option} "
                               f"(make run API_PORT=... UI_PORT=...)")
            dead = run_platform(settings, demo=demo, api_port=api_port, ui_port=ui_port)
    except PlatformRunning as running:
        raise fail(f"{running}; stop it first, or give this one another MODWATCH_HOME") from None
    if dead:
        raise fail(f"{dead} exited unexpectedly; the platform stopped (run with --verbose for its logs)")


def open_instance(dagster_home: Path):
    import dagster as dg

    return dg.DagsterInstance.from_config(str(dagster_home))


def run_platform(settings: Settings, *, demo: bool, api_port: int, ui_port: int) -> str | None:
    """Start the services, print where they are, and wait for Ctrl-C; answers a service that died."""
    from modwatch.runtime import prepare, write_platform_environment
    from modwatch.supervisor import Supervisor, platform_services

    env = prepare(settings)
    environment = env.child_environment()
    # Task status links to runs: unless configured, they point at the UI this command starts.
    if "dagster_ui_url" not in settings.model_fields_set:
        environment["MODWATCH_DAGSTER_UI_URL"] = f"http://localhost:{ui_port}"
    demo_data = None
    if demo:
        from modwatch.demo import platform_environment, prepare_demo

        environment.update(platform_environment())
        # The demo's loads run in this process, recorded in the platform's instance: same settings as the services.
        os.environ.update(environment)
        ui_url = environment.get("MODWATCH_DAGSTER_UI_URL", settings.dagster_ui_url)
        demo_data = prepare_demo(env, functools.partial(open_instance, settings.dagster_home), ui_url=ui_url)
    write_platform_environment(settings.home, environment)
    where = f"embedded, {settings.home / 'pgdata'}" if env.embedded_server else "configured server"
    supervisor = Supervisor(environment)
    for service in platform_services(api_port=api_port, ui_port=ui_port, workspace=str(ROOT / "workspace.yaml")):
        supervisor.start(service)
    typer.echo(
        f"\nmodwatch is up\n"
        f"  API        http://localhost:{api_port}/docs\n"
        f"  Dagster UI http://localhost:{ui_port}\n"
        f"  database   {where}\n"
        f"  admin token {env.admin_token}\n"
        f"Other terminals: `modwatch ...` commands use this platform's settings.\n"
        f"Ctrl-C stops everything.\n"
    )
    if demo_data:
        demo_data.load_in_background(f"http://localhost:{api_port}")
    return supervisor.wait_forever()


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())


if __name__ == "__main__":  # `python -m modwatch.cli`, as the benchmark runs it
    main()
