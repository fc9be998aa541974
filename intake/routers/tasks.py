"""Task status: how the processing of one accepted payload goes."""

from uuid import UUID

from fastapi import APIRouter, Request, Response

from intake.deps import CallerDep, ReadConnectionDep
from intake.errors import error_responses, forbidden, not_found, unauthorized
from intake.etag import conditional_json, read_responses
from intake.schemas.tasks import TaskProgressOut, TaskStatusOut
from sql import store

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=error_responses(401, 403, 404, 422, 503))


@router.get("/{task_id}/status", summary="Status of a pushed payload (its site's token, or admin)",
            response_model=TaskStatusOut, responses=read_responses())
async def task_status(task_id: str, request: Request, caller: CallerDep, conn: ReadConnectionDep) -> Response:
    """An id that is not a UUID is answered like an unknown task: 404. Clients poll this: with
    `If-None-Match` an unchanged status is an empty 304."""
    try:
        task_uuid = UUID(task_id)
    except ValueError:
        task_uuid = None
    row = await store.tasks.status(conn, task_id=task_uuid, token_hash=caller.token_hash)
    if not caller.is_admin and row.token_site_id is None:
        raise unauthorized("the bearer token is not valid", invalid_token=True)
    if row.task_id is None:
        raise not_found(f"no task {task_id}")
    if not caller.is_admin and row.token_site_id != row.site_id:
        raise forbidden("this task belongs to another site")
    run_url = f"{request.app.state.settings.dagster_ui_url.rstrip('/')}/runs/{row.run_id}" if row.run_id else None
    return conditional_json(request, TaskStatusOut(
        task_id=row.task_id,
        site_id=row.site_id,
        status=row.status,
        received_at=row.received_at,
        started_at=row.started_at,
        completed_at=row.completed_at,
        run_id=row.run_id,
        run_url=run_url,
        progress=TaskProgressOut(current=row.progress_current, total=row.progress_total,
                                 status=row.progress_message or row.status),
        result=row.result,
        error=row.error,
    ))
