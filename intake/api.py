"""The versioned API: one router per resource (`intake/routers/`), gathered under one prefix."""

from fastapi import APIRouter

from intake.routers import history, intake, module_admin, modules, reports, site_modules, sites, tasks

API_PREFIX = "/api/v1"

api_router = APIRouter(prefix=API_PREFIX)
for resource in (sites, intake, tasks, site_modules, history, modules, module_admin, reports):
    api_router.include_router(resource.router)
