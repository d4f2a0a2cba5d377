"""The optional data-quality stage of SPEC-ingest §8: which records to drop, what to clean, what to flag.

A rule set has three sections per data type. `skip_records` drop a record before it is published;
`filters` change it (remove array elements, null out-of-range values); `rules` only observe. All of
them address fields by dot paths on the record as the reader parsed it, before normalization
(`genres.genre`, `master_id.@is_main_release`): that is the shape of the dump, so a path reads like
the XML a person looks at. Along a path, repeated elements fan out (`tracklist.track.title` reaches
every track's title), and the text of an element with attributes is its `#text`.

Rules see the record as it was read, before the filters: a violation describes the dump, including
the values a filter then removes, so the default rules still report the numeric genres and the
impossible years that the default filters clean.

Everything here is pure; `adapters/dumps/quality_rules_file.py` loads the YAML and writes the
flagged outputs.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.records import DataType, JsonObject

Location = tuple[str | int, ...]
"""Where in a rules document something is: `("rules", "releases", 2, "severity")`."""


class RuleSetError(ValueError):
    """A rules document that does not say what the engine can do; `location` points at the culprit."""

    def __init__(self, location: Location, reason: str) -> None:
        super().__init__(f"{format_location(location)}: {reason}")
        self.location = location
        self.reason = reason


def format_location(location: Location) -> str:
    """`rules.releases[2].severity` for `("rules", "releases", 2, "severity")`."""
    text = ""
    for step in location:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "(top level)"


class Severity(StrEnum):
    """How bad a rule's finding is; error and warning findings keep a copy of the record."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def keeps_record(self) -> bool:
        """Whether a finding of this severity saves the record's XML and JSON beside the log."""
        return self is not Severity.INFO


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A dot path on the raw record (`genres.genre`)."""

    text: str
    segments: tuple[str, ...] = dataclasses.field(init=False, compare=False)

    def __post_init__(self) -> None:
        segments = tuple(self.text.split("."))
        if not all(segments):
            raise ValueError(f"{self.text!r} is not a dot path (an empty segment)")
        object.__setattr__(self, "segments", segments)


@dataclass(frozen=True, slots=True)
class SkipRule:
    """Drop the record when a text at `field` contains `contains`, ignoring case."""

    field: FieldPath
    contains: str
    reason: str
    _needle: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_needle", self.contains.casefold())

    def matching_text(self, record: JsonObject) -> str | None:
        """The first text at the field that contains the phrase, or None."""
        for text in _texts(elements_at(record, self.field)):
            if self._needle in text.casefold():
                return text
        return None


@dataclass(frozen=True, slots=True)
class RemoveMatching:
    """Remove the elements at `field` whose text the pattern finds a match in."""

    field: FieldPath
    pattern: re.Pattern[str]
    reason: str

    @property
    def summary(self) -> str:
        """The filter in one line, for a report."""
        return f"{self.field.text}: remove_matching {self.pattern.pattern}"

    def apply(self, record: JsonObject) -> tuple[JsonObject, int]:
        """The record without the matching elements, and how many were removed."""
        return _edit_at(record, self.field.segments, self._remove)

    def _remove(self, value: Any) -> _Edit:
        items = value if isinstance(value, list) else [value]
        kept = [item for item in items if not self._matches(item)]
        removed = len(items) - len(kept)
        if not removed:
            return _UNCHANGED
        # The value the reader would have given had the dump not held the removed elements.
        if not kept:
            return _Edit(removed, delete=True)
        return _Edit(removed, kept[0] if len(kept) == 1 else kept)

    def _matches(self, element: Any) -> bool:
        text = element_text(element)
        return text is not None and self.pattern.search(text) is not None


@dataclass(frozen=True, slots=True)
class NullifyOutsideRange:
    """Replace by null the elements at `field` whose number lies strictly below `below` or above `above`.

    Dates count by their leading year (`1969-09-26` is 1969); text that is not a number is left alone.
    """

    field: FieldPath
    below: float | None
    above: float | None
    reason: str

    @property
    def summary(self) -> str:
        """The filter in one line, for a report."""
        return f"{self.field.text}: nullify_when range below {_number_text(self.below)} above " + (
            _number_text(self.above)
        )

    def apply(self, record: JsonObject) -> tuple[JsonObject, int]:
        """The record with the out-of-range values nulled, and how many were."""
        return _edit_at(record, self.field.segments, self._nullify)

    def _nullify(self, value: Any) -> _Edit:
        if not isinstance(value, list):
            return _Edit(1, None) if self._outside(value) else _UNCHANGED
        nulled = [None if self._outside(item) else item for item in value]
        changed = sum(1 for before, after in zip(value, nulled, strict=True) if before is not after)
        return _Edit(changed, nulled) if changed else _UNCHANGED

    def _outside(self, element: Any) -> bool:
        text = element_text(element)
        number = numeric_value(text) if text is not None else None
        return number is not None and _outside(number, self.below, self.above)


Filter = RemoveMatching | NullifyOutsideRange


@dataclass(frozen=True, slots=True)
class InRange:
    """Flag a number (or a date's leading year) below `minimum` or above `maximum`."""

    minimum: float | None
    maximum: float | None

    def flags(self, text: str) -> bool:
        number = numeric_value(text)
        return number is not None and _outside(number, self.minimum, self.maximum)


@dataclass(frozen=True, slots=True)
class Required:
    """Flag a field that is missing, or an element of it that is empty."""


@dataclass(frozen=True, slots=True)
class Matches:
    """Flag a text the pattern finds a match in."""

    pattern: re.Pattern[str]

    def flags(self, text: str) -> bool:
        return self.pattern.search(text) is not None


@dataclass(frozen=True, slots=True)
class OneOf:
    """Flag a text that is not one of `values`."""

    values: frozenset[str]

    def flags(self, text: str) -> bool:
        return text not in self.values


@dataclass(frozen=True, slots=True)
class LengthBetween:
    """Flag a text with fewer than `minimum` or more than `maximum` characters."""

    minimum: int | None
    maximum: int | None

    def flags(self, text: str) -> bool:
        return _outside(len(text), self.minimum, self.maximum)


TextCondition = InRange | Matches | OneOf | LengthBetween
Condition = Required | TextCondition


@dataclass(frozen=True, slots=True)
class Rule:
    """An observe-only check: each finding is a Violation; the record itself is not changed."""

    name: str
    field: FieldPath
    condition: Condition
    severity: Severity
    description: str = ""

    def violations(self, record: JsonObject) -> list[Violation]:
        """The findings of this rule on one record (one per offending element)."""
        elements = elements_at(record, self.field)
        if isinstance(self.condition, Required):
            if not elements:
                return [Violation(self.name, self.severity, self.field.text, "")]
            return [
                Violation(self.name, self.severity, self.field.text, "")
                for element in elements
                if element is None or element == ""
            ]
        flags = self.condition.flags
        return [
            Violation(self.name, self.severity, self.field.text, text)
            for text in _texts(elements)
            if flags(text)
        ]


@dataclass(frozen=True, slots=True)
class TypeRules:
    """The three sections of a rule set for one data type, in the order the file gives them."""

    skip_records: tuple[SkipRule, ...] = ()
    filters: tuple[Filter, ...] = ()
    rules: tuple[Rule, ...] = ()


NO_RULES = TypeRules()


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A whole rules file: the rules of each data type that has any, and where they came from."""

    by_type: Mapping[DataType, TypeRules]
    source: str

    def for_type(self, data_type: DataType) -> TypeRules:
        """The rules of one data type (none when the file names no rule for it)."""
        return self.by_type.get(data_type, NO_RULES)


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a record was dropped: the skip rule's reason and the text that matched."""

    reason: str
    field: str
    field_value: str


@dataclass(frozen=True, slots=True)
class Violation:
    """One finding of one rule; `field_value` is the offending text ("" when missing or empty)."""

    rule: str
    severity: Severity
    field: str
    field_value: str


@dataclass(frozen=True, slots=True)
class Screening:
    """What the rules made of one record.

    `record` is what goes on to normalization (the filters applied), or None when a skip rule
    dropped it; a dropped record is neither checked nor filtered. `changes` counts, per filter that
    changed anything, the elements it removed or nulled.
    """

    record: JsonObject | None
    skip: Skip | None = None
    violations: tuple[Violation, ...] = ()
    changes: tuple[tuple[Filter, int], ...] = ()

    @property
    def keeps_record(self) -> bool:
        """Whether a copy of the record belongs beside the flagged log (skipped, error or warning)."""
        return self.skip is not None or any(violation.severity.keeps_record for violation in self.violations)


def screen(rules: TypeRules, raw: JsonObject) -> Screening:
    """Skip, check, then filter one raw record; `raw` itself is never changed."""
    for skip_rule in rules.skip_records:
        text = skip_rule.matching_text(raw)
        if text is not None:
            return Screening(None, Skip(skip_rule.reason, skip_rule.field.text, text))
    violations: list[Violation] = []
    for rule in rules.rules:
        violations += rule.violations(raw)
    record = raw
    changes: list[tuple[Filter, int]] = []
    for record_filter in rules.filters:
        record, changed = record_filter.apply(record)
        if changed:
            changes.append((record_filter, changed))
    return Screening(record, None, tuple(violations), tuple(changes))


@dataclass
class QualityTally:
    """The running figures of one dump file's screening, from which its report is written."""

    records: int = 0
    skipped_by_reason: Counter[str] = dataclasses.field(default_factory=Counter)
    records_flagged: int = 0
    violations_by_rule: Counter[tuple[str, Severity]] = dataclasses.field(default_factory=Counter)
    records_changed_by_filter: Counter[Filter] = dataclasses.field(default_factory=Counter)
    elements_changed_by_filter: Counter[Filter] = dataclasses.field(default_factory=Counter)

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by_reason.values())

    def violations(self, severity: Severity) -> int:
        """How many findings of one severity."""
        return sum(
            count
            for (_, rule_severity), count in self.violations_by_rule.items()
            if rule_severity is severity
        )

    def add(self, screening: Screening) -> None:
        """Count one record's screening."""
        self.records += 1
        if screening.skip is not None:
            self.skipped_by_reason[screening.skip.reason] += 1
        if screening.violations:
            self.records_flagged += 1
            self.violations_by_rule.update(
                (violation.rule, violation.severity) for violation in screening.violations
            )
        for record_filter, changed in screening.changes:
            self.records_changed_by_filter[record_filter] += 1
            self.elements_changed_by_filter[record_filter] += changed


# --- reading and editing paths ------------------------------------------------------------------


def elements_at(record: JsonObject, path: FieldPath) -> list[Any]:
    """The elements a path reaches, repeated elements fanned out, in document order."""
    current: list[Any] = [record]
    for segment in path.segments:
        found: list[Any] = []
        for node in current:
            if isinstance(node, dict) and segment in node:
                child = node[segment]
                if isinstance(child, list):
                    found.extend(child)
                else:
                    found.append(child)
        if not found:
            return found
        current = found
    return current


def element_text(element: Any) -> str | None:
    """An element's text: the string itself, or the `#text` of an element with attributes."""
    if isinstance(element, str):
        return element
    if isinstance(element, dict):
        text = element.get("#text")
        if isinstance(text, str):
            return text
    return None


def _texts(elements: Iterable[Any]) -> list[str]:
    return [text for text in map(element_text, elements) if text is not None]


_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"([0-9]+)-[0-9]")


def numeric_value(text: str) -> float | None:
    """The number a text holds: a plain decimal, or the leading year of a date; None otherwise.

    ASCII digits only, as the dumps write numbers (`\\d` would also take other scripts' digits).
    """
    stripped = text.strip()
    if _PLAIN_NUMBER.fullmatch(stripped):
        return float(stripped)
    date = _DATE.match(stripped)
    return float(date.group(1)) if date else None


def _outside(number: float, low: float | None, high: float | None) -> bool:
    return (low is not None and number < low) or (high is not None and number > high)


def _number_text(number: float | None) -> str:
    if number is None:
        return "-"
    return str(int(number)) if number == int(number) else str(number)


@dataclass(frozen=True, slots=True)
class _Edit:
    """A filter's verdict on the value at the end of a path: how many elements changed, and into what."""

    changed: int
    value: Any = None
    delete: bool = False


_UNCHANGED = _Edit(0)


def _edit_at(
    record: JsonObject, segments: tuple[str, ...], edit: Callable[[Any], _Edit]
) -> tuple[JsonObject, int]:
    """Apply `edit` at the end of the path, copying only the objects and lists on the way that change."""
    changed, edited = _edit_object(record, segments, 0, edit)
    if not changed:
        return record, 0
    return (edited if isinstance(edited, dict) else {}), changed


def _edit_object(
    obj: JsonObject, segments: tuple[str, ...], depth: int, edit: Callable[[Any], _Edit]
) -> tuple[int, Any]:
    key = segments[depth]
    if key not in obj:
        return 0, obj
    value = obj[key]
    if depth == len(segments) - 1:
        verdict = edit(value)
        if not verdict.changed:
            return 0, obj
        changed, new_value, delete = verdict.changed, verdict.value, verdict.delete
    else:
        changed, new_value = _edit_child(value, segments, depth + 1, edit)
        if not changed:
            return 0, obj
        delete = False
    edited = dict(obj)
    if delete:
        del edited[key]
        if not edited:
            return changed, None  # an element left with nothing in it reads as an empty element
    else:
        edited[key] = new_value
    return changed, edited


def _edit_child(
    value: Any, segments: tuple[str, ...], depth: int, edit: Callable[[Any], _Edit]
) -> tuple[int, Any]:
    if isinstance(value, dict):
        return _edit_object(value, segments, depth, edit)
    if not isinstance(value, list):
        return 0, value
    total = 0
    items: list[Any] | None = None
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            continue
        changed, new_item = _edit_object(item, segments, depth, edit)
        if changed:
            if items is None:
                items = list(value)
            items[index] = new_item
            total += changed
    return total, (items if items is not None else value)


# --- the rules document -------------------------------------------------------------------------

SECTIONS = ("skip_records", "filters", "rules")


def parse_rule_set(document: Any, source: str) -> RuleSet:
    """The rule set a parsed rules file (YAML or JSON) describes; RuleSetError names what is wrong.

    `source` says where the document came from (a file name), for reports.
    """
    if not isinstance(document, dict):
        raise RuleSetError((), f"expected a mapping with the sections {', '.join(SECTIONS)}")
    _no_unknown_keys(document, (), SECTIONS, required=())
    skip_records: dict[DataType, tuple[SkipRule, ...]] = {}
    filters: dict[DataType, tuple[Filter, ...]] = {}
    rules: dict[DataType, tuple[Rule, ...]] = {}
    for data_type, entries in _section(document, "skip_records"):
        skip_records[data_type] = tuple(_skip_rule(entry, location) for location, entry in entries)
    for data_type, entries in _section(document, "filters"):
        filters[data_type] = tuple(_filter(entry, location) for location, entry in entries)
    for data_type, entries in _section(document, "rules"):
        rules[data_type] = _rules(entries)
    named = skip_records.keys() | filters.keys() | rules.keys()
    data_types = [data_type for data_type in DataType if data_type in named]
    return RuleSet(
        {
            data_type: TypeRules(
                skip_records.get(data_type, ()), filters.get(data_type, ()), rules.get(data_type, ())
            )
            for data_type in data_types
        },
        source,
    )


_Entries = list[tuple[Location, Any]]
_DATA_TYPES = {data_type.value: data_type for data_type in DataType}


def _section(document: dict[str, Any], name: str) -> list[tuple[DataType, _Entries]]:
    section = document.get(name)
    if section is None:
        return []
    if not isinstance(section, dict):
        raise RuleSetError((name,), "expected a mapping from data type (artists, labels, masters, releases)")
    by_type: list[tuple[DataType, _Entries]] = []
    for type_name, entries in section.items():
        location: Location = (name, type_name)
        data_type = _DATA_TYPES.get(type_name) if isinstance(type_name, str) else None
        if data_type is None:
            raise RuleSetError(location, f"unknown data type {type_name!r} (known: {', '.join(_DATA_TYPES)})")
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise RuleSetError(location, "expected a list of entries")
        by_type.append((data_type, [((*location, index), entry) for index, entry in enumerate(entries)]))
    return by_type


def _skip_rule(entry: Any, location: Location) -> SkipRule:
    entry = _mapping(
        entry, location, ("field", "contains", "reason"), required=("field", "contains", "reason")
    )
    contains = _text(entry, "contains", location)
    if not contains:
        raise RuleSetError((*location, "contains"), "an empty phrase would skip every record")
    return SkipRule(_field(entry, location), contains, _text(entry, "reason", location))


def _filter(entry: Any, location: Location) -> Filter:
    entry = _mapping(
        entry, location, ("field", "remove_matching", "nullify_when", "reason"), required=("field",)
    )
    actions = [key for key in ("remove_matching", "nullify_when") if key in entry]
    if len(actions) != 1:
        raise RuleSetError(location, "a filter needs exactly one of remove_matching, nullify_when")
    reason = _text(entry, "reason", location) if "reason" in entry else ""
    if actions[0] == "remove_matching":
        return RemoveMatching(_field(entry, location), _pattern(entry, "remove_matching", location), reason)
    when_location = (*location, "nullify_when")
    when = _mapping(entry["nullify_when"], when_location, ("type", "below", "above"), required=("type",))
    if when["type"] != "range":
        raise RuleSetError(
            (*when_location, "type"), f"unknown nullify_when type {when['type']!r} (known: range)"
        )
    below, above = _bounds(when, when_location, "below", "above")
    return NullifyOutsideRange(_field(entry, location), below, above, reason)


def _rules(entries: _Entries) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    names: set[str] = set()
    for location, entry in entries:
        rule = _rule(entry, location)
        if rule.name in names:
            raise RuleSetError((*location, "name"), f"a second rule named {rule.name!r} for this data type")
        names.add(rule.name)
        rules.append(rule)
    return tuple(rules)


def _rule(entry: Any, location: Location) -> Rule:
    entry = _mapping(
        entry,
        location,
        ("name", "description", "field", "condition", "severity"),
        required=("name", "field", "condition", "severity"),
    )
    severity_text = _text(entry, "severity", location)
    try:
        severity = Severity(severity_text)
    except ValueError:
        known = ", ".join(severity.value for severity in Severity)
        raise RuleSetError(
            (*location, "severity"), f"unknown severity {severity_text!r} (known: {known})"
        ) from None
    return Rule(
        name=_text(entry, "name", location),
        field=_field(entry, location),
        condition=_condition(entry["condition"], (*location, "condition")),
        severity=severity,
        description=_text(entry, "description", location) if "description" in entry else "",
    )


_CONDITION_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # condition type: (the keys it takes besides `type`, those of them it needs)
    "range": (("min", "max"), ()),
    "required": ((), ()),
    "regex": (("pattern",), ("pattern",)),
    "enum": (("values",), ("values",)),
    "length": (("min", "max"), ()),
}


def _condition(value: Any, location: Location) -> Condition:
    condition = _mapping(value, location, None, required=("type",))
    kind = condition["type"]
    if kind not in _CONDITION_KEYS:
        known_types = ", ".join(_CONDITION_KEYS)
        raise RuleSetError((*location, "type"), f"unknown condition type {kind!r} (known: {known_types})")
    keys, required = _CONDITION_KEYS[kind]
    _no_unknown_keys(condition, location, ("type", *keys), required)
    if kind == "range":
        return InRange(*_bounds(condition, location, "min", "max"))
    if kind == "required":
        return Required()
    if kind == "regex":
        return Matches(_pattern(condition, "pattern", location))
    if kind == "enum":
        values = condition["values"]
        if not isinstance(values, list) or not values or not all(isinstance(item, str) for item in values):
            raise RuleSetError((*location, "values"), "expected a non-empty list of strings (quote numbers)")
        return OneOf(frozenset(values))
    minimum, maximum = _bounds(condition, location, "min", "max")
    for key, bound in (("min", minimum), ("max", maximum)):
        if bound is not None and (bound < 0 or bound != int(bound)):
            raise RuleSetError((*location, key), "a length bound is a whole number of characters, 0 or more")
    return LengthBetween(
        int(minimum) if minimum is not None else None, int(maximum) if maximum is not None else None
    )


def _mapping(
    value: Any, location: Location, known: tuple[str, ...] | None, required: tuple[str, ...]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RuleSetError(location, "expected a mapping")
    if known is not None:
        _no_unknown_keys(value, location, known, required)
    else:
        _no_missing_keys(value, location, required)
    return value


def _no_unknown_keys(
    value: dict[Any, Any], location: Location, known: tuple[str, ...], required: tuple[str, ...]
) -> None:
    for key in value:
        if key not in known:
            raise RuleSetError((*location, str(key)), f"unknown key {key!r} (known: {', '.join(known)})")
    _no_missing_keys(value, location, required)


def _no_missing_keys(value: dict[Any, Any], location: Location, required: tuple[str, ...]) -> None:
    for key in required:
        if key not in value:
            raise RuleSetError(location, f"missing {key!r}")


def _text(entry: dict[str, Any], key: str, location: Location) -> str:
    value = entry[key]
    if not isinstance(value, str):
        raise RuleSetError((*location, key), f"expected a string, not {_kind(value)}")
    return value


def _field(entry: dict[str, Any], location: Location) -> FieldPath:
    try:
        return FieldPath(_text(entry, "field", location))
    except ValueError as error:
        raise RuleSetError((*location, "field"), str(error)) from None


def _pattern(entry: dict[str, Any], key: str, location: Location) -> re.Pattern[str]:
    text = _text(entry, key, location)
    try:
        return re.compile(text)
    except re.error as error:
        raise RuleSetError((*location, key), f"invalid regular expression {text!r}: {error}") from None


def _bounds(
    entry: dict[str, Any], location: Location, low_key: str, high_key: str
) -> tuple[float | None, float | None]:
    bounds: list[float | None] = []
    for key in (low_key, high_key):
        value = entry.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise RuleSetError((*location, key), f"expected a number, not {_kind(value)}")
        bounds.append(float(value) if value is not None else None)
    low, high = bounds
    if low is None and high is None:
        raise RuleSetError(location, f"give {low_key!r}, {high_key!r} or both")
    if low is not None and high is not None and low > high:
        raise RuleSetError(
            (*location, low_key), f"{low_key} {_number_text(low)} is above {high_key} {_number_text(high)}"
        )
    return low, high


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"
