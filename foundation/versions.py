"""Drupal version strings: the grammar, its order key, and the scalar parser.

Grammar (what drupal.org release feeds and Drupal sites report)::

    [CORE "-"] MAJOR "." (PATCH | "x")                    two-part: 8.x-1.2, 7.59, 1.x-dev
    MAJOR "." MINOR "." (PATCH | "x")                     three-part: 2.0.4, 10.3.x-dev
    ... ["-" (unstable|alpha|beta|rc) N]                  pre-release: 7.x-3.0-rc4, 2.0.0-beta1
    ... ["+" COMMITS] "-dev"                              snapshot: 1.0.0+5-dev, 8.x-1.0-beta1+3-dev

* ``CORE`` is the legacy ``N.x`` prefix (``7.x``, ``8.x``); only two-part versions carry it.
* ``x`` (a branch) is only allowed with ``-dev`` and nothing else: ``1.x-dev``, ``8.x-1.x-dev``,
  ``10.3.x-dev``. ``7.x-dev`` is Drupal 7 core's own dev release (the feed says
  ``version_major`` 7): major 7, branch dev, no core prefix.
* ``+N-dev`` is drupal.org's packaging of a dev snapshot N commits after the tag before it.
* A bare ``-dev`` after a three-part number (``10.3.6-dev``) is what a git checkout of Drupal
  core reports while developing 10.3.6: it sorts before every 10.3.6 pre-release.
  Two-part ``1.2-dev`` is rejected: for core it would mean a minor branch, for contrib a patch.
* Numbers are ASCII digits compared as numbers: drupal.org has 8.x-1.01 ... 8.x-1.08, 8.x-1.10
  (patch 1 ... 8, 10), and Composer reads them the same way. Lower case only; no whitespace.
* ``minor`` is only set for three-part versions; two-part versions (``8.x-1.2``, ``7.59``) have
  a major and a patch level, as drupal.org's ``version_major`` / ``version_patch`` say.
* Anything else (``master``, ``1.1.x``, ``1.x.0``, ``1.1.1.1``, ``1.0-beta`` ...) is invalid:
  ``parse_version`` returns None (and the vectorised form in ``transforms.versions`` null fields).

Order key (``sort_key``, Int64, non-negative, fits PostgreSQL ``bigint``), 18 decimal digits::

    major * 10**15 + minor * 10**12 + patch * 10**8 + stage * 10**7 + stage_number * 10**4 + post

    field          digits  valid values     notes
    major          3       0..999
    minor          3       0..998           missing (two-part) = 0; 999 = whole-major branch dev
    patch          4       0..9998          9999 = branch dev (1.x-dev, 10.3.x-dev)
    stage          1       0..6             0 X.Y.Z-dev, 1 unstable, 2 alpha, 3 beta, 4 rc,
                                            5 release, 6 branch dev
    stage_number   3       0..999           the N of alpha N / beta N ...
    post           4       0..9999          0 = tagged release; N + 1 for "+N-dev" (N <= 9998)

A component over its bound makes the whole string invalid rather than mis-ordered. The core
prefix is not part of the key: releases are only compared within one feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = r"[0-9]+"

# One pattern for the scalar (Python ``re.fullmatch``) and vectorised (Rust regex) parsers.
# Only constructs both engines read the same way: no \d (Unicode digits in both), no anchors
# here (added per engine: Python's "$" would accept a trailing newline).
VERSION_PATTERN = (
    rf"(?:(?P<core>{_NUMBER}\.x)-)?"
    rf"(?P<major>{_NUMBER})"
    rf"\.(?P<second>{_NUMBER}|x)"
    rf"(?:\.(?P<third>{_NUMBER}|x))?"
    rf"(?:-(?P<pre>unstable|alpha|beta|rc)(?P<pre_number>{_NUMBER}))?"
    rf"(?:(?:\+(?P<commits>{_NUMBER}))?(?P<dev>-dev))?"
)
VERSION_RE = re.compile(VERSION_PATTERN)

MAX_MAJOR = 999
MAX_MINOR = 998
MAX_PATCH = 9998
MAX_STAGE_NUMBER = 999
MAX_COMMITS = 9998
MAX_DIGITS = 18  # longer digit strings could overflow Int64 before the bound checks

BRANCH_MINOR = 999
BRANCH_PATCH = 9999

MAJOR_FACTOR = 10**15
MINOR_FACTOR = 10**12
PATCH_FACTOR = 10**8
STAGE_FACTOR = 10**7
STAGE_NUMBER_FACTOR = 10**4

STAGE_PRE_DEV = 0
STAGE_BY_PRE_RELEASE = {"unstable": 1, "alpha": 2, "beta": 3, "rc": 4}
STAGE_RELEASE = 5
STAGE_BRANCH_DEV = 6


@dataclass(frozen=True, slots=True)
class DrupalVersion:
    core: str | None
    major: int
    minor: int | None
    patch: int | None
    extra: str | None
    is_dev: bool
    sort_key: int


def pack_key(major: int, minor: int, patch: int, stage: int, stage_number: int, post: int) -> int:
    """The Int64 order key from its components (see the module docstring for the layout)."""
    return (
        major * MAJOR_FACTOR
        + minor * MINOR_FACTOR
        + patch * PATCH_FACTOR
        + stage * STAGE_FACTOR
        + stage_number * STAGE_NUMBER_FACTOR
        + post
    )


def parse_version(text: str) -> DrupalVersion | None:
    """Parse one Drupal version string; None when it is not one (see the module grammar)."""
    match = VERSION_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    core, major, second, third, pre, pre_number, commits, dev = match.group(
        "core", "major", "second", "third", "pre", "pre_number", "commits", "dev"
    )
    numbers = (major, second, third, pre_number, commits)
    if any(len(number) > MAX_DIGITS for number in numbers if number):
        return None  # as the vectorised form must, to keep its casts within Int64
    branch_dev = second == "x" or third == "x"
    if (
        (core is not None and third is not None)
        or (branch_dev and (pre or commits or not dev))
        or (second == "x" and third is not None)
        or (dev and not branch_dev and commits is None and (third is None or pre))
    ):
        return None

    major_value = int(major)
    minor_value = int(second) if third is not None else None
    last_number = third if third is not None else second
    patch_value = None if last_number == "x" else int(last_number)
    stage_number = int(pre_number) if pre_number else 0
    post = int(commits) + 1 if commits is not None else 0
    if (
        major_value > MAX_MAJOR
        or (minor_value or 0) > MAX_MINOR
        or (patch_value or 0) > MAX_PATCH
        or stage_number > MAX_STAGE_NUMBER
        or post > MAX_COMMITS + 1
    ):
        return None

    if branch_dev:
        stage = STAGE_BRANCH_DEV
    elif dev and commits is None:
        stage = STAGE_PRE_DEV
    elif pre:
        stage = STAGE_BY_PRE_RELEASE[pre]
    else:
        stage = STAGE_RELEASE
    key_minor = BRANCH_MINOR if second == "x" else (minor_value or 0)
    key_patch = BRANCH_PATCH if patch_value is None else patch_value

    return DrupalVersion(
        core=core,
        major=major_value,
        minor=minor_value,
        patch=patch_value,
        extra="dev" if dev else (f"{pre}{pre_number}" if pre else None),
        is_dev=bool(dev),
        sort_key=pack_key(major_value, key_minor, key_patch, stage, stage_number, post),
    )
