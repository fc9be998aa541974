"""Drupal version grammar, order key and branch matching (transforms.versions)."""

import csv
import json
import random
import re
from functools import cmp_to_key
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from transforms.versions import (
    MAX_COMMITS,
    MAX_MAJOR,
    MAX_MINOR,
    MAX_PATCH,
    MAX_STAGE_NUMBER,
    VERSION_FIELDS,
    VERSION_STRUCT_DTYPE,
    DrupalVersion,
    branch_prefix,
    branch_prefix_expr,
    major_is_supported_expr,
    matches_branch_expr,
    parse_version,
    supported_branches_list,
    supported_majors_expr,
    supported_majors_list,
    version_struct,
)

DATA = Path(__file__).parent / "data"
INT64_MAX = 2**63 - 1


def parse_many(texts: list[str | None]) -> pl.DataFrame:
    """The vectorised parse of ``texts``, unnested."""
    return (
        pl.DataFrame({"text": texts}, schema={"text": pl.String})
        .select(version_struct(pl.col("text")).alias("parsed"))
        .unnest("parsed")
    )


def scalar_rows(texts: list[str | None]) -> pl.DataFrame:
    """The scalar parse of ``texts`` in the same shape as ``parse_many``."""
    rows = []
    for text in texts:
        version = parse_version(text) if text is not None else None
        rows.append(
            {name: getattr(version, name) for name in VERSION_FIELDS}
            if version
            else dict.fromkeys(VERSION_FIELDS)
        )
    return pl.DataFrame(rows, schema=VERSION_STRUCT_DTYPE.to_schema())


def key(text: str) -> int:
    version = parse_version(text)
    assert version is not None, text
    return version.sort_key


# --- the grammar -------------------------------------------------------------------------

VALID = [
    # text, core, major, minor, patch, extra, is_dev
    ("8.x-1.2", "8.x", 1, None, 2, None, False),
    ("7.x-3.0-rc4", "7.x", 3, None, 0, "rc4", False),
    ("7.x-1.0-unstable3", "7.x", 1, None, 0, "unstable3", False),
    ("1.2.3", None, 1, 2, 3, None, False),
    ("2.0.0-beta1", None, 2, 0, 0, "beta1", False),
    ("1.x-dev", None, 1, None, None, "dev", True),
    ("8.x-1.x-dev", "8.x", 1, None, None, "dev", True),
    ("10.3.x-dev", None, 10, 3, None, "dev", True),
    ("10.3.0-rc1", None, 10, 3, 0, "rc1", False),
    ("1.0.0+5-dev", None, 1, 0, 0, "dev", True),
    ("8.x-1.0-beta1+3-dev", "8.x", 1, None, 0, "dev", True),
    ("8.x-2.3+0-dev", "8.x", 2, None, 3, "dev", True),
    ("7.59", None, 7, None, 59, None, False),
    ("7.x-dev", None, 7, None, None, "dev", True),
    ("1.2", None, 1, None, 2, None, False),
    ("10.3.6-dev", None, 10, 3, 6, "dev", True),
    ("11.0.0-alpha10", None, 11, 0, 0, "alpha10", False),
    ("0.0.0", None, 0, 0, 0, None, False),
    ("6.x-2.10", "6.x", 2, None, 10, None, False),
    # drupal.org has 8.x-1.01 ... 8.x-1.08 (svg_formatter, permissions_by_term): numbers.
    ("8.x-1.01", "8.x", 1, None, 1, None, False),
    ("1.02", None, 1, None, 2, None, False),
    ("01.2.03-alpha01", None, 1, 2, 3, "alpha01", False),
]

INVALID = [
    "",
    "8",
    "x",
    "1.x.0",
    "1.1.x",
    "1.1.x-extra",
    "1.1.1.1",
    ".1",
    "1.0.",
    " 1.0",
    "1.0 ",
    "1.0\n",
    "1. 0",
    "\t",
    "garbage",
    "master",
    "dev-main",
    "1.x",
    "x.x-dev",
    "1.x.x-dev",
    "8.x-1.2.3",  # the legacy core prefix only goes with two-part versions
    "8.x-",
    "8.x-dev-dev",
    "1.2-dev",  # two-part -dev: a branch for core, a patch for contrib
    "1.0-beta",  # pre-releases are numbered
    "1.0-alpha-1",
    "1.0-ALPHA1",
    "1.0-RC1",
    "1.0-pre1",
    "1.0.0-dev-dev",
    "1.0.0+5",  # a snapshot always says -dev
    "1.0.0+-dev",
    "1.x-dev+5-dev",
    "1.x+5-dev",
    "10.3.x-rc1",
    "1.0.0-rc1-dev",
    "v1.2.3",
    "1.2.3-beta1 ",
    "\u0661.\u0662",  # Arabic-Indic digits are digits to Python and Rust, not to Drupal
    "1.\uff12",  # a fullwidth digit
    "7.x-1.0-unstable",
    "99999999999999999999999999.1",
]


@pytest.mark.parametrize(
    ("text", "core", "major", "minor", "patch", "extra", "is_dev"),
    VALID,
    ids=[row[0] for row in VALID],
)
def test_valid_forms_parse(text, core, major, minor, patch, extra, is_dev):
    version = parse_version(text)
    assert version is not None
    assert (
        version.core,
        version.major,
        version.minor,
        version.patch,
        version.extra,
        version.is_dev,
    ) == (core, major, minor, patch, extra, is_dev)
    assert 0 <= version.sort_key <= INT64_MAX


@pytest.mark.parametrize("text", INVALID)
def test_invalid_strings_are_rejected(text):
    assert parse_version(text) is None
    assert branch_prefix(text) is None


def test_vectorised_parse_of_the_tables_matches_the_scalar_parse():
    texts = [row[0] for row in VALID] + INVALID + [None]
    parsed = parse_many(texts)
    assert_frame_equal(parsed, scalar_rows(texts))
    # The struct is never null itself; every field is null for an invalid string.
    assert parsed.filter(pl.col("sort_key").is_null()).height == len(INVALID) + 1
    assert parsed.filter(pl.col("sort_key").is_null()).null_count().row(0) == (
        len(INVALID) + 1,
    ) * len(VERSION_FIELDS)


def test_vectorised_parse_has_the_declared_dtype():
    frame = pl.DataFrame({"text": ["1.2.3"]}).select(version_struct(pl.col("text")))
    assert frame.schema["text"] == VERSION_STRUCT_DTYPE
    empty = pl.DataFrame({"text": []}, schema={"text": pl.String})
    assert empty.select(version_struct(pl.col("text"))).schema["text"] == VERSION_STRUCT_DTYPE


def test_vectorised_parse_works_lazily_and_on_a_column_expression():
    lazy = pl.LazyFrame({"v": ["8.x-1.2", "bad"]}).with_columns(
        parsed=version_struct(pl.col("v").str.strip_chars())
    )
    out = lazy.collect()
    assert out["parsed"].struct.field("sort_key").to_list() == [key("8.x-1.2"), None]


@pytest.mark.parametrize(
    ("text", "bound_ok", "bound_bad"),
    [
        ("major", f"{MAX_MAJOR}.0.0", f"{MAX_MAJOR + 1}.0.0"),
        ("minor", f"1.{MAX_MINOR}.0", f"1.{MAX_MINOR + 1}.0"),
        ("patch", f"1.0.{MAX_PATCH}", f"1.0.{MAX_PATCH + 1}"),
        ("legacy patch", f"8.x-1.{MAX_PATCH}", f"8.x-1.{MAX_PATCH + 1}"),
        ("pre-release", f"1.0.0-rc{MAX_STAGE_NUMBER}", f"1.0.0-rc{MAX_STAGE_NUMBER + 1}"),
        ("commits", f"1.0.0+{MAX_COMMITS}-dev", f"1.0.0+{MAX_COMMITS + 1}-dev"),
    ],
)
def test_a_component_over_its_bound_is_invalid_not_misordered(text, bound_ok, bound_bad):
    assert parse_version(bound_ok) is not None, text
    assert parse_version(bound_bad) is None, text
    assert_frame_equal(parse_many([bound_ok, bound_bad]), scalar_rows([bound_ok, bound_bad]))


def test_the_largest_key_fits_bigint():
    largest = f"{MAX_MAJOR}.x-dev"
    assert key(largest) <= INT64_MAX
    assert key(f"{MAX_MAJOR}.{MAX_MINOR}.{MAX_PATCH}+{MAX_COMMITS}-dev") < key(largest)


# --- real drupal.org data ----------------------------------------------------------------


def d7_releases() -> list[dict[str, str]]:
    with (DATA / "d7_release_versions.tsv").open() as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_every_d7_feed_version_parses_as_the_feed_describes_it():
    releases = d7_releases()
    assert len(releases) > 600
    for release in releases:
        version = parse_version(release["version"])
        if release["version"] == "master":
            # imce's pre-2010 "HEAD" pseudo-release: no version_major, not in any branch.
            assert version is None
            assert release["version_major"] == ""
            continue
        assert version is not None, release
        assert version.major == int(release["version_major"]), release
        assert version.minor is None, release  # 7.x feeds never carry a minor
        expected_patch = int(release["version_patch"]) if release["version_patch"] else None
        assert version.patch == expected_patch, release
        # One old link release says version_extra "alpha-2" for 7.x-1.0-alpha2.
        assert version.extra == (release["version_extra"].replace("-", "") or None), release
        assert version.is_dev == (release["version_extra"] == "dev"), release


def test_d7_feed_versions_vectorised_agree_with_scalar():
    texts = [release["version"] for release in d7_releases()]
    assert_frame_equal(parse_many(texts), scalar_rows(texts))


def test_d7_feed_order_within_a_major_matches_release_dates_roughly():
    """In each project's feed, releases of one branch come newest first (drupal.org order);
    the key must agree for tagged releases of one major."""
    by_project: dict[tuple[str, str], list[str]] = {}
    for release in d7_releases():
        if release["version"] == "master" or release["version_extra"] == "dev":
            continue
        by_project.setdefault((release["project"], release["version_major"]), []).append(
            release["version"]
        )
    for (project, _major), versions in by_project.items():
        keys = [key(version) for version in versions]
        assert keys == sorted(keys, reverse=True), (project, versions)


def test_every_dotted_advisory_version_is_a_drupal_version():
    for name in ("drupal-security-advisories-7.x.json", "drupal-security-advisories-9.x.json"):
        conflict = json.loads((DATA / name).read_text())["conflict"]
        for constraint in conflict.values():
            for version in re.findall(r"[0-9][0-9A-Za-z.\-]*", constraint):
                if "." in version:
                    assert parse_version(version) is not None, (name, version)


# --- order -------------------------------------------------------------------------------


def test_order_examples():
    ordered = [
        "1.0.0-unstable1",
        "1.0.0-alpha1",
        "1.0.0-alpha10",
        "1.0.0-beta9",
        "1.0.0-beta10",
        "1.0.0-rc1",
        "1.0.0-rc2",
        "1.0.0",
        "1.0.0+0-dev",
        "1.0.0+4-dev",
        "1.0.0+5-dev",
        "1.0.1-dev",
        "1.0.1-alpha1",
        "1.0.1",
        "1.0.x-dev",
        "1.1.0-beta1+2-dev",
        "1.1.0-beta2",
        "1.9.0",
        "1.10.0",
        "1.10.x-dev",
        "1.x-dev",
        "2.0.0-dev",
        "2.0.0-alpha1",
    ]
    assert [key(text) for text in ordered] == sorted(key(text) for text in ordered)
    assert len({key(text) for text in ordered}) == len(ordered)
    legacy = ["8.x-1.0-beta1", "8.x-1.0", "8.x-1.9", "8.x-1.10", "8.x-1.x-dev", "8.x-2.0-alpha1"]
    assert [key(text) for text in legacy] == sorted(key(text) for text in legacy)
    core7 = ["7.0-rc4", "7.0", "7.9", "7.10", "7.59", "7.103", "7.x-dev"]
    assert [key(text) for text in core7] == sorted(key(text) for text in core7)


def test_core_prefix_is_not_part_of_the_key():
    assert key("7.x-1.2") == key("8.x-1.2") == key("1.2")
    assert key("8.x-1.x-dev") == key("1.x-dev")


PRE_RELEASES = ("unstable", "alpha", "beta", "rc")
numbers = st.integers(min_value=0, max_value=60)
small_numbers = st.integers(min_value=1, max_value=30)


@st.composite
def versions_with_reference(draw):
    """A valid version string and an order tuple built from its meaning, not its key:
    (major, minor, patch, stage, number, commits), where a branch is +infinity."""
    infinity = float("inf")
    major = draw(numbers)
    three_part = draw(st.booleans())
    minor = draw(numbers) if three_part else None
    core = None if three_part else draw(st.sampled_from([None, "6.x", "7.x", "8.x"]))
    prefix = f"{core}-" if core else ""
    kind = draw(st.sampled_from(["release", "pre", "snapshot", "branch", "pre-dev"]))
    if kind == "branch":
        if three_part:
            text = f"{major}.{minor}.x-dev"
            return text, (major, minor, infinity, 0, 0, 0)
        return f"{prefix}{major}.x-dev", (major, infinity, infinity, 0, 0, 0)
    patch = draw(numbers)
    base = f"{prefix}{major}.{minor}.{patch}" if three_part else f"{prefix}{major}.{patch}"
    sort_minor = minor if three_part else 0
    if kind == "pre-dev" and three_part:
        return f"{base}-dev", (major, sort_minor, patch, -1, 0, 0)
    pre = draw(st.sampled_from((None, *PRE_RELEASES))) if kind != "release" else None
    pre_number = draw(small_numbers) if pre else 0
    stage = PRE_RELEASES.index(pre) if pre else len(PRE_RELEASES)
    text = f"{base}-{pre}{pre_number}" if pre else base
    if kind == "snapshot":
        commits = draw(st.integers(min_value=0, max_value=500))
        return f"{text}+{commits}-dev", (major, sort_minor, patch, stage, pre_number, commits + 1)
    return text, (major, sort_minor, patch, stage, pre_number, 0)


def reference_compare(left, right) -> int:
    return (left > right) - (left < right)


@settings(max_examples=200, deadline=None)
@given(st.lists(versions_with_reference(), min_size=2, max_size=30))
def test_key_order_is_the_reference_order(pairs):
    # Total and consistent: sorting by key is sorting by meaning, ties exactly where meaning ties.
    for text, reference in pairs:
        for other_text, other_reference in pairs:
            assert reference_compare(key(text), key(other_text)) == reference_compare(
                reference, other_reference
            ), (text, other_text)
    by_key = sorted(pairs, key=lambda pair: key(pair[0]))
    by_reference = sorted(pairs, key=cmp_to_key(lambda a, b: reference_compare(a[1], b[1])))
    assert [ref for _, ref in by_key] == [ref for _, ref in by_reference]


@settings(max_examples=200, deadline=None)
@given(numbers, numbers, numbers, st.sampled_from(PRE_RELEASES), small_numbers)
def test_release_is_newer_than_its_own_pre_releases(major, minor, patch, pre, number):
    for base in (f"{major}.{minor}.{patch}", f"8.x-{major}.{patch}"):
        assert key(base) > key(f"{base}-{pre}{number}")
        assert key(f"{base}-{pre}{number}") < key(f"{base}-{pre}{number + 1}")


@settings(max_examples=100, deadline=None)
@given(numbers, numbers, numbers)
def test_rc_beta_alpha_numbers_on_one_patch(major, minor, patch):
    base = f"{major}.{minor}.{patch}"
    chain = [f"{base}-alpha10", f"{base}-beta9", f"{base}-rc1", f"{base}-rc2", base]
    assert [key(text) for text in chain] == sorted({key(text) for text in chain})
    assert key(f"{base}-beta10") > key(f"{base}-beta9")
    assert key(f"{base}-unstable9") < key(f"{base}-alpha1")


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=500))
def test_numeric_not_lexical(number):
    assert key(f"1.{number + 1}") > key(f"1.{number}")
    assert key(f"1.{number + 1}.0") > key(f"1.{number}.0")
    assert key(f"1.0.0+{number + 1}-dev") > key(f"1.0.0+{number}-dev")
    assert key("1.10") > key("1.9")
    assert key("8.x-1.10") > key("8.x-1.08") > key("8.x-1.01") == key("8.x-1.1")


@settings(max_examples=300, deadline=None)
@given(versions_with_reference())
def test_branch_dev_snapshot_sorts_after_every_release_of_its_branch(pair):
    text, _ = pair
    version = parse_version(text)
    assert version is not None
    major_branch = f"{version.major}.x-dev"
    next_major = f"{version.major + 1}.0.0"
    if version.minor is not None or version.patch is not None:
        assert key(text) < key(major_branch)
    assert key(major_branch) < key(f"{next_major}-dev") < key(f"{next_major}-unstable1")
    assert key(major_branch) < key(f"8.x-{version.major + 1}.0-alpha1")
    if version.minor is not None and version.patch is not None:
        minor_branch = f"{version.major}.{version.minor}.x-dev"
        next_minor = f"{version.major}.{version.minor + 1}.0"
        assert key(text) < key(minor_branch) < key(f"{next_minor}-alpha1")
        assert key(minor_branch) < key(f"{next_minor}-dev") < key(major_branch)


@settings(max_examples=100, deadline=None)
@given(numbers, numbers, numbers, st.integers(min_value=0, max_value=1000))
def test_snapshot_sorts_after_its_tag_and_before_the_next_patch(major, minor, patch, commits):
    base = f"{major}.{minor}.{patch}"
    following = f"{major}.{minor}.{patch + 1}"
    snapshot = f"{base}+{commits}-dev"
    assert key(base) < key(snapshot) < key(f"{base}+{commits + 1}-dev")
    assert key(snapshot) < key(f"{following}-dev") < key(f"{following}-alpha1")
    assert key(f"{base}-rc1+{commits}-dev") < key(f"{base}-rc2") < key(base)


# --- scalar and vectorised agree on anything ---------------------------------------------

TOKENS = [
    "0", "1", "2", "7", "8", "10", "11", "99", "999", "1000", "9998", "9999", "12345", "01",
    ".", ".", ".", "x", ".x", "-", "+", "-dev", "dev", "-alpha", "-beta", "-rc", "-unstable",
    "alpha", "rc", "8.x-", "7.x-", "a", " ", "\n", "\u0661", "v", "/", "_", "-RC",
]  # fmt: skip


@st.composite
def version_like(draw):
    return "".join(draw(st.lists(st.sampled_from(TOKENS), max_size=10)))


def random_version(generator: random.Random) -> str:
    """A valid version string of any form (plain random, no hypothesis shrinking needed)."""
    number = lambda: str(generator.choice([0, 1, 2, 3, 9, 10, 11, 59, 100, 999]))  # noqa: E731
    core = generator.choice(["", "", "7.x-", "8.x-"])
    two_part = bool(core) or generator.random() < 0.3
    base = f"{core}{number()}.{number()}" if two_part else f"{number()}.{number()}.{number()}"
    roll = generator.random()
    if roll < 0.3:
        return base
    if roll < 0.6:
        return f"{base}-{generator.choice(PRE_RELEASES)}{number()}"
    if roll < 0.75:
        return f"{base}+{number()}-dev"
    if roll < 0.9:
        return f"{base.rsplit('.', 1)[0]}.x-dev"
    return f"{base}-dev"


def random_strings(count: int, seed: int) -> list[str]:
    """Valid versions, versions with one character mutated, and token soup."""
    generator = random.Random(seed)
    alphabet = "0123456789.x-+devalphbtrcunsXDEV \u0661"
    texts = []
    for index in range(count):
        text = random_version(generator)
        if index % 3 == 1:
            position = generator.randint(0, len(text))
            mutation = generator.choice(["insert", "delete", "replace"])
            character = generator.choice(alphabet)
            if mutation == "insert":
                text = text[:position] + character + text[position:]
            elif mutation == "delete":
                text = text[:position] + text[position + 1 :]
            else:
                text = text[:position] + character + text[position + 1 :]
        elif index % 3 == 2:
            text = "".join(generator.choices(TOKENS, k=generator.randint(1, 9)))
        texts.append(text)
    return texts


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(version_like(), st.text(max_size=12)), min_size=1, max_size=40))
def test_scalar_and_vectorised_agree_on_generated_strings(texts):
    assert_frame_equal(parse_many(texts), scalar_rows(texts))
    prefixes = pl.Series("prefix", [branch_prefix(text) for text in texts], dtype=pl.String)
    vector = (
        pl.DataFrame({"text": texts}, schema={"text": pl.String})
        .select(branch_prefix_expr(pl.col("text")).alias("prefix"))
        .to_series()
    )
    assert_series_equal(vector, prefixes)


@settings(max_examples=100, deadline=None)
@given(st.lists(versions_with_reference(), min_size=1, max_size=40))
def test_scalar_and_vectorised_agree_on_generated_valid_versions(pairs):
    texts = [text for text, _ in pairs]
    parsed = parse_many(texts)
    assert parsed["sort_key"].null_count() == 0
    assert_frame_equal(parsed, scalar_rows(texts))


def test_scalar_and_vectorised_agree_on_thousands_of_random_strings():
    texts = random_strings(6000, seed=20240611)
    parsed = parse_many(texts)
    assert_frame_equal(parsed, scalar_rows(texts))
    # The generator must exercise both outcomes.
    assert 1000 < parsed["sort_key"].null_count() < len(texts) - 1000


# --- branches and supported majors -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("8.x-1.2", "8.x-1."),
        ("2.0.4", "2.0."),
        ("10.3.8", "10.3."),
        ("7.59", "7."),
        ("1.x-dev", "1."),
        ("8.x-1.x-dev", "8.x-1."),
        ("10.3.x-dev", "10.3."),
        ("7.x-dev", "7."),
        ("2.0.0-beta1", "2.0."),
        ("1.0.0+5-dev", "1.0."),
        ("7.x-3.0-rc4", "7.x-3."),
        ("8.x-01.2", "8.x-01."),
        ("1.02.3", "1.02."),
        ("nonsense", None),
    ],
)
def test_branch_prefix(text, prefix):
    assert branch_prefix(text) == prefix
    vector = pl.select(branch_prefix_expr(pl.lit(text, dtype=pl.String))).item()
    assert vector == prefix


def test_matches_branch_is_a_string_prefix_test():
    frame = pl.DataFrame(
        {
            "version": ["8.x-1.2", "8.x-10.0", "2.0.4", "2.1.0", "10.3.x-dev", "7.59", None],
            "branch": ["8.x-1.", "8.x-1.", "2.", "2.0.", "10.3.", "7.", "1."],
        }
    )
    out = frame.select(matches_branch_expr(pl.col("version"), pl.col("branch")).alias("match"))
    assert out["match"].to_list() == [True, False, True, False, True, True, None]
    literal = frame.select(matches_branch_expr(pl.col("version"), "8.x-1.").alias("match"))
    assert literal["match"].to_list()[:2] == [True, False]


def test_supported_branches_list():
    assert supported_branches_list("8.x-1.,8.x-2.,") == ["8.x-1.", "8.x-2."]
    assert supported_branches_list("") == []
    assert supported_branches_list(None) == []


@pytest.mark.parametrize(
    ("text", "majors"),
    [
        ("1,2", [1, 2]),
        ("3", [3]),
        ("1,3,4", [1, 3, 4]),
        (" 2 , 3 ", [2, 3]),
        ("1,", [1]),
        ("", []),
        ("x,10", [10]),
        ("+3,-1,\u0663", []),
        (None, []),
    ],
)
def test_supported_majors_list(text, majors):
    assert supported_majors_list(text) == majors
    vector = pl.select(supported_majors_expr(pl.lit(text, dtype=pl.String))).item()
    assert (vector.to_list() if vector is not None else []) == majors


def test_major_is_supported_expr():
    frame = pl.DataFrame(
        {
            "version": ["7.x-1.2", "7.x-3.0", "7.x-2.x-dev", "nonsense", "7.x-1.0"],
            "supported_majors": ["1,2", "1,2", "1,2", "1,2", None],
        }
    )
    major = version_struct(pl.col("version")).struct.field("major")
    out = frame.select(major_is_supported_expr(major, pl.col("supported_majors")).alias("ok"))
    assert out["ok"].to_list() == [True, False, True, None, None]


def test_dataclass_is_frozen():
    version = parse_version("1.2.3")
    assert isinstance(version, DrupalVersion)
    with pytest.raises(AttributeError):
        version.major = 2  # type: ignore[misc]
