"""Composer versions, constraints and advisory matching (transforms.composer)."""

import json
import random
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from transforms.composer import (
    ADVISORY_INTERVALS_SCHEMA,
    advisory_intervals,
    composer_key,
    composer_key_expr,
    composer_version,
    composer_version_expr,
    match_advisories,
    parse_constraint,
    project_of_package,
    satisfies,
)
from transforms.versions import parse_version

DATA = Path(__file__).parent / "data"
ADVISORY_FILES = ("drupal-security-advisories-7.x.json", "drupal-security-advisories-9.x.json")


def conflict_of(name: str) -> dict[str, str]:
    return json.loads((DATA / name).read_text())["conflict"]


def keys_of(texts: list[str]) -> pl.Series:
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    return frame.select(composer_key_expr(pl.col("text")).alias("key")).to_series()


def scalar_keys(texts: list[str]) -> pl.Series:
    return pl.Series("key", [composer_key(text) for text in texts], dtype=pl.Int64)


def matched(versions: list[str], conflict: dict[str, str], project: str) -> list[bool]:
    """For each version of ``project``: does the set-based path find an advisory?"""
    installed = pl.DataFrame({"project": [project] * len(versions), "version": versions}).with_columns(
        composer_key=composer_key_expr(pl.col("version"))
    )
    hits = match_advisories(installed, advisory_intervals(conflict)).collect()
    return [version in set(hits["version"]) for version in versions]


# --- Drupal -> Composer form -------------------------------------------------------------

COMPOSER_FORMS = [
    ("8.x-1.2", "1.2"),
    ("7.x-2.0-beta3", "2.0-beta3"),
    ("8.x-1.01", "1.01"),
    ("2.0.4", "2.0.4"),
    ("2.0.0-beta1", "2.0.0-beta1"),
    ("10.3.8", "10.3.8"),
    ("10.3.0-rc1", "10.3.0-rc1"),
    ("7.59", "7.59"),
    ("1.2", "1.2"),
    ("8.x-1.x-dev", None),
    ("10.3.x-dev", None),
    ("1.0.0+5-dev", None),
    ("10.3.6-dev", None),
    ("7.x-1.0-unstable3", None),
    ("nonsense", None),
    ("", None),
]


@pytest.mark.parametrize(("drupal", "composer"), COMPOSER_FORMS)
def test_composer_version(drupal, composer):
    assert composer_version(drupal) == composer
    if composer is not None:
        assert composer_key(composer) is not None


def test_composer_version_expr_matches_scalar():
    texts = [drupal for drupal, _ in COMPOSER_FORMS] + [None]
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    vector = frame.select(composer_version_expr(pl.col("text")).alias("composer")).to_series()
    expected = [composer for _, composer in COMPOSER_FORMS] + [None]
    assert_series_equal(vector, pl.Series("composer", expected, dtype=pl.String))


# --- Composer versions -------------------------------------------------------------------


def test_composer_bounds():
    assert composer_key("9999.99999.99999-p999") < 2**63 - 1
    assert composer_key("2.2210") > composer_key("2.220")  # a real 7.x-2.2210 release


def test_composer_equalities():
    assert composer_key("1.2") == composer_key("1.2.0") == composer_key("v1.2.0")
    assert composer_key("1") == composer_key("1.0.0")
    assert composer_key("1.0-RC1") == composer_key("1.0-rc1") == composer_key("1.0.0RC1")
    assert composer_key("1.0-alpha2") == composer_key("1.0-a2") == composer_key("1.0.0-ALPHA.2")
    assert composer_key("1.0-beta1") == composer_key("1.0-b1")
    assert composer_key("1.0-stable") == composer_key("1.0")
    assert composer_key("1.01") == composer_key("1.1")


def test_composer_order():
    ordered = [
        "0.9",
        "1.0-dev",
        "1.0-alpha",
        "1.0-alpha1",
        "1.0-alpha9",
        "1.0-alpha10",
        "1.0-beta1",
        "1.0-RC1",
        "1.0-rc2",
        "1.0",
        "1.0-p1",
        "1.0.1-dev",
        "1.0.1",
        "1.9",
        "1.10",
        "1.10.1",
        "2",
    ]
    keys = [composer_key(text) for text in ordered]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "1.0.0.0",
        "1.x",
        "1.x-dev",
        "dev-main",
        "1.0-alpha1-dev",
        "1.0-stable1",
        "1.0-foo",
        " 1.0",
        "1.0 ",
        "1.0\n",
        "*",
        ">=1.0",
        "1.0-\u017ftable",  # the long s folds to "s" under a case-insensitive regex
        "10000.0",
        "1.100000",
        "1.0.100000",
        "1.0-alpha1000",
        "99999999999999999999999",
    ],
)
def test_invalid_composer_versions(text):
    assert composer_key(text) is None
    assert keys_of([text]).to_list() == [None]
    with pytest.raises(ValueError, match="not a Composer version"):
        satisfies(text, ">=1.0")


# --- constraints -------------------------------------------------------------------------

SATISFIES = [
    # exact versions
    ("1.2", "1.2", True),
    ("1.2.0", "1.2", True),
    ("1.2", "==1.2.0", True),
    ("1.2", "=1.2", True),
    ("1.2.1", "1.2", False),
    ("1.2-beta1", "1.2", False),
    # ranges
    ("1.0", ">=1,<1.4", True),
    ("1.3.9", ">=1,<1.4", True),
    ("1.4", ">=1,<1.4", False),
    ("0.9", ">=1,<1.4", False),
    ("1.0", ">=1,<1.0", False),  # Composer's empty range, as written in the 9.x file
    ("1.0", ">1.0", False),
    ("1.0.1", ">1.0", True),
    ("1.0", "<=1.0", True),
    ("1.0.1", "<=1.0", False),
    ("2.0", ">=1.0 <2.0", False),
    ("1.5", ">=1.0 <2.0", True),
    ("1.5", ">= 1.0, < 2.0", True),
    ("1.5", ">=1.0,!=1.5", False),
    ("1.6", ">=1.0,!=1.5", True),
    ("1.6", ">=1.0,<>1.6", False),
    ("1.6", "*", True),
    ("1.6", ">=1.0,*", True),
    # | and ||
    ("1.0", "1.0|>=2,<2.5", True),
    ("2.4", "1.0|>=2,<2.5", True),
    ("2.5", "1.0|>=2,<2.5", False),
    ("1.1", "1.0|>=2,<2.5", False),
    ("2.4", "1.0 || >=2,<2.5", True),
    ("3.0", ">=1,<1.4|>=3,<3.1 | 4.0", True),
    # pre-releases: >= and < without a stability mean -dev of that version (Composer)
    ("1.0-alpha1", ">=1.0", True),
    ("1.0-dev", ">=1.0", True),
    ("0.9", ">=1.0", False),
    ("1.0-alpha1", ">1.0", False),
    ("1.0-alpha1", "<1.0", False),
    ("0.9.9", "<1.0", True),
    ("1.0-alpha1", "<=1.0", True),
    ("1.0-alpha1", ">=1.0-beta1", False),
    ("1.0-rc1", ">=1.0-beta1", True),
    ("1.4.0-beta1", ">=1,<1.4", False),
    ("1.4.0-beta1", ">=1,<=1.4", True),
    ("8.0.0-beta1", ">=8.0,<8.0.0-beta2", True),
    ("8.0.0-beta2", ">=8.0,<8.0.0-beta2", False),
    ("8.0.0-alpha14", ">=8.0,<8.0.0-beta2", True),
    ("1.0-RC2", ">1.0-rc1,<1.0", False),  # <1.0 is <1.0-dev
    ("1.0-RC2", ">1.0-rc1,<=1.0", True),
    ("1.0-RC2", ">1.0-rc1,<1.0-stable", True),
]


@pytest.mark.parametrize(("version", "constraint", "expected"), SATISFIES)
def test_satisfies(version, constraint, expected):
    assert satisfies(version, constraint) is expected
    assert matched([version], {"drupal/example": constraint}, "example") == [expected]


@pytest.mark.parametrize(
    "constraint",
    ["", " ", "~1.0", "^1.0", "1.0.*", "1.0 - 2.0", ">=", "1.0|", "|1.0", "1.0||", "foo", ">=1.0,", "=>1.0"],
)
def test_unsupported_constraints_raise(constraint):
    with pytest.raises(ValueError):
        parse_constraint(constraint)
    with pytest.raises(ValueError, match="drupal/example"):
        advisory_intervals({"drupal/example": constraint})


def test_unparsable_constraint_can_be_skipped():
    intervals = advisory_intervals({"drupal/bad": "~1.0", "drupal/good": "1.0"}, on_error="skip")
    assert intervals["package"].to_list() == ["drupal/good"]


def test_project_of_package():
    assert project_of_package("drupal/views") == "views"
    assert project_of_package("drupal/core") == "drupal"
    assert project_of_package("drupal/drupal") == "drupal"
    assert project_of_package("symfony/http-kernel") is None
    assert project_of_package("drupal/") is None


def test_intervals_of_one_constraint():
    intervals = advisory_intervals({"drupal/views_ui": "1.0|>=1.2,<1.4,!=1.3-beta1|>2"})
    one_two = composer_key("1.2-dev")
    expected = pl.DataFrame(
        {
            "package": ["drupal/views_ui"] * 3,
            "project": ["views_ui"] * 3,
            "constraint": ["1.0|>=1.2,<1.4,!=1.3-beta1|>2"] * 3,
            "clause": ["1.0", ">=1.2,<1.4,!=1.3-beta1", ">2"],
            "lower_key": [composer_key("1.0"), one_two, composer_key("2")],
            "lower_inclusive": [True, True, False],
            "upper_key": [composer_key("1.0"), composer_key("1.4-dev"), None],
            "upper_inclusive": [True, False, False],
            "excluded_keys": [[], [composer_key("1.3-beta1")], []],
        },
        schema=ADVISORY_INTERVALS_SCHEMA,
    )
    assert_frame_equal(intervals, expected)


def test_empty_conflict_gives_an_empty_typed_frame():
    assert_frame_equal(advisory_intervals({}), pl.DataFrame(schema=ADVISORY_INTERVALS_SCHEMA))


# --- the real metapackages ---------------------------------------------------------------


def versions_in(constraint: str) -> list[str]:
    """Every version written in a constraint (an independent split, not the parser's)."""
    parts = re.split(r"\|\|?|,|\s+", constraint)
    return [re.sub(r"^(>=|<=|!=|<>|==|=|>|<)", "", part) for part in parts if part]


@pytest.mark.parametrize("name", ADVISORY_FILES)
def test_every_constraint_in_the_metapackages_parses(name):
    conflict = conflict_of(name)
    assert len(conflict) > 200
    intervals = advisory_intervals(conflict)
    assert intervals.schema == ADVISORY_INTERVALS_SCHEMA
    clause_count = sum(len(re.split(r"\|\|?", constraint)) for constraint in conflict.values())
    assert intervals.height == clause_count
    assert intervals["project"].null_count() == 0


@pytest.mark.parametrize("name", ADVISORY_FILES)
def test_every_version_in_the_metapackages_is_a_composer_version(name):
    versions = sorted({version for constraint in conflict_of(name).values() for version in versions_in(constraint)})
    assert len(versions) > 300
    assert all(composer_key(version) is not None for version in versions), [
        version for version in versions if composer_key(version) is None
    ]
    assert_series_equal(keys_of(versions), scalar_keys(versions))


@pytest.mark.parametrize("name", ADVISORY_FILES)
def test_every_listed_version_satisfies_its_own_constraint(name):
    conflict = conflict_of(name)
    listed = [
        (package, clause)
        for package, constraint in conflict.items()
        for clause in constraint.split("|")
        if re.fullmatch(r"[0-9][0-9A-Za-z.\-]*", clause)
    ]
    assert len(listed) > 1000
    for package, version in listed:
        assert satisfies(version, conflict[package]), (package, version)
    installed = pl.DataFrame(
        {
            "project": [project_of_package(package) for package, _ in listed],
            "listed_in": [conflict[package] for package, _ in listed],
            "version": [version for _, version in listed],
        }
    ).with_columns(composer_key=composer_key_expr(pl.col("version")))
    hits = match_advisories(installed, advisory_intervals(conflict))
    hits = hits.filter(pl.col("listed_in") == pl.col("constraint")).collect()
    assert hits.height == len(listed)


@pytest.mark.parametrize("name", ADVISORY_FILES)
def test_drupal_and_composer_agree_on_order_within_one_shape(name):
    """Two-part versions against two-part, three-part against three-part: the Drupal sort key
    and the Composer key order them the same way."""
    versions = {version for constraint in conflict_of(name).values() for version in versions_in(constraint)}
    by_shape: dict[int, list[str]] = {}
    for version in versions:
        if parse_version(version) is not None:
            by_shape.setdefault(version.split("-")[0].count("."), []).append(version)
    for shaped in by_shape.values():
        by_drupal = sorted(shaped, key=lambda version: (parse_version(version).sort_key, version))
        by_composer = sorted(shaped, key=lambda version: (composer_key(version), version))
        assert by_drupal == by_composer


def test_drupal_core_constraints_of_the_9x_file():
    conflict = conflict_of("drupal-security-advisories-9.x.json")
    core = conflict["drupal/core"]
    cases = {
        "9.5.10": True,
        "9.5.11": False,
        "10.2.9": True,
        "10.2.10": False,
        "10.1.8": True,
        "10.3.0": False,
        "8.9.19": True,
        "8.9.20": False,
        "9.4.0-rc1": True,  # >=9.4,<9.4.0-rc2
        "10.0.0-alpha1": True,
        "11.0.0": False,
    }
    for version, expected in cases.items():
        assert satisfies(version, core) is expected, version
    installed = list(cases)
    assert matched(installed, conflict, "drupal") == list(cases.values())


def test_drupal_core_constraints_of_the_7x_file():
    core = conflict_of("drupal-security-advisories-7.x.json")["drupal/core"]
    assert satisfies("7.95", core)
    assert satisfies("7.0-alpha3", core)
    assert not satisfies("7.96", core)  # only ">=7.96,<7.96", an empty range
    assert not satisfies("7.100", core)


def test_pre_releases_in_real_constraints():
    acl = conflict_of("drupal-security-advisories-9.x.json")["drupal/acl"]
    assert acl.startswith("1.0-alpha1|1.0-alpha2|")
    assert satisfies("1.0-alpha2", acl)
    assert not satisfies("1.0-alpha3", acl)  # not listed, and ">=1,<1.0" is empty
    assert not satisfies("1.0", acl)


def test_match_advisories_on_real_data():
    conflict = conflict_of("drupal-security-advisories-9.x.json")
    installed = pl.DataFrame(
        {
            "site_id": [1, 1, 1, 2, 2, 2],
            "project": ["drupal", "admin_toolbar", "no_such_project", "drupal", "admin_toolbar", "admin_toolbar"],
            "version": ["9.5.10", "8.x-2.4", "8.x-1.0", "10.3.8", "3.0.2", "8.x-2.x-dev"],
        }
    ).with_columns(composer_key=composer_key_expr(composer_version_expr(pl.col("version"))))
    hits = match_advisories(installed.lazy(), advisory_intervals(conflict)).collect()
    assert hits.columns == [*installed.columns, "package", "constraint", "clause"]
    # drupal/core and drupal/drupal carry the same constraint: one row, the first package.
    assert hits.select("site_id", "project", "version", "package", "clause").rows() == [
        (1, "drupal", "9.5.10", "drupal/core", "9.5.10"),
        (1, "admin_toolbar", "8.x-2.4", "drupal/admin_toolbar", "2.4"),
    ]
    assert hits["constraint"].to_list() == [conflict["drupal/core"], conflict["drupal/admin_toolbar"]]


def test_match_advisories_keeps_one_row_per_distinct_constraint():
    intervals = advisory_intervals(
        {"drupal/core": "9.5.1|>=9.5,<9.5.2", "drupal/drupal": "9.5.1|>=9.5,<9.5.2", "drupal/x": ">=1"}
    ).vstack(advisory_intervals({"drupal/core": ">=9,<10"}))
    installed = pl.DataFrame({"project": ["drupal"], "composer_key": [composer_key("9.5.1")]})
    hits = match_advisories(installed, intervals).collect()
    assert hits.select("package", "constraint", "clause").rows() == [
        ("drupal/core", "9.5.1|>=9.5,<9.5.2", "9.5.1"),
        ("drupal/core", ">=9,<10", ">=9,<10"),
    ]


def test_match_advisories_without_advisory_or_key_matches_nothing():
    intervals = advisory_intervals({"drupal/views": ">=3,<3.5"})
    installed = pl.DataFrame(
        {"project": ["token", "views", "views"], "composer_key": [composer_key("3.0"), None, composer_key("3.5")]},
        schema={"project": pl.String, "composer_key": pl.Int64},
    )
    assert match_advisories(installed, intervals).collect().height == 0


def test_match_advisories_can_join_on_the_core_family_too():
    """The 7.x file's "1.5" is 7.x-1.5: it must not flag a Drupal 10 site's 8.x-1.5."""
    intervals = pl.concat(
        [
            advisory_intervals({"drupal/token": "1.5"}).with_columns(core_family=pl.lit("7")),
            advisory_intervals({"drupal/token": "1.9"}).with_columns(core_family=pl.lit("8+")),
        ]
    )
    installed = pl.DataFrame(
        {"project": ["token", "token"], "core_family": ["7", "8+"], "version": ["7.x-1.5", "8.x-1.5"]}
    ).with_columns(composer_key=composer_key_expr(composer_version_expr(pl.col("version"))))
    hits = match_advisories(installed, intervals, on=("project", "core_family")).collect()
    assert hits["version"].to_list() == ["7.x-1.5"]


# --- properties: satisfies == set-based path == brute force ------------------------------

STABILITY_RANKS = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "RC": 3, "rc": 3, "patch": 5, "pl": 5, "p": 5}
STABLE_RANK = 4


@st.composite
def composer_versions(draw):
    """A Composer version string and its meaning: ((major, minor, patch), rank, number), and
    whether it names a stability (which switches off Composer's implicit -dev)."""
    parts = draw(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=3))
    text = ".".join(str(part) for part in parts)
    numbers = tuple(parts + [0] * (3 - len(parts)))
    stability = draw(st.sampled_from([None, None, None, *STABILITY_RANKS]))
    if stability is None:
        return text, (numbers, STABLE_RANK, 0), False
    separator = draw(st.sampled_from(["-", "-", ".", ""]))
    if stability == "dev":
        return f"{text}{separator}dev", (numbers, 0, 0), True
    number = draw(st.sampled_from([None, 1, 2, 10]))
    suffix = "" if number is None else str(number)
    return f"{text}{separator}{stability}{suffix}", (numbers, STABILITY_RANKS[stability], number or 0), True


OPERATORS = ["", "=", "==", ">=", ">", "<=", "<", "!=", "<>"]


@st.composite
def constraints(draw):
    """Constraint text and its structure [[(operator, meaning, names_stability)]]."""
    clauses = draw(
        st.lists(
            st.lists(st.tuples(st.sampled_from(OPERATORS), composer_versions()), min_size=1, max_size=3),
            min_size=1,
            max_size=3,
        )
    )
    or_separator = draw(st.sampled_from(["|", "||", " || ", " | "]))
    and_separator = draw(st.sampled_from([",", ", ", " "]))
    gap = draw(st.sampled_from(["", " "]))
    texts = [
        and_separator.join(f"{operator}{gap if operator else ''}{text}" for operator, (text, _, _) in clause)
        for clause in clauses
    ]
    structure = [[(operator, meaning, named) for operator, (_, meaning, named) in clause] for clause in clauses]
    return or_separator.join(texts), structure


def brute_force(meaning, structure) -> bool:
    """Composer's rules written out directly on tuples."""

    def holds(operator, bound, named) -> bool:
        if operator in (">=", "<") and not named:
            bound = (bound[0], 0, 0)  # the implicit -dev
        return {
            "": meaning == bound,
            "=": meaning == bound,
            "==": meaning == bound,
            "!=": meaning != bound,
            "<>": meaning != bound,
            ">=": meaning >= bound,
            ">": meaning > bound,
            "<=": meaning <= bound,
            "<": meaning < bound,
        }[operator]

    return any(all(holds(operator, bound, named) for operator, bound, named in clause) for clause in structure)


@settings(max_examples=300, deadline=None)
@given(st.lists(composer_versions(), min_size=1, max_size=12), constraints())
def test_satisfies_agrees_with_intervals_and_brute_force(versions, constraint):
    text, structure = constraint
    expected = [brute_force(meaning, structure) for _, meaning, _ in versions]
    names = [version for version, _, _ in versions]
    assert [satisfies(version, text) for version in names] == expected, text
    assert matched(names, {"drupal/example": text}, "example") == expected, text


@settings(max_examples=200, deadline=None)
@given(composer_versions(), composer_versions())
def test_composer_key_order_is_the_meaning_order(left, right):
    left_text, left_meaning, _ = left
    right_text, right_meaning, _ = right
    left_key, right_key = composer_key(left_text), composer_key(right_text)
    assert (left_key < right_key) == (left_meaning < right_meaning)
    assert (left_key == right_key) == (left_meaning == right_meaning)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(composer_versions().map(lambda drawn: drawn[0]), st.text(max_size=10)), max_size=30))
def test_composer_key_expr_agrees_with_scalar(texts):
    assert_series_equal(keys_of(texts), scalar_keys(texts))


def test_composer_key_expr_agrees_with_scalar_on_thousands_of_strings():
    generator = random.Random(7)
    alphabet = "0123456789.-vVaAbBrRcCdDeEvVpPlLsStT_ "
    texts = ["".join(generator.choices(alphabet, k=generator.randint(0, 12))) for _ in range(4000)]
    texts += [f"{generator.randint(0, 20)}.{generator.randint(0, 20)}-rc{generator.randint(0, 9)}" for _ in range(1000)]
    keys = keys_of(texts)
    assert_series_equal(keys, scalar_keys(texts))
    assert keys.null_count() < len(texts) - 1000

