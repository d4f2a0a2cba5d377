"""The MusicBrainz dump reader on real dump lines, in every form a dump file takes (`.jsonl`,
`.jsonl.xz`, the published `.tar.xz`), and on the faults a user meets: lines that are not JSON or
not UTF-8, a truncated or corrupt xz stream, a resumed run."""

from __future__ import annotations

import io
import json
import lzma
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest

from adapters.dumps.musicbrainz_jsonl import MusicBrainzReader, read_artist_links
from domain.records import (
    DumpFileError,
    MalformedRecord,
    Record,
    ResumePoint,
    ResumePointNotFound,
    TooManyMalformedRecords,
)
from tests.samples import samples_dir

LABEL_LINES = samples_dir() / "musicbrainz" / "json_dump" / "label.jsonl"


def label_lines() -> list[bytes]:
    return LABEL_LINES.read_bytes().splitlines(keepends=True)


def write_tar_xz(path: Path, member_name: str, content: bytes) -> Path:
    """An archive laid out as the published ones: metadata files, then `mbdump/<entity>`."""
    with tarfile.open(path, "w:xz") as archive:
        for name, data in (
            ("TIMESTAMP", b"2026-05-20 00:10:01\n"),
            ("COPYING", b"CC0\n"),
            (member_name, content),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def ids(records: list[Any]) -> list[str]:
    return [record.id for record in records]


def test_a_plain_file_an_xz_file_and_the_archive_give_the_same_records(tmp_path: Path) -> None:
    content = LABEL_LINES.read_bytes()
    plain = tmp_path / "label.jsonl"
    plain.write_bytes(content)
    compressed = tmp_path / "label.jsonl.xz"
    compressed.write_bytes(lzma.compress(content))
    archive = write_tar_xz(tmp_path / "label.tar.xz", "mbdump/label", content)
    reader = MusicBrainzReader()

    forms = [list(reader.read(path)) for path in (plain, compressed, archive)]

    expected_ids = [json.loads(line)["id"] for line in content.splitlines()]
    for records in forms:
        assert ids(records) == expected_ids
        assert [record.document for record in records] == [record.document for record in forms[0]]
        assert {record.data_type for record in records} == {"labels"}
        assert {record.sha256 for record in records} == {""}


def test_malformed_lines_are_reported_with_file_and_line_and_skipped(tmp_path: Path) -> None:
    good = label_lines()
    bad = [
        b'{"id": "broken", "name": \n',
        b'{"id": "x", "name": "caf\xe9"}\n',
        b"[1, 2]\n",
        b'{"name": "no id"}\n',
    ]
    path = tmp_path / "label.jsonl"
    path.write_bytes(b"".join([good[0], bad[0], good[1], bad[1], b"\n", bad[2], bad[3], good[2]]))
    problems: list[MalformedRecord] = []

    records = list(MusicBrainzReader().read(path, on_malformed=problems.append))

    assert ids(records) == [json.loads(line)["id"] for line in good[:3]]
    assert [(problem.file, problem.line) for problem in problems] == [
        (str(path), 2),
        (str(path), 4),
        (str(path), 6),
        (str(path), 7),
    ]
    assert "not JSON" in problems[0].reason
    assert "not UTF-8" in problems[1].reason
    assert "b'\\xe9'" in problems[1].reason
    assert "JSON object, not list" in problems[2].reason
    assert "no string id" in problems[3].reason
    assert f"{path}: malformed record with unknown id at line 4" in str(problems[1])


def test_a_truncated_xz_file_delivers_what_came_before_then_names_file_and_line(tmp_path: Path) -> None:
    compressed = lzma.compress(LABEL_LINES.read_bytes())
    path = tmp_path / "label.jsonl.xz"
    path.write_bytes(compressed[: len(compressed) // 2])
    records: list[Record] = []

    with pytest.raises(DumpFileError) as raised:
        records.extend(MusicBrainzReader().read(path))

    assert 0 < len(records) < 75
    assert raised.value.file == str(path)
    assert raised.value.line == len(records) + 1
    assert f"{path}: the compressed stream cannot be read past this point" in str(raised.value)
    assert f"line {len(records) + 1}" in str(raised.value)
    assert "of the JSON Lines" in str(raised.value)


def test_a_corrupt_xz_stream_is_a_file_error_not_a_crash(tmp_path: Path) -> None:
    compressed = bytearray(lzma.compress(LABEL_LINES.read_bytes()))
    compressed[len(compressed) // 2] ^= 0xFF
    path = tmp_path / "label.jsonl.xz"
    path.write_bytes(bytes(compressed))

    with pytest.raises(DumpFileError, match="cannot be read past this point"):
        list(MusicBrainzReader().read(path))


def test_an_archive_without_the_entity_member_says_which_member_it_lacks(tmp_path: Path) -> None:
    archive = write_tar_xz(tmp_path / "label.tar.xz", "mbdump/artist", LABEL_LINES.read_bytes())

    with pytest.raises(DumpFileError, match="no member mbdump/label"):
        list(MusicBrainzReader().read(archive))


def test_a_resumed_read_skips_the_records_delivered_before(tmp_path: Path) -> None:
    path = tmp_path / "label.jsonl"
    path.write_bytes(b"".join([*label_lines()[:10], b"not json\n", *label_lines()[10:]]))
    everything = ids(list(MusicBrainzReader().read(path, on_malformed=lambda problem: None)))

    resumed = ids(list(MusicBrainzReader().read(path, ResumePoint(records_done=40), lambda problem: None)))
    after_id = ids(list(MusicBrainzReader().read(path, ResumePoint(last_id=everything[9]), lambda p: None)))

    assert resumed == everything[40:]
    assert after_id == everything[10:]
    with pytest.raises(ResumePointNotFound):
        list(MusicBrainzReader().read(path, ResumePoint(records_done=80), lambda problem: None))


def test_too_many_malformed_lines_abandon_the_file(tmp_path: Path) -> None:
    path = tmp_path / "label.jsonl"
    path.write_bytes(b"".join([label_lines()[0], b"{\n" * 4, label_lines()[1]]))

    with pytest.raises(TooManyMalformedRecords, match="more than 3 malformed lines") as raised:
        list(MusicBrainzReader(max_malformed=3).read(path, on_malformed=lambda problem: None))
    assert raised.value.line == 5


def artist_line(mbid: str, discogs_url: str | None, *related: tuple[str, str, str]) -> bytes:
    """A dump-shaped artist line (synthetic: the samples have no artist with a Discogs link)."""
    relations: list[dict[str, Any]] = []
    if discogs_url is not None:
        relations.append(
            {"type": "discogs", "target-type": "url", "direction": "forward", "ended": False,
             "url": {"id": str(uuid.uuid4()), "resource": discogs_url}, "attributes": []}
        )  # fmt: skip
    for link_type, direction, target in related:
        relations.append(
            {"type": link_type, "target-type": "artist", "direction": direction, "ended": False,
             "begin": None, "end": None, "attributes": [], "artist": {"id": target, "name": "?"}}
        )  # fmt: skip
    entity = {
        "id": mbid,
        "name": f"artist {mbid[:4]}",
        "sort-name": "x",
        "type": "Group",
        "relations": relations,
    }
    return json.dumps(entity).encode() + b"\n"


def test_pass_one_gives_artist_relations_their_targets_discogs_ids_even_ahead_in_the_file(
    tmp_path: Path,
) -> None:
    band, member, stranger = (str(uuid.uuid4()) for _ in range(3))
    path = tmp_path / "artist.jsonl.xz"
    path.write_bytes(
        lzma.compress(
            artist_line(
                member, "https://www.discogs.com/artist/200-Member", ("member of band", "forward", band)
            )
            + artist_line(stranger, None, ("collaboration", "forward", member))
            + artist_line(band, "https://www.discogs.com/artist/100")
        )
    )

    links = read_artist_links(path)
    records = {record.id: record.document for record in MusicBrainzReader().read(path)}

    assert links == {member: 200, band: 100}
    assert records[member]["discogs_artist_id"] == 200
    assert records[member]["relations"][0]["target_discogs_artist_id"] == 100
    assert records[stranger]["discogs_artist_id"] is None
    assert records[stranger]["relations"][0]["target_discogs_artist_id"] == 200
