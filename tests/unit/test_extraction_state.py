"""The extraction state: what a resumed run skips, re-sends and reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from adapters.dumps.state_marker import StateMarkerFile
from domain.extraction_state import Decision, ExtractionState, Status

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def started_state() -> ExtractionState:
    state = ExtractionState(version="20261101", started_at=T0)
    state.begin_file("discogs_20261101_artists.xml.gz", "artists", "a" * 64, T0)
    state.begin_file("discogs_20261101_labels.xml.gz", "labels", "b" * 64, T0)
    return state


def test_a_resumed_file_skips_exactly_the_confirmed_records() -> None:
    state = started_state()
    state.confirm_batch("discogs_20261101_artists.xml.gz", 500, T0)
    state.confirm_batch("discogs_20261101_artists.xml.gz", 120, T0)

    skip = state.begin_file("discogs_20261101_artists.xml.gz", "artists", "a" * 64, T0 + timedelta(hours=1))

    assert skip == 620


def test_resume_keeps_the_original_start_time() -> None:
    state = started_state()
    state.begin_file("discogs_20261101_artists.xml.gz", "artists", "a" * 64, T0 + timedelta(days=1))

    assert state.started_at == T0
    assert state.files["discogs_20261101_artists.xml.gz"].started_at == T0


def test_a_completed_file_whose_source_changed_starts_over() -> None:
    state = started_state()
    state.confirm_batch("discogs_20261101_artists.xml.gz", 900, T0)
    state.complete_file("discogs_20261101_artists.xml.gz", T0)

    unchanged = state.begin_file("discogs_20261101_artists.xml.gz", "artists", "a" * 64, T0)
    changed = state.begin_file("discogs_20261101_artists.xml.gz", "artists", "c" * 64, T0)

    assert unchanged == 900
    assert changed == 0
    assert state.files["discogs_20261101_artists.xml.gz"].status is Status.IN_PROGRESS


def test_decision_skips_a_completed_version_and_force_reprocesses() -> None:
    state = started_state()
    assert state.decide() is Decision.CONTINUE
    state.complete(T0)
    assert state.decide() is Decision.SKIP
    assert state.decide(force=True) is Decision.REPROCESS


def test_record_counts_add_up_per_type() -> None:
    state = started_state()
    state.confirm_batch("discogs_20261101_artists.xml.gz", 10, T0)
    state.confirm_batch("discogs_20261101_labels.xml.gz", 3, T0)
    state.confirm_batch("discogs_20261101_artists.xml.gz", 5, T0)

    assert state.record_counts() == {"artists": 15, "labels": 3}


@given(
    batches=st.lists(st.integers(min_value=1, max_value=10_000), max_size=20),
    completed=st.booleans(),
    error=st.one_of(st.none(), st.text(max_size=40)),
)
def test_state_survives_a_save_and_load_unchanged(
    batches: list[int], completed: bool, error: str | None
) -> None:
    state = started_state()
    for size in batches:
        state.confirm_batch("discogs_20261101_labels.xml.gz", size, T0)
    if completed:
        state.complete_file("discogs_20261101_labels.xml.gz", T0)
    if error is not None:
        state.fail_file("discogs_20261101_artists.xml.gz", error, T0)

    assert ExtractionState.from_document(state.to_document()) == state


def test_marker_file_round_trip_and_corrupt_file_is_set_aside(tmp_path: Path) -> None:
    markers = StateMarkerFile(tmp_path)
    state = started_state()
    markers.save(state, durable=True)

    assert markers.load("20261101") == state
    assert markers.load("20261201") is None

    markers.path("20261101").write_text("{ not json", encoding="utf-8")
    assert markers.load("20261101") is None
    assert (tmp_path / ".extraction_status_20261101.json.corrupt").is_file()
