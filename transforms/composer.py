"""Composer versions and the constraints of the drupal-security-advisories metapackage.

The metapackage's ``conflict`` maps ``drupal/<project>`` (and ``drupal/core``) to constraints
such as ``"1.0|1.1|>=1,<1.4"``. An installed Drupal version is converted to its Composer form
(``8.x-1.2`` -> ``1.2``) and matched with Composer's semantics:

* Versions: 1 to 3 numeric parts (missing parts are 0: ``1.2`` == ``1.2.0``), an optional ``v``,
  an optional stability ``dev < alpha (a) < beta (b) < RC < stable < patch (pl, p)`` (any case)
  with an optional number (``alpha`` == ``alpha0``), or a bare ``-dev``. Four-part versions,
  branch names (``dev-main``, ``1.x-dev``) and a stability together with ``-dev`` are not
  supported: they never appear in the metapackage nor come out of ``composer_version``.
* Constraints: ``|`` / ``||`` separate alternatives (OR clauses); ``,`` or whitespace separate
  the parts of one clause (AND); a part is ``*`` or an operator (``>= > <= < != <> == =``, none
  meaning ``=``) and a version. ``~``, ``^``, wildcards and hyphen ranges raise ``ValueError``.
* As Composer's ``VersionParser::parseConstraint`` does, ``>=V`` and ``<V`` with a version
  without stability mean ``>=V-dev`` and ``<V-dev``: ``>=1.0`` admits ``1.0-alpha1``, and
  ``<1.4`` excludes ``1.4.0-beta1``. ``>``, ``<=``, ``=`` and ``!=`` take the version as written.

Composer key (Int64, 18 decimal digits, fits PostgreSQL ``bigint``)::

    major * 10**14 + minor * 10**9 + patch * 10**4 + stage * 10**3 + number

    major 0..9999, minor 0..99999, patch 0..99999, number 0..999 (over a bound: not a version)
    stage 0 dev, 2 alpha, 3 beta, 4 RC, 5 stable, 6 patch

(The minor gets five digits: legacy releases such as 7.x-2.2210 become Composer ``2.2210``.)

Every OR clause is an interval ``(lower, upper)`` of keys minus a set of excluded keys, so
matching installed versions against every advisory is one join and one filter
(``advisory_intervals`` + ``match_advisories``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import polars as pl

from transforms.versions import parse_version, version_struct

__all__ = [
    "ADVISORY_INTERVALS_SCHEMA",
    "AdvisoryClause",
    "advisory_intervals",
    "composer_key",
    "composer_key_expr",
    "composer_version",
    "composer_version_expr",
    "match_advisories",
    "parse_constraint",
    "project_of_package",
    "satisfies",
]


def _any_case(word: str) -> str:
    # Explicit classes rather than (?i): both engines fold Unicode look-alikes under (?i)
    # (U+017F, the long s, matches "s"), which would make "\u017ftable" a version.
    return "".join(f"[{letter.lower()}{letter.upper()}]" for letter in word)


_STABILITIES = ("alpha", "beta", "rc", "stable", "patch", "pl", "a", "b", "p")
COMPOSER_VERSION_PATTERN = (
    r"[vV]?(?P<major>[0-9]+)(?:\.(?P<minor>[0-9]+))?(?:\.(?P<patch>[0-9]+))?"
    rf"(?:[._-]?(?P<stability>{'|'.join(_any_case(word) for word in _STABILITIES)})"
    r"(?:[.-]?(?P<number>[0-9]+))?)?"
    rf"(?:[.-]?(?P<dev>{_any_case('dev')}))?"
)
_COMPOSER_VERSION_RE = re.compile(COMPOSER_VERSION_PATTERN)

STAGE_DEV = 0
STAGE_STABLE = 5
STAGE_BY_STABILITY = {
    "alpha": 2,
    "a": 2,
    "beta": 3,
    "b": 3,
    "rc": 4,
    "stable": STAGE_STABLE,
    "patch": 6,
    "pl": 6,
    "p": 6,
}
MAX_MAJOR = 9999
MAX_MINOR = 99999
MAX_PATCH = 99999
MAX_NUMBER = 999
_MAX_DIGITS = 18  # longer digit strings could overflow Int64 before the bound checks

MAJOR_FACTOR = 10**14
MINOR_FACTOR = 10**9
PATCH_FACTOR = 10**4
STAGE_FACTOR = 10**3
NUMBER_FACTOR = 1

ADVISORY_INTERVALS_SCHEMA = pl.Schema(
    {
        "package": pl.String,
        "project": pl.String,
        "constraint": pl.String,
        "clause": pl.String,
        "lower_key": pl.Int64,
        "lower_inclusive": pl.Boolean,
        "upper_key": pl.Int64,
        "upper_inclusive": pl.Boolean,
        "excluded_keys": pl.List(pl.Int64),
    }
)

_BOUND_COLUMNS = ("lower_key", "lower_inclusive", "upper_key", "upper_inclusive", "excluded_keys")

# Both are the whole of Drupal core: drupal/core since 8.0, drupal/drupal the legacy package.
_CORE_PACKAGES = frozenset({"drupal/core", "drupal/drupal"})
_ATOM_RE = re.compile(r"(?P<operator>>=|<=|!=|<>|==|=|>|<)?(?P<version>\S+)")


# --- versions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ComposerVersion:
    key: int
    has_stability: bool  # an explicit stability or -dev (decides Composer's implicit -dev)


def _parse(text: str) -> _ComposerVersion | None:
    match = _COMPOSER_VERSION_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    major, minor, patch, stability, number, dev = match.group(
        "major", "minor", "patch", "stability", "number", "dev"
    )
    if any(len(digits) > _MAX_DIGITS for digits in (major, minor, patch, number) if digits):
        return None
    stability = stability.lower() if stability else None
    if (stability and dev) or (stability == "stable" and number):
        return None
    values = (int(major), int(minor or 0), int(patch or 0), int(number or 0))
    bounds = (MAX_MAJOR, MAX_MINOR, MAX_PATCH, MAX_NUMBER)
    if any(value > bound for value, bound in zip(values, bounds, strict=True)):
        return None
    stage = STAGE_DEV if dev else STAGE_BY_STABILITY.get(stability, STAGE_STABLE)
    major_value, minor_value, patch_value, number_value = values
    key = (
        major_value * MAJOR_FACTOR
        + minor_value * MINOR_FACTOR
        + patch_value * PATCH_FACTOR
        + stage * STAGE_FACTOR
        + number_value * NUMBER_FACTOR
    )
    return _ComposerVersion(key=key, has_stability=bool(stability or dev))


def composer_key(text: str) -> int | None:
    """The Int64 order key of a Composer version string; None if it is not one."""
    version = _parse(text)
    return version.key if version else None


def composer_key_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised ``composer_key`` (Int64, null for anything that is not a Composer version)."""
    field = pl.field
    digits = ("major", "minor", "patch", "number")
    return (
        expr.str.extract_groups(f"^(?:{COMPOSER_VERSION_PATTERN})$")
        .struct.with_fields(
            stage_name=field("stability").str.to_lowercase(),
            short=pl.all_horizontal(field(name).str.len_bytes().fill_null(0) <= _MAX_DIGITS for name in digits),
        )
        .struct.with_fields(
            major_value=field("major").cast(pl.Int64, strict=False),
            minor_value=field("minor").cast(pl.Int64, strict=False).fill_null(0),
            patch_value=field("patch").cast(pl.Int64, strict=False).fill_null(0),
            number_value=field("number").cast(pl.Int64, strict=False).fill_null(0),
            stage=pl.when(field("dev").is_not_null())
            .then(STAGE_DEV)
            .otherwise(
                field("stage_name")
                .replace_strict(STAGE_BY_STABILITY, default=None, return_dtype=pl.Int64)
                .fill_null(STAGE_STABLE)
            ),
        )
        # Arithmetic in with_fields, not struct.eval: see transforms.versions.
        .struct.with_fields(
            key=pl.when(
                field("short")
                & ~(field("stage_name").is_not_null() & field("dev").is_not_null())
                & ~((field("stage_name") == "stable") & field("number").is_not_null()).fill_null(False)
                & (field("major_value") <= MAX_MAJOR)
                & (field("minor_value") <= MAX_MINOR)
                & (field("patch_value") <= MAX_PATCH)
                & (field("number_value") <= MAX_NUMBER)
            ).then(
                field("major_value") * MAJOR_FACTOR
                + field("minor_value") * MINOR_FACTOR
                + field("patch_value") * PATCH_FACTOR
                + field("stage") * STAGE_FACTOR
                + field("number_value") * NUMBER_FACTOR
            )
        )
        .struct.field("key")
    )


def composer_version(text: str) -> str | None:
    """A Drupal version in the form the Composer facade publishes it.

    ``8.x-1.2`` -> ``1.2``, ``7.x-2.0-beta3`` -> ``2.0-beta3``; semantic versions and core
    versions (``2.0.0-beta1``, ``10.3.8``, ``7.59``) stay as they are. None for dev snapshots
    and branches (Composer knows them only as branches, which advisories never list), for
    ``unstable`` pre-releases (not a Composer stability) and for invalid strings.
    """
    version = parse_version(text)
    if version is None or version.is_dev or (version.extra or "").startswith("unstable"):
        return None
    return text.removeprefix(f"{version.core}-") if version.core else text


def composer_version_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised ``composer_version``."""
    field = pl.field
    keep = (
        version_struct(expr)
        .struct.with_fields(
            keep=field("sort_key").is_not_null()
            & ~field("is_dev")
            & ~field("extra").str.starts_with("unstable").fill_null(False)
        )
        .struct.field("keep")
    )
    return pl.when(keep).then(expr.str.replace(r"^[0-9]+\.x-", ""))


# --- constraints -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdvisoryClause:
    """One OR clause: lower/upper bounds (None = unbounded) minus excluded keys."""

    clause: str
    lower_key: int | None = None
    lower_inclusive: bool = False
    upper_key: int | None = None
    upper_inclusive: bool = False
    excluded_keys: tuple[int, ...] = field(default=())

    def contains(self, key: int) -> bool:
        if self.lower_key is not None and (
            key < self.lower_key or (key == self.lower_key and not self.lower_inclusive)
        ):
            return False
        if self.upper_key is not None and (
            key > self.upper_key or (key == self.upper_key and not self.upper_inclusive)
        ):
            return False
        return key not in self.excluded_keys


def _tighter_lower(clause: AdvisoryClause, key: int, inclusive: bool) -> AdvisoryClause:
    if clause.lower_key is None or key > clause.lower_key:
        return replace(clause, lower_key=key, lower_inclusive=inclusive)
    if key == clause.lower_key:
        return replace(clause, lower_inclusive=clause.lower_inclusive and inclusive)
    return clause


def _tighter_upper(clause: AdvisoryClause, key: int, inclusive: bool) -> AdvisoryClause:
    if clause.upper_key is None or key < clause.upper_key:
        return replace(clause, upper_key=key, upper_inclusive=inclusive)
    if key == clause.upper_key:
        return replace(clause, upper_inclusive=clause.upper_inclusive and inclusive)
    return clause


def _parse_clause(text: str, constraint: str) -> AdvisoryClause:
    # "> = 1.0" is not Composer, but ">= 1.0" is: glue operators to their versions first.
    glued = re.sub(r"(>=|<=|!=|<>|==|=|>|<)\s+", r"\1", text)
    clause = AdvisoryClause(clause=text)
    for atom in re.split(r"\s*,\s*|\s+", glued):
        if atom == "*":
            continue
        match = _ATOM_RE.fullmatch(atom)
        version = _parse(match.group("version")) if match else None
        if version is None:
            raise ValueError(f"unsupported constraint part {atom!r} in {constraint!r}")
        operator = match.group("operator") or "="
        key = version.key
        if operator in (">=", "<") and not version.has_stability:
            # Composer's implicit -dev: same numbers, stage stable -> dev.
            key -= (STAGE_STABLE - STAGE_DEV) * STAGE_FACTOR
        if operator in (">=", ">"):
            clause = _tighter_lower(clause, key, operator == ">=")
        elif operator in ("<=", "<"):
            clause = _tighter_upper(clause, key, operator == "<=")
        elif operator in ("!=", "<>"):
            clause = replace(clause, excluded_keys=(*clause.excluded_keys, key))
        else:
            clause = _tighter_upper(_tighter_lower(clause, key, True), key, True)
    return clause


def parse_constraint(constraint: str) -> list[AdvisoryClause]:
    """The OR clauses of a Composer constraint; ``ValueError`` if any part is not understood."""
    return list(_clauses(constraint))


@functools.lru_cache(maxsize=4096)
def _clauses(constraint: str) -> tuple[AdvisoryClause, ...]:
    text = constraint.strip() if isinstance(constraint, str) else ""
    if not text:
        raise ValueError(f"empty constraint {constraint!r}")
    clauses = re.split(r"\s*\|\|?\s*", text)
    if any(not clause for clause in clauses):
        raise ValueError(f"empty alternative in constraint {constraint!r}")
    return tuple(_parse_clause(clause, constraint) for clause in clauses)


def satisfies(version: str, constraint: str) -> bool:
    """Whether a Composer version satisfies a constraint (``ValueError`` for invalid input)."""
    parsed = _parse(version)
    if parsed is None:
        raise ValueError(f"not a Composer version: {version!r}")
    return any(clause.contains(parsed.key) for clause in _clauses(constraint))


# --- set-based matching ------------------------------------------------------------------


def project_of_package(package: str) -> str | None:
    """``drupal/views`` -> ``views``; ``drupal/core`` (and legacy ``drupal/drupal``) ->
    ``drupal``; None for packages outside the ``drupal/`` vendor."""
    if package in _CORE_PACKAGES:
        return "drupal"
    vendor, _, name = package.partition("/")
    return name if vendor == "drupal" and name else None


def advisory_intervals(
    conflict: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    on_error: Literal["raise", "skip"] = "raise",
) -> pl.DataFrame:
    """One row per OR clause of every ``conflict`` entry (``ADVISORY_INTERVALS_SCHEMA``).

    A null bound is unbounded (its ``*_inclusive`` is then false). Packages outside the
    ``drupal/`` vendor are left out. An unparsable constraint raises ``ValueError``, or with
    ``on_error="skip"`` leaves that package out.
    """
    items = conflict.items() if isinstance(conflict, Mapping) else conflict
    rows = []
    for package, constraint in items:
        project = project_of_package(package)
        if project is None:
            continue
        try:
            clauses = parse_constraint(constraint)
        except ValueError as error:
            if on_error == "skip":
                continue
            raise ValueError(f"{package}: {error}") from error
        rows.extend(
            {
                "package": package,
                "project": project,
                "constraint": constraint,
                "clause": clause.clause,
                "lower_key": clause.lower_key,
                "lower_inclusive": clause.lower_inclusive,
                "upper_key": clause.upper_key,
                "upper_inclusive": clause.upper_inclusive,
                "excluded_keys": list(clause.excluded_keys),
            }
            for clause in clauses
        )
    return pl.DataFrame(rows, schema=ADVISORY_INTERVALS_SCHEMA)


def match_advisories(
    installed: pl.LazyFrame | pl.DataFrame,
    intervals: pl.LazyFrame | pl.DataFrame,
    *,
    on: Sequence[str] = ("project",),
) -> pl.LazyFrame:
    """Installed versions that an advisory covers: a join on ``on`` and an interval filter.

    ``installed`` needs the ``on`` columns and ``composer_key`` (``composer_key_expr`` of the
    Composer form); its other columns are carried through. The result has one row per installed
    row and distinct matching constraint, in the installed order, with ``package``,
    ``constraint`` and the first matching ``clause`` added (drupal/core and drupal/drupal give
    the same constraint once). Installed rows without a key match nothing.

    The 7.x metapackage speaks of 7.x releases (its ``1.5`` is ``7.x-1.5``), the 9.x one of
    Drupal 8+ releases: give ``intervals`` a column saying which core it is for, and join on
    it too (``on=("project", "core_family")``), or match each file against its own sites.
    """
    key = pl.col("composer_key")
    lower_ok = pl.col("lower_key").is_null() | pl.when(pl.col("lower_inclusive")).then(
        key >= pl.col("lower_key")
    ).otherwise(key > pl.col("lower_key"))
    upper_ok = pl.col("upper_key").is_null() | pl.when(pl.col("upper_inclusive")).then(
        key <= pl.col("upper_key")
    ).otherwise(key < pl.col("upper_key"))
    row = "__installed_row"
    return (
        installed.lazy()
        .with_row_index(row)
        .join(
            intervals.lazy().select(*dict.fromkeys([*on, *ADVISORY_INTERVALS_SCHEMA.names()])),
            on=list(on),
            how="inner",
            maintain_order="left_right",
        )
        .filter(key.is_not_null() & lower_ok & upper_ok & ~pl.col("excluded_keys").list.contains(key))
        .unique(subset=[row, "constraint"], keep="first", maintain_order=True)
        .drop(row, *_BOUND_COLUMNS)
    )
