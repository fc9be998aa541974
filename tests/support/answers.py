"""Assertions on API answers shared by the read tests."""

import httpx


def error_of(answer: httpx.Response, status: int) -> dict:
    """The error body of `answer`, after checking it has the one error shape and `status`."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    error = answer.json()["error"]
    assert set(error) == {"status", "code", "message", "details"} and error["status"] == status
    for item in error["details"]:
        assert set(item) == {"path", "message", "code"}
    return error


def error_paths(answer: httpx.Response, status: int = 422) -> list[str]:
    return [item["path"] for item in error_of(answer, status)["details"]]


def names(answer: httpx.Response, key: str = "machine_name") -> list:
    assert answer.status_code == 200, answer.text
    return [item[key] for item in answer.json()["items"]]
