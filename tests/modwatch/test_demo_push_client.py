"""The demo's corporate site pushes through clients/modwatch-push, as an operator's cron would, and what
drush prints for it says the same as its shape B payload."""

import json

import polars as pl

from modwatch import demo
from modwatch.demo.inventories import DRUPAL10_CORPORATE
from tests.support.intake import landed
from transforms.inventory import PAYLOADS_SCHEMA, normalise_inventory

COMPARED = ["machine_name", "project", "module_type", "enabled", "version"]


def normalised(shape: str, body: dict) -> pl.DataFrame:
    payload = {"landing_id": 1, "task_id": "t", "site_id": 1, "payload_shape": shape, "sync_type": "full",
               "core_version": DRUPAL10_CORPORATE.core_version, "body": json.dumps(body)}
    frame = normalise_inventory(pl.DataFrame([payload], schema=PAYLOADS_SCHEMA)).collect()
    return frame.select(COMPARED).sort("machine_name")


def test_drush_output_and_the_shape_b_payload_give_the_same_inventory():
    from_drush = normalised("c", DRUPAL10_CORPORATE.drush_pm_list())
    assert from_drush.equals(normalised("b", DRUPAL10_CORPORATE.payload()))
    assert from_drush.height == len(DRUPAL10_CORPORATE.modules)


def test_the_corporate_site_is_pushed_with_the_client(api, admin_headers, db):
    answer = api.post("/api/v1/sites", json={"name": DRUPAL10_CORPORATE.name, "url": DRUPAL10_CORPORATE.url},
                      headers=admin_headers)
    registered = demo.RegisteredSite(answer.json()["id"], DRUPAL10_CORPORATE, answer.json()["token"])

    assert demo.PUSH_CLIENT.is_file()
    (task_id,) = demo.push_inventories(api, [registered]).values()

    (row,) = landed(db, registered.id)
    assert str(row["task_id"]) == task_id
    assert (row["payload_shape"], row["modules_received"]) == ("c", len(DRUPAL10_CORPORATE.modules))
    assert json.loads(bytes(row["body"])) == DRUPAL10_CORPORATE.drush_pm_list()
