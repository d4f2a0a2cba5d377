"""The data-quality stage as an operator meets it: `discogsography extract` with DATA_QUALITY_RULES on
real sample dumps, the flagged outputs it leaves, a resumed file logged once, and rules files that are
wrong, reported by file, line and column."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from adapters.dumps.discogs_xml import read_records
from adapters.dumps.quality_rules_file import (
    QualityStageError,
    RulesFileError,
    ScreeningReader,
    load_rule_set,
)
from domain.quality_rules import Severity
from domain.records import FROM_START, DataType, ResumePoint
from tests import servers
from tests.samples import samples_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RULES = REPO_ROOT / "deploy" / "extraction-rules.yaml"
SAMPLES = samples_dir() / "discogs" / "xml2db_20200806"
DISCOGS_GENRES = {
    "Blues",
    "Brass & Military",
    "Children's",
    "Classical",
    "Electronic",
    "Folk, World, & Country",
    "Funk / Soul",
    "Hip Hop",
    "Jazz",
    "Latin",
    "Non-Music",
    "Pop",
    "Reggae",
    "Rock",
    "Stage & Screen",
}
NUMERIC_GENRE_RELEASE = "1"  # the first release of the sample, given an extra genre "13" in the copy


def sample(data_type: str) -> Path:
    return SAMPLES / f"discogs_20200806_{data_type}.xml.gz"


def cli_env(**extra: str) -> dict[str, str]:
    """The embedded default, without a rules file unless the test gives one."""
    env = servers.embedded_environ(**extra)
    if "DATA_QUALITY_RULES" not in extra:
        env.pop("DATA_QUALITY_RULES", None)
    return env


def extract(dump_dir: Path, output_dir: Path, rules: Path) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "applications.cli", "extract", "--health-port", "0"]
    command += ["--dump-dir", str(dump_dir), "--output-dir", str(output_dir)]
    return subprocess.run(
        command, env=cli_env(DATA_QUALITY_RULES=str(rules)), capture_output=True, timeout=120, cwd=REPO_ROOT
    )


def dump_with_a_numeric_genre(tmp_path: Path) -> Path:
    """A copy of the 2020 sample set whose first release also carries the legacy genre id 13."""
    dump_dir = tmp_path / "dump"
    dump_dir.mkdir()
    for source in SAMPLES.iterdir():
        content = source.read_bytes()
        if source.name.endswith("_releases.xml.gz"):
            xml = gzip.decompress(content)
            first_release = xml.index(f'<release id="{NUMERIC_GENRE_RELEASE}"'.encode())
            genres_end = xml.index(b"</genres>", first_release)
            content = gzip.compress(xml[:genres_end] + b"<genre>13</genre>" + xml[genres_end:])
        (dump_dir / source.name).write_bytes(content)
    return dump_dir


def parsed_records(data_type: str) -> list[ElementTree.Element]:
    """The sample's records as the standard library reads them: an oracle independent of our reader."""
    with gzip.open(sample(data_type)) as xml:
        return list(ElementTree.parse(xml).getroot())


def element_id(element: ElementTree.Element) -> str:
    return element.get("id") or element.findtext("id") or ""


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def report_figures(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.strip().rsplit(": ", 1) for line in lines if ": " in line)


def test_extract_with_the_default_rules_drops_cleans_and_flags_the_known_cases(tmp_path: Path) -> None:
    dump_dir = dump_with_a_numeric_genre(tmp_path)
    output_dir = tmp_path / "out"

    outcome = extract(dump_dir, output_dir, DEFAULT_RULES)

    assert outcome.returncode == 0, outcome.stderr.decode()
    flagged = dump_dir / "flagged" / "20200806"
    published = {
        data_type: jsonl(output_dir / f"{data_type}.jsonl")
        for data_type in ("artists", "labels", "masters", "releases")
    }

    # skip_records: artists and labels whose profile says DO NOT USE, in any case, are not published.
    for data_type in ("artists", "labels"):
        junk = {
            element_id(element)
            for element in parsed_records(data_type)
            if "do not use" in (element.findtext("profile") or "").casefold()
        }
        assert len(junk) >= 6, "the sample holds known junk entries"
        published_ids = {record["id"] for record in published[data_type]}
        assert published_ids.isdisjoint(junk)
        assert len(published_ids) == 1000 - len(junk)
        skipped = jsonl(flagged / data_type / "skipped.jsonl")
        assert sorted(line["record_id"] for line in skipped) == sorted(junk)
        assert {(line["field"], line["reason"]) for line in skipped} == {
            ("profile", "Upstream junk entry marked DO NOT USE")
        }
        assert all((flagged / data_type / line["json_file"]).is_file() for line in skipped)
        figures = report_figures(flagged / data_type / "report.txt")
        assert (figures["records read"], figures["records skipped"]) == ("1000", str(len(junk)))

    # filters: the numeric genre is gone from the published release; rules still report it.
    release = next(record for record in published["releases"] if record["id"] == NUMERIC_GENRE_RELEASE)
    assert "13" not in release["genres"]
    assert release["genres"]
    release_findings = jsonl(flagged / "releases" / "violations.jsonl")
    numeric_findings = {
        (line["rule"], line["severity"])
        for line in release_findings
        if line["record_id"] == NUMERIC_GENRE_RELEASE and line["field_value"] == "13"
    }
    assert numeric_findings == {("genre-is-numeric", "error"), ("genre-not-recognized", "warning")}
    kept_json = json.loads(
        (flagged / "releases" / f"{NUMERIC_GENRE_RELEASE}.json").read_text(encoding="utf-8")
    )
    assert "13" in kept_json["genres"]["genre"], "the kept copy is the record as the dump had it"
    kept_xml = ElementTree.parse(flagged / "releases" / f"{NUMERIC_GENRE_RELEASE}.xml").getroot()
    assert "13" in [genre.text for genre in kept_xml.iter("genre")]

    # filters: impossible years are nulled, and reported as warnings with the dump's value.
    impossible_masters = {
        element_id(element): element.findtext("year")
        for element in parsed_records("masters")
        if re.fullmatch(r"\d+", element.findtext("year") or "")
        and not 1860 <= int(element.findtext("year") or "") <= 2027
    }
    assert impossible_masters, "the sample holds masters of year 0"
    for record in published["masters"]:
        if record["id"] in impossible_masters:
            assert record["year"] is None
    master_findings = jsonl(flagged / "masters" / "violations.jsonl")
    assert {
        (line["record_id"], line["field_value"])
        for line in master_findings
        if line["rule"] == "year-out-of-range"
    } == set(impossible_masters.items())
    assert next(record for record in published["releases"] if record["id"] == "11058868")["released"] is None
    assert ("11058868", "year-out-of-range", "0000") in {
        (line["record_id"], line["rule"], line["field_value"]) for line in release_findings
    }

    # Every unknown genre is flagged, and nothing else is: the sample's genres are all Discogs genres.
    unknown_genres = [line for line in release_findings if line["rule"] == "genre-not-recognized"]
    assert [line["field_value"] for line in unknown_genres] == ["13"]
    assert all(
        genre.text in DISCOGS_GENRES
        for element in parsed_records("releases")
        for genre in element.iter("genre")
    )

    # report.txt: the figures of each file.
    releases_report = report_figures(flagged / "releases" / "report.txt")
    assert releases_report["records read"] == "1000"
    assert releases_report["records skipped"] == "0"
    assert releases_report["error findings"] == "1"
    assert releases_report["warning findings"] == "2"
    assert releases_report[r"genres.genre: remove_matching ^\d+$"] == "1, 1"
    assert releases_report["released: nullify_when range below 1860 above 2027"] == "1, 1"
    assert releases_report["genre-is-numeric (error)"] == "1"
    masters_report = report_figures(flagged / "masters" / "report.txt")
    assert masters_report["year-out-of-range (warning)"] == str(len(impossible_masters))
    assert masters_report["year: nullify_when range below 1860 above 2027"] == (
        f"{len(impossible_masters)}, {len(impossible_masters)}"
    )
    assert masters_report["file read to its end"] == "yes"


def test_a_file_read_again_from_its_start_replaces_its_previous_flagged_outputs(tmp_path: Path) -> None:
    reader = ScreeningReader(load_rule_set(DEFAULT_RULES), tmp_path / "flagged")
    stale_copy = tmp_path / "flagged" / "artists" / "42.json"

    for run in range(2):
        sum(1 for _ in reader.read(sample("artists")))
        if run == 0:
            stale_copy.write_text("{}", encoding="utf-8")

    skipped = jsonl(tmp_path / "flagged" / "artists" / "skipped.jsonl")
    assert len(skipped) == len({line["record_id"] for line in skipped}) == 11
    assert not stale_copy.exists()


def test_without_rules_nothing_is_skipped_and_nothing_is_flagged(tmp_path: Path) -> None:
    dump_dir = dump_with_a_numeric_genre(tmp_path)
    command = [sys.executable, "-m", "applications.cli", "extract", "--health-port", "0"]
    command += ["--dump-dir", str(dump_dir), "--output-dir", str(tmp_path / "out")]

    outcome = subprocess.run(command, env=cli_env(), capture_output=True, timeout=120, cwd=REPO_ROOT)

    assert outcome.returncode == 0, outcome.stderr.decode()
    assert len(jsonl(tmp_path / "out" / "artists.jsonl")) == 1000
    assert not (dump_dir / "flagged").exists()


BROKEN_YAML = """\
rules:
  releases:
    - name: missing-title
      field: title
     severity: error
"""


def test_a_broken_rules_file_stops_the_extraction_naming_the_file_and_the_position(tmp_path: Path) -> None:
    rules = tmp_path / "broken-rules.yaml"
    rules.write_text(BROKEN_YAML, encoding="utf-8")

    outcome = extract(SAMPLES, tmp_path / "out", rules)

    assert outcome.returncode == 2
    message = outcome.stderr.decode()
    assert str(rules) in message
    assert "line 5, column 6" in message
    assert not (tmp_path / "out").exists(), "nothing is read before the rules file is sound"


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        (
            "rules:\n  releases:\n    - name: t\n      field: title\n      condition: {type: requird}\n"
            "      severity: error\n",
            (5, 19),
            "unknown condition type 'requird'",
        ),
        (
            "filters:\n  masters:\n    - field: year\n      nullify_when: {type: range}\n",
            (4, 7),
            "give 'below'",
        ),
        ("rules:\n  artists: []\nrules:\n  labels: []\n", (3, 1), "key 'rules' appears twice"),
        (
            "skip_records:\n  artist:\n    - {field: profile, contains: x, reason: y}\n",
            (2, 3),
            "unknown data type",
        ),
        (
            "rules:\n  releases:\n    - name: r\n      field: f\n"
            "      condition: {type: regex, pattern: '('}\n      severity: error\n",
            (5, 32),
            "invalid regular expression",
        ),
        ("# nothing but a comment\n", None, "holds no rules"),
    ],
)
def test_a_wrong_rules_file_is_refused_with_its_line_and_column(
    tmp_path: Path, text: str, position: tuple[int, int] | None, reason: str
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")

    with pytest.raises(RulesFileError) as caught:
        load_rule_set(rules)

    assert (caught.value.line, caught.value.column) == (position or (None, None))
    assert reason in str(caught.value)
    assert str(caught.value).startswith(str(rules))


def test_a_missing_rules_file_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match=r"no-such-rules\.yaml: cannot read it"):
        load_rule_set(tmp_path / "no-such-rules.yaml")


def test_the_default_rules_file_holds_the_rules_of_the_spec() -> None:
    rule_set = load_rule_set(DEFAULT_RULES)

    for data_type in (DataType.ARTISTS, DataType.LABELS):
        (skip_rule,) = rule_set.for_type(data_type).skip_records
        assert (skip_rule.field.text, skip_rule.contains) == ("profile", "DO NOT USE")
    releases, masters = rule_set.for_type(DataType.RELEASES), rule_set.for_type(DataType.MASTERS)
    assert {f.summary for f in releases.filters} >= {
        r"genres.genre: remove_matching ^\d+$",
        "released: nullify_when range below 1860 above 2027",
        "year: nullify_when range below 1860 above 2027",
    }
    assert {f.summary for f in masters.filters} == {
        r"genres.genre: remove_matching ^\d+$",
        "year: nullify_when range below 1860 above 2027",
    }
    severities = {(r.name, r.severity) for r in releases.rules}
    assert severities == {
        ("year-out-of-range", Severity.WARNING),
        ("missing-title", Severity.ERROR),
        ("genre-not-recognized", Severity.WARNING),
        ("genre-is-numeric", Severity.ERROR),
    }
    genre_rule = next(r for r in releases.rules if r.name == "genre-not-recognized")
    assert getattr(genre_rule.condition, "values", None) == frozenset(DISCOGS_GENRES)
    assert [(r.name, r.severity) for r in rule_set.for_type(DataType.ARTISTS).rules] == [
        ("empty-artist-name", Severity.ERROR)
    ]
    assert [(r.name, r.severity) for r in rule_set.for_type(DataType.LABELS).rules] == [
        ("empty-label-name", Severity.ERROR)
    ]


# --- resuming a file -----------------------------------------------------------------------------


def test_a_record_the_rules_skip_does_not_count_toward_the_resume_point(tmp_path: Path) -> None:
    reader = ScreeningReader(load_rule_set(DEFAULT_RULES), tmp_path / "flagged")
    all_ids = [record.id for record in reader.read(sample("artists"))]

    resumed_ids = [record.id for record in reader.read(sample("artists"), ResumePoint(records_done=100))]

    assert len(all_ids) < 1000
    assert resumed_ids == all_ids[100:]


def test_a_resumed_file_logs_each_record_once_and_reports_the_whole_file(tmp_path: Path) -> None:
    flagged = tmp_path / "flagged"
    reader = ScreeningReader(load_rule_set(DEFAULT_RULES), flagged)
    masters = flagged / "masters"
    # A first run reads ahead of what the publisher confirmed, then dies: the last line is torn.
    first_run = reader.read(sample("masters"))
    list(itertools.islice(first_run, 600))
    first_run.close()
    violations = masters / "violations.jsonl"
    logged_first = len(violations.read_bytes().splitlines())
    assert logged_first > 0
    with violations.open("ab") as log:
        log.write(b'{"record_id":"9999999","rule":"year-out')

    resumed = sum(1 for _ in reader.read(sample("masters"), ResumePoint(records_done=400)))

    assert resumed == 600
    lines = jsonl(violations)
    assert all(count == 1 for count in Counter(line["record_id"] for line in lines).values())
    assert len(lines) == 38
    figures = report_figures(masters / "report.txt")
    assert (figures["records read"], figures["warning findings"]) == ("1000", "38")
    assert figures["file read to its end"] == "yes"


def test_an_interrupted_file_still_reports_what_was_read(tmp_path: Path) -> None:
    reader = ScreeningReader(load_rule_set(DEFAULT_RULES), tmp_path / "flagged")

    partial_run = reader.read(sample("labels"), FROM_START)
    list(itertools.islice(partial_run, 10))
    partial_run.close()

    figures = report_figures(tmp_path / "flagged" / "labels" / "report.txt")
    assert figures["file read to its end"] == "no"
    assert 10 <= int(figures["records read"]) < 1000


def test_a_flagged_directory_that_cannot_be_made_is_reported_before_reading(tmp_path: Path) -> None:
    (tmp_path / "dump").write_text("a file, not a directory", encoding="utf-8")

    with pytest.raises(QualityStageError, match="cannot create the flagged output directory"):
        ScreeningReader(load_rule_set(DEFAULT_RULES), tmp_path / "dump" / "flagged")


def test_the_rules_change_the_digest_of_only_the_records_they_change(tmp_path: Path) -> None:
    screened = [
        record.sha256
        for record in ScreeningReader(load_rule_set(DEFAULT_RULES), tmp_path).read(sample("releases"))
    ]
    plain = [record.sha256 for record in read_records(sample("releases"))]

    differing = [index for index, (a, b) in enumerate(zip(screened, plain, strict=True)) if a != b]
    assert len(differing) == 1, "only the release whose date the rules null out changes its digest"
