"""Inventories as Drupal hosts print them: drush pm:list output and a composer.lock."""

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "inventories"
DRUSH_DRUPAL7 = FIXTURES / "drush8-drupal7.json"
DRUSH_DRUPAL10 = FIXTURES / "drush12-drupal10.json"
DRUSH_DRUPAL11 = FIXTURES / "drush13-drupal11.json"
COMPOSER_LOCK = FIXTURES / "composer-drupal10.lock"


def document(path: Path) -> dict:
    return json.loads(path.read_bytes())
