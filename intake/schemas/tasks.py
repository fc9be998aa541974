"""Task status: the landing row of one accepted payload, as the ingest run reports it."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from foundation.vocabulary import SyncType, TaskState


class SyncResult(BaseModel):
    """What the ingest run reports for one payload (written by the pipeline)."""

    model_config = ConfigDict(extra="allow")

    site_id: int | None = None
    sync_type: SyncType | None = None
    modules_processed: int | None = None
    modules_created: int | None = None
    modules_updated: int | None = None
    modules_unchanged: int | None = None
    modules_removed: int | None = None
    security_updates_found: int | None = None
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    message: str | None = None
    processing_time_ms: int | None = None


class TaskProgressOut(BaseModel):
    current: int
    total: int | None
    status: str = Field(description="What the run is doing, for humans")


class TaskStatusOut(BaseModel):
    task_id: UUID
    site_id: int
    status: TaskState
    received_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    run_id: str | None = Field(description="Dagster run that processed (or is processing) the payload")
    run_url: str | None = Field(description="The run in the Dagster UI")
    progress: TaskProgressOut
    result: SyncResult | None
    error: str | None = Field(description="Why the task failed")


class TaskRetryOut(BaseModel):
    task_id: UUID
    status: TaskState = Field(description="pending: the next ingest run takes it again")
    status_url: str
    previous_error: str | None = Field(description="Why it had failed")
