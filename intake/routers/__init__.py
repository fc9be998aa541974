"""One router per resource; `intake.api` gathers them under the API's prefix."""
