"""The `modwatch` command line."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from foundation.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Know which Drupal sites run insecure or outdated modules.")
site_app = typer.Typer(no_args_is_help=True, help="Register and manage monitored sites.")
app.add_typer(site_app, name="site")
releases_app = typer.Typer(no_args_is_help=True, help="drupal.org release data.")
app.add_typer(releases_app, name="releases")
advisories_app = typer.Typer(no_args_is_help=True, help="Security advisories (composer metapackage).")
app.add_typer(advisories_app, name="advisories")

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
ROOT = Path(__file__).resolve().parent.parent


def load_settings() -> Settings:
    try:
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
    typer.echo(json.dumps(data, default=str) if as_json else text)


@app.command()
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
def site_add(
    name: Annotated[str, typer.Option(help="Human name of the site.")],
    url: Annotated[str, typer.Option(help="Base URL the site reports.")],
    as_json: JsonFlag = False,
) -> None:
    """Register a site; prints its id and token (shown only once)."""
    from sql import connection, store

    env = runtime()
    with connection.connect(env.database_url) as conn:
        created = store.sites.create(conn, name=name, url=url, actor="cli")
    site = {**created.site._asdict(), "token": created.token}
    emit(site, as_json, f"site {site['id']} created\ntoken: {site['token']}  (shown only once)")


@site_app.command("list")
def site_list(as_json: JsonFlag = False) -> None:
    """List registered sites."""
    from sql import connection, store

    env = runtime()
    with connection.connect(env.database_url) as conn:
        sites = store.sites.list_brief(conn)
    lines = [f"{s.id:>6}  {s.name:<30} {s.url:<40} last sync: {s.last_sync_at or '-'}" for s in sites]
    emit([site._asdict() for site in sites], as_json, "\n".join(lines) or "no sites yet")


@site_app.command("token")
def site_token(
    site_id: Annotated[int, typer.Argument(help="Site id.")],
    rotate: Annotated[bool, typer.Option("--rotate", help="Issue a new token; the old one stops working.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Rotate a site's token (tokens are stored hashed, so they cannot be shown again)."""
    from sql import connection, store

    if not rotate:
        typer.echo("tokens are stored only as hashes; use --rotate to issue a new one", err=True)
        raise typer.Exit(2)
    env = runtime()
    with connection.connect(env.database_url) as conn:
        rotated = store.sites.rotate_token(conn, site_id=site_id, actor="cli")
    if rotated is None:
        typer.echo(f"modwatch: no site {site_id}", err=True)
        raise typer.Exit(1)
    site = {**rotated.site._asdict(), "token": rotated.token}
    emit(site, as_json, f"site {site_id}: new token: {site['token']}  (shown only once)")


@app.command()
def process(as_json: JsonFlag = False) -> None:
    """Run the ingest job now, in this process, until nothing is pending."""
    import os

    import dagster as dg

    from orchestration.pipeline.process import process_pending

    env = runtime()
    os.environ.update(env.child_environment())
    with dg.DagsterInstance.get() as instance:
        results = process_pending(env.database_url, instance, env.settings.ingest_batch_size)
    summary = [{"run_id": r.run_id, "success": r.success} for r in results]
    failed = [r for r in summary if not r["success"]]
    emit(summary, as_json, f"{len(summary)} ingest run(s), {len(failed)} failed" if summary else "nothing pending")
    if failed:
        raise typer.Exit(1)


def run_job_in_process(job_name: str, run_config: dict) -> dict:
    """Run a Dagster job here, recorded in the platform's Dagster instance (visible in the UI)."""
    import os

    import dagster as dg

    env = runtime()
    os.environ.update(env.child_environment())
    from orchestration.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def(job_name).execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False)
        checks = [{"check": c.check_name, "passed": c.passed} for c in result.get_asset_check_evaluations()]
    return {"run_id": result.run_id, "success": result.success, "checks": checks}


@releases_app.command("refresh")
def releases_refresh(
    project: Annotated[list[str] | None, typer.Option("--project", help="Only this project (repeatable).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Fetch release feeds now (stale ones, or --project) and recompute statuses."""
    outcome = run_job_in_process("refresh_releases", {"ops": {"release_data": {"config": {
        "projects": project or None, "force": bool(project)}}}})
    emit(outcome, as_json, f"run {outcome['run_id']}: {'ok' if outcome['success'] else 'FAILED'}")
    if not outcome["success"]:
        raise typer.Exit(1)


@advisories_app.command("load")
def advisories_load(
    source: Annotated[str | None, typer.Argument(help="URL or file; default MODWATCH_ADVISORIES_URL.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Load a drupal-security-advisories metapackage and recompute statuses."""
    outcome = run_job_in_process("load_advisories", {"ops": {"security_advisories": {"config": {"source": source}}}})
    emit(outcome, as_json, f"run {outcome['run_id']}: {'ok' if outcome['success'] else 'FAILED'}")
    if not outcome["success"]:
        raise typer.Exit(1)


@app.command()
def bench(
    sites: Annotated[int, typer.Option(help="Intake sites (1000-module payloads each).")] = 40,
    rounds: Annotated[int, typer.Option(help="Payloads per intake site; later ones drift 3 %.")] = 5,
    concurrency: Annotated[int, typer.Option(help="Concurrent intake clients.")] = 8,
    large_payloads: Annotated[int, typer.Option(help="2000-module requests for the memory figure.")] = 20,
    e2e_payloads: Annotated[int, typer.Option(help="POST → completed samples with the daemon.")] = 8,
    e2e_spacing: Annotated[float, typer.Option(help="Seconds between those POSTs.")] = 5.0,
    scale_sites: Annotated[int, typer.Option(help="Sites loaded for the scale figures.")] = 2000,
    scale_modules: Annotated[int, typer.Option(help="Modules per scale site.")] = 300,
    query_requests: Annotated[int, typer.Option(help="GETs per report query.")] = 200,
    projects: Annotated[int, typer.Option(help="Contrib projects in the generated catalog.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the generated population.")] = 7,
    database: Annotated[str, typer.Option(help="Database the benchmark creates on the platform's server.")] = (
        "modwatch_bench"),
    keep: Annotated[bool, typer.Option("--keep", help="Keep the benchmark database afterwards.")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar on stderr.")] = False,
) -> None:
    """Run the real stack on generated data; print one JSON object of figures (SPEC §9)."""
    from modwatch.bench.progress import phase_progress
    from modwatch.bench.runner import BenchOptions, run_bench

    options = BenchOptions(sites=sites, rounds=rounds, concurrency=concurrency, large_payloads=large_payloads,
                           e2e_payloads=e2e_payloads, e2e_spacing=e2e_spacing, scale_sites=scale_sites,
                           scale_modules=scale_modules, query_requests=query_requests, projects=projects,
                           seed=seed, database=database, keep=keep)
    with phase_progress(not no_progress) as progress:
        figures = run_bench(options, progress)
    typer.echo(json.dumps(figures, indent=2))


@app.command()
def up(
    demo: Annotated[bool, typer.Option("--demo", help="Load three demo sites and bundled release feeds.")] = False,
    api_port: Annotated[int, typer.Option(help="Port of the HTTP API.")] = 8000,
    ui_port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
) -> None:
    """Run everything: migrations, the API, the Dagster webserver and daemon. Ctrl-C stops all."""
    from modwatch.supervisor import Supervisor, platform_services

    env = runtime()
    environment = env.child_environment()
    # Task status links to runs: unless configured, they point at the UI this command starts.
    if "dagster_ui_url" not in env.settings.model_fields_set:
        environment["MODWATCH_DAGSTER_UI_URL"] = f"http://localhost:{ui_port}"
    demo_data = None
    if demo:
        from modwatch.demo import prepare_demo

        demo_data = prepare_demo(env)
        environment.update(demo_data.environment)
    where = f"embedded, {env.settings.home / 'pgdata'}" if env.embedded_server else "configured server"
    supervisor = Supervisor(environment)
    for service in platform_services(api_port=api_port, ui_port=ui_port,
                                     workspace=str(ROOT / "workspace.yaml")):
        supervisor.start(service)
    typer.echo(
        f"\nmodwatch is up\n"
        f"  API        http://localhost:{api_port}/docs\n"
        f"  Dagster UI http://localhost:{ui_port}\n"
        f"  database   {where}\n"
        f"  admin token {env.admin_token}\n"
        f"Ctrl-C stops everything.\n"
    )
    if demo_data:
        demo_data.load_in_background(f"http://localhost:{api_port}")
    supervisor.wait_forever()


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())


if __name__ == "__main__":  # `python -m modwatch.cli`, as the benchmark runs it
    main()
