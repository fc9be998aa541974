"""Task status: how the processing of one accepted payload goes."""

from uuid import UUID

from fastapi import APIRouter, Request, Response

from intake.deps import AdminDep, CallerDep, ConnectionDep, ReadConnectionDep
from intake.errors import ApiError, error_responses, forbidden, not_found, unauthorized
from intake.etag import conditional_json, read_responses
from intake.schemas.tasks import TaskProgressOut, TaskRetryOut, TaskStatusOut
from intake.urls import path_for
from sql import store

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=error_responses(401, 403, 404, 422, 503))


def as_uuid(task_id: str) -> UUID | None:
    """An id that is not a UUID names no task."""
    try:
        return UUID(task_id)
    except ValueError:
        return None


@router.get("/{task_id}/status", summary="Status of a pushed payload (its site's token, or admin)",
            response_model=TaskStatusOut, responses=read_responses())
async def task_status(task_id: str, request: Request, caller: CallerDep, conn: ReadConnectionDep) -> Response:
    """An id that is not a UUID is answered like an unknown task: 404. Clients poll this: with
    `If-None-Match` an unchanged status is an empty 304."""
    row = await store.tasks.status(conn, task_id=as_uuid(task_id), token_hash=caller.token_hash)
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


@router.post("/{task_id}/retry", status_code=202, summary="Put a failed task back to pending (admin)",
             response_model=TaskRetryOut, responses=error_responses(409))
async def retry_task(task_id: str, request: Request, response: Response, caller: AdminDep,
                     conn: ConnectionDep) -> TaskRetryOut:
    """The next ingest run takes the payload again (audited as `task.retry`). 409 when the task is not
    failed, or when a later payload of its site was applied since (retried, it would roll the site back)."""
    task_uuid = as_uuid(task_id)
    outcomes = await store.tasks.retry(conn, task_ids=[str(task_uuid)] if task_uuid else [], actor="admin")
    if not outcomes:
        raise not_found(f"no task {task_id}")
    (outcome,) = outcomes
    if outcome.status != "failed":
        raise ApiError(409, "task_not_failed", f"task {task_id} is {outcome.status}; only a failed task is retried")
    if not outcome.retried:
        raise ApiError(409, "task_superseded",
                       f"task {outcome.superseded_by} of site {outcome.site_id} was applied after task {task_id}; "
                       "retrying it would roll the site back to an older inventory")
    status_url = path_for(request, "task_status", task_id=str(task_uuid))
    response.headers["Location"] = status_url
    return TaskRetryOut(task_id=task_uuid, status="pending", status_url=status_url, previous_error=outcome.error)
