"""One router per resource; `intake.main` mounts them under API_PREFIX."""

API_PREFIX = "/api/v1"
