"""Small pieces of the read API, without a server."""

import psycopg
import pytest

from foundation.vocabulary import EVENT_TYPES
from intake.errors import ApiError
from intake.etag import none_match, weak_etag
from intake.filters import parse_events, parse_statuses
from intake.schemas.site_modules import MODULE_STATUSES
from sql.catalogue import like_pattern
from transforms.update_status import STATUSES


def test_the_api_knows_every_status_the_pipeline_computes():
    assert set(MODULE_STATUSES) == set(STATUSES)


def test_the_api_knows_every_event_the_schema_allows(database_url):
    with psycopg.connect(database_url) as conn:
        check = conn.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                             "WHERE conname = 'site_module_events_event_type_check'").fetchone()[0]
    assert {event for event in EVENT_TYPES if f"'{event}'" in check} == set(EVENT_TYPES)
    assert check.count("::character varying") == len(EVENT_TYPES)


def test_status_and_event_lists():
    assert parse_statuses(None) is None and parse_statuses([]) is None
    assert parse_statuses(["NOT_SECURE, REVOKED", "CURRENT"]) == ["NOT_SECURE", "REVOKED", "CURRENT"]
    assert parse_statuses([","]) is None
    with pytest.raises(ApiError) as refused:
        parse_statuses(["CURRENT,current"])
    assert refused.value.status == 422 and refused.value.details[0]["path"] == "query.status"
    assert parse_events(["added,removed"]) == ["added", "removed"]
    with pytest.raises(ApiError):
        parse_events(["deleted"])


def test_if_none_match():
    tag = weak_etag(b"{}")
    assert tag.startswith('W/"') and tag != weak_etag(b"[]")
    assert none_match(None, tag) and none_match("", tag) and none_match('"abc"', tag)
    assert not none_match(tag, tag) and not none_match("*", tag)
    assert not none_match(f'W/"x", {tag.removeprefix("W/")}', tag)  # weak comparison, in a list


def test_search_text_is_taken_literally():
    assert like_pattern("a_b%c\\") == "%a\\_b\\%c\\\\%"
