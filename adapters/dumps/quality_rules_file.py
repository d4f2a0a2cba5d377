"""The data-quality stage at its edges: the YAML rules file in, the flagged outputs out (SPEC-ingest §8).

`load_rule_set` reads and checks a rules file; every fault names the file, the line and the column.
`ScreeningReader` is the Discogs RecordReader with the rules in front of normalization, and writes
what they find under `<flagged_dir>/<type>/`:
- `violations.jsonl`: one line per finding (record_id, rule, severity, field, field_value,
  timestamp, xml_file, json_file);
- `skipped.jsonl`: one line per dropped record (record_id, reason, field, field_value, timestamp,
  xml_file, json_file);
- `<id>.json` (the record as parsed) and `<id>.xml` (rebuilt from it) for skipped records and for
  records with an error or warning finding;
- `report.txt`: the file's figures, replaced atomically when the file ends.

Logs are append-only. A file read from its start replaces the type's previous outputs; a resumed
file keeps them and logs only the records they do not hold yet, so each record is logged once
across a crash, while the report still counts the whole file.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
import structlog
import yaml
from lxml import etree

from adapters.atomic_file import write_atomically
from adapters.dumps.discogs_xml import read_records
from domain.quality_rules import (
    Location,
    QualityTally,
    RuleSet,
    RuleSetError,
    Screening,
    Severity,
    TypeRules,
    parse_rule_set,
    screen,
)
from domain.records import FROM_START, DataType, JsonObject, MalformedRecord, Record, ResumePoint, record_id

log = structlog.get_logger(__name__)

VIOLATIONS_FILE = "violations.jsonl"
SKIPPED_FILE = "skipped.jsonl"
REPORT_FILE = "report.txt"


class QualityStageError(Exception):
    """The data-quality stage cannot start: its rules file or its output directory is unusable."""


class RulesFileError(QualityStageError):
    """A rules file that cannot be read, is not YAML, or asks for what the engine cannot do."""

    def __init__(self, path: Path, reason: str, mark: yaml.Mark | None = None) -> None:
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        super().__init__(f"{path}: {where}{reason}")
        self.path = path
        self.reason = reason
        self.line = mark.line + 1 if mark is not None else None
        self.column = mark.column + 1 if mark is not None else None


def load_rule_set(path: Path) -> RuleSet:
    """The rule set of a YAML rules file; RulesFileError names the file and the position of a fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulesFileError(path, f"cannot read it ({error})") from error
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise RulesFileError(path, "the file holds no rules")
        _refuse_duplicate_keys(root, path)
        document = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        problem = "; ".join(part for part in (error.context, error.problem) if part)
        raise RulesFileError(path, problem, error.problem_mark or error.context_mark) from error
    except yaml.YAMLError as error:
        raise RulesFileError(path, str(error)) from error
    finally:
        loader.dispose()
    try:
        return parse_rule_set(document, str(path))
    except RuleSetError as error:
        raise RulesFileError(path, str(error), _mark_at(root, error.location)) from error


def _refuse_duplicate_keys(node: yaml.Node, path: Path, seen: set[int] | None = None) -> None:
    """YAML keeps the last of two equal keys silently; in a rules file that loses rules."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return  # an alias to a node already checked
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in keys:
                    raise RulesFileError(path, f"key {key_node.value!r} appears twice", key_node.start_mark)
                keys.add(key_node.value)
            _refuse_duplicate_keys(value_node, path, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicate_keys(item, path, seen)


def _mark_at(root: yaml.Node, location: Location) -> yaml.Mark:
    """Where a document location starts in the file: the key it names, or the nearest node on its way."""
    node = root
    for depth, step in enumerate(location, start=1):
        if isinstance(step, str) and isinstance(node, yaml.MappingNode):
            found: tuple[yaml.Node, yaml.Node] | None = next(
                (pair for pair in node.value if pair[0].value == step), None
            )
            if found is None:
                break
            key_node, value_node = found
            if depth == len(location):
                return key_node.start_mark
            node = value_node
        elif isinstance(step, int) and isinstance(node, yaml.SequenceNode) and step < len(node.value):
            node = node.value[step]
        else:
            break
    return node.start_mark


class ScreeningReader:
    """The Discogs RecordReader with the data-quality rules in front of normalization.

    A record a skip rule drops is not delivered and not counted for resuming; a filtered one is
    normalized and hashed as the filters left it. `flagged_dir` is `<dump dir>/flagged/<version>`.
    """

    def __init__(
        self,
        rule_set: RuleSet,
        flagged_dir: Path,
    ) -> None:
        try:
            flagged_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise QualityStageError(
                f"{flagged_dir}: cannot create the flagged output directory ({error.strerror})"
            ) from error
        self._rule_set = rule_set
        self._flagged_dir = flagged_dir

    def read(
        self,
        path: Path,
        resume: ResumePoint = FROM_START,
        on_malformed: Callable[[MalformedRecord], None] | None = None,
    ) -> Generator[Record, None, None]:
        """Yield the screened, normalized, hashed records of `path` after `resume`.

        The file's report is written when the generator ends: at the end of the file, on an error,
        or when it is closed early.
        """
        flagged = FlaggedRecords(
            self._flagged_dir,
            self._rule_set,
            dump_file=path.name,
            resuming=resume != FROM_START,
        )
        complete = False
        try:
            yield from read_records(path, resume, on_malformed, raw_filter=flagged.screen)
            complete = True
        finally:
            flagged.close(complete=complete)


@dataclass
class _TypeOutputs:
    """The open outputs of one file, once its first record has told its type."""

    data_type: DataType
    rules: TypeRules
    directory: Path
    violation_log: IO[bytes]
    skip_log: IO[bytes]
    # Records an earlier run of this file already logged (when resuming).
    logged_violations: set[str]
    logged_skips: set[str]


class FlaggedRecords:
    """What the rules find in one dump file, written under `<flagged_dir>/<type>/` as it is found.

    `resuming` says whether an earlier run began this file (keep its outputs) or not (replace them).
    """

    def __init__(
        self,
        flagged_dir: Path,
        rule_set: RuleSet,
        *,
        dump_file: str,
        resuming: bool,
    ) -> None:
        self._flagged_dir = flagged_dir
        self._rule_set = rule_set
        self._dump_file = dump_file
        self._resuming = resuming
        self._tally = QualityTally()
        self._outputs: _TypeOutputs | None = None

    def screen(self, data_type: DataType, raw: JsonObject) -> JsonObject | None:
        """The raw record to normalize (filtered), or None when it is skipped; logs what the rules find."""
        outputs = self._outputs or self._open(data_type)
        screening = screen(outputs.rules, raw)
        self._tally.add(screening)
        if screening.skip is not None or screening.violations:
            self._log(outputs, raw, screening)
        return screening.record

    def _open(self, data_type: DataType) -> _TypeOutputs:
        directory = self._flagged_dir / data_type.value
        logged_violations: set[str] = set()
        logged_skips: set[str] = set()
        if self._resuming:
            logged_violations = _reopen_log(directory / VIOLATIONS_FILE)
            logged_skips = _reopen_log(directory / SKIPPED_FILE)
        elif directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._outputs = _TypeOutputs(
            data_type,
            self._rule_set.for_type(data_type),
            directory,
            (directory / VIOLATIONS_FILE).open("ab"),
            (directory / SKIPPED_FILE).open("ab"),
            logged_violations,
            logged_skips,
        )
        return self._outputs

    def _log(self, outputs: _TypeOutputs, raw: JsonObject, screening: Screening) -> None:
        identifier = record_id(raw)
        logged = outputs.logged_skips if screening.skip is not None else outputs.logged_violations
        if identifier in logged:
            return
        xml_file = json_file = None
        if screening.keeps_record:
            stem = _file_stem(identifier)
            xml_file, json_file = f"{stem}.xml", f"{stem}.json"
            # The copies first: a log line never names a file that is not complete.
            (outputs.directory / json_file).write_text(
                json.dumps(raw, ensure_ascii=False, indent=2), encoding="utf-8"
            )
            (outputs.directory / xml_file).write_bytes(record_xml(outputs.data_type.record_element, raw))
        timestamp = datetime.now(UTC).isoformat()
        common_fields = {"timestamp": timestamp, "xml_file": xml_file, "json_file": json_file}
        if screening.skip is not None:
            skip = screening.skip
            outputs.skip_log.write(
                _line(
                    identifier,
                    reason=skip.reason,
                    field=skip.field,
                    field_value=skip.field_value,
                    **common_fields,
                )
            )
            return
        outputs.violation_log.write(
            b"".join(
                _line(
                    identifier,
                    rule=violation.rule,
                    severity=violation.severity.value,
                    field=violation.field,
                    field_value=violation.field_value,
                    **common_fields,
                )
                for violation in screening.violations
            )
        )

    def close(self, *, complete: bool) -> None:
        """Close the logs and write the report; `complete` says whether the file was read to its end."""
        outputs = self._outputs
        if outputs is None:
            return  # no record was read: nothing to report
        outputs.violation_log.close()
        outputs.skip_log.close()
        report_path = outputs.directory / REPORT_FILE
        write_atomically(report_path, self._report(outputs, complete=complete).encode("utf-8"), durable=False)
        tally = self._tally
        log.info(
            "quality_report_written",
            path=str(report_path),
            records=tally.records,
            skipped=tally.skipped,
            flagged=tally.records_flagged,
            complete=complete,
        )

    def _report(self, outputs: _TypeOutputs, *, complete: bool) -> str:
        """report.txt: the figures of this file so far, every configured filter and rule listed."""
        tally = self._tally
        lines = [
            "Data quality report",
            f"dump file: {self._dump_file}",
            f"data type: {outputs.data_type.value}",
            f"rules file: {self._rule_set.source}",
            f"written: {datetime.now(UTC).isoformat()}",
            f"file read to its end: {'yes' if complete else 'no'}",
            "",
            f"records read: {tally.records}",
            f"records skipped: {tally.skipped}",
            f"records kept: {tally.records - tally.skipped}",
            f"records with findings: {tally.records_flagged}",
            *(f"{severity.value} findings: {tally.violations(severity)}" for severity in Severity),
            "",
            "skipped, by reason:",
            *_or_none([f"  {reason}: {count}" for reason, count in sorted(tally.skipped_by_reason.items())]),
            "",
            "filters (records changed, elements changed):",
            *_or_none(
                [
                    f"  {record_filter.summary}: {tally.records_changed_by_filter[record_filter]}, "
                    f"{tally.elements_changed_by_filter[record_filter]}"
                    for record_filter in outputs.rules.filters
                ]
            ),
            "",
            "findings, by rule:",
            *_or_none(
                [
                    f"  {rule.name} ({rule.severity.value}): "
                    f"{tally.violations_by_rule[rule.name, rule.severity]}"
                    for rule in outputs.rules.rules
                ]
            ),
        ]
        return "\n".join(lines) + "\n"


def _or_none(lines: list[str]) -> list[str]:
    return lines or ["  none"]


def _line(identifier: str, **fields: str | None) -> bytes:
    """One log line: the record id first, then the finding, the time and the copies' names."""
    return orjson.dumps({"record_id": identifier, **fields}) + b"\n"


def _reopen_log(path: Path) -> set[str]:
    """The record ids a log from an earlier run holds, once its last record's lines are dropped.

    A run that was killed may have left that record's lines (or the last line) incomplete; without
    them the record is logged again, whole.
    """
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return set()
    lines = content.split(b"\n")[:-1]  # what follows the last newline is an unfinished line
    identifiers: list[str] = []
    for line in lines:
        try:
            identifiers.append(orjson.loads(line)["record_id"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            break  # a torn write: nothing after it can be trusted
    last = identifiers[-1] if identifiers else None
    while identifiers and identifiers[-1] == last:
        identifiers.pop()
    write_atomically(path, b"".join(line + b"\n" for line in lines[: len(identifiers)]), durable=False)
    return set(identifiers)


_UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]")


def _file_stem(identifier: str) -> str:
    """A record id made safe as a file name (ids come from the dump, never trusted as paths)."""
    return _UNSAFE_FILE_CHARACTERS.sub("", identifier).replace("..", "_") or "unknown"


def record_xml(element_name: str, raw: JsonObject) -> bytes:
    """The record element rebuilt from its parsed JSON: `@k` attributes, `#text`, repeated children.

    Text and children keep their values but not their interleaving, which the JSON does not hold.
    """
    root = etree.Element(element_name)
    _fill_element(root, raw)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _fill_element(element: etree._Element, value: Any) -> None:
    if isinstance(value, str):
        element.text = value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("@"):
                element.set(key[1:], item)
            elif key == "#text":
                element.text = item
            else:
                for child_value in item if isinstance(item, list) else [item]:
                    _fill_element(etree.SubElement(element, key), child_value)
