"""The versioned API: one router per resource (`intake/routers/`), gathered under one prefix."""

from fastapi import APIRouter, Depends

from intake.filters import refuse_unstorable_text
from intake.routers import (
    advisories,
    history,
    intake,
    module_admin,
    modules,
    reports,
    site_modules,
    site_projects,
    sites,
    tasks,
)

API_PREFIX = "/api/v1"

api_router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(refuse_unstorable_text)])
for resource in (sites, intake, tasks, site_modules, site_projects, history, modules, module_admin, reports):
    api_router.include_router(resource.router)
api_router.include_router(advisories.router)
