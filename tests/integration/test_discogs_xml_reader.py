"""The Discogs dump reader on the real sample dumps and on broken files built from them.

Counts come from shared/data/samples/README.md; digests were computed by hand from the XML
(SPEC-ingest §11 applied on paper, hashed with `sha256sum`), not with this code.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from adapters.dumps import discogs_xml
from adapters.dumps.discogs_xml import DiscogsXmlReader, read_records
from domain.ports import RecordReader
from domain.records import (
    FROM_START,
    DataType,
    DumpFileError,
    MalformedRecord,
    Record,
    ResumePoint,
    ResumePointNotFound,
    TooManyMalformedRecords,
)
from tests.samples import samples_dir

DISCOGS = samples_dir() / "discogs"

SAMPLE_COUNTS = [
    ("xml2db_20200806/discogs_20200806_artists.xml.gz", DataType.ARTISTS, 1000),
    ("xml2db_20200806/discogs_20200806_labels.xml.gz", DataType.LABELS, 1000),
    ("xml2db_20200806/discogs_20200806_masters.xml.gz", DataType.MASTERS, 1000),
    ("xml2db_20200806/discogs_20200806_releases.xml.gz", DataType.RELEASES, 1000),
    ("xml2db_20170401_head50/discogs_20170401_artists.xml.gz", DataType.ARTISTS, 27),
    ("xml2db_20170401_head50/discogs_20170401_labels.xml.gz", DataType.LABELS, 5),
    ("xml2db_20170401_head50/discogs_20170401_masters.xml.gz", DataType.MASTERS, 47),
    ("xml2db_20170401_head50/discogs_20170401_releases.xml.gz", DataType.RELEASES, 10),
    ("tgmz_2025/discogs_artists.xml.gz", DataType.ARTISTS, 19),
    ("tgmz_2025/discogs_labels.xml.gz", DataType.LABELS, 9),
    ("tgmz_2025/discogs_masters.xml.gz", DataType.MASTERS, 4),
    ("tgmz_2025/discogs_releases.xml.gz", DataType.RELEASES, 11),
    ("xml2db_single_records/artist_11037.xml", DataType.ARTISTS, 1),
    ("xml2db_single_records/artist_problems.xml", DataType.ARTISTS, 1),
    ("xml2db_single_records/release_4497890.xml", DataType.RELEASES, 1),
]

HAND_CHECKED = [
    (
        "xml2db_single_records/artist_problems.xml",
        "11037",
        '{"data_quality":"Needs Vote","id":"11037","name":"Soul Boy","profile":null,'
        '"realname":"M. Marsico, L. Macchiaizzano\\rif  M. Marsico & L. M"}',
        "d92c40dd805330e892ba016e65b0a064b3dbcf196908207bd794bc4fb4215d63",
    ),
    (
        "xml2db_20200806/discogs_20200806_releases.xml.gz",
        "12645460",
        '{"artists":[{"anv":null,"id":"6486506","join":null,"name":"Ama (19)","role":null,"tracks":null}],'
        '"companies":null,"data_quality":"Needs Vote",'
        '"formats":[{"descriptions":{"description":"MP3"},"name":"File","qty":"1","text":"320 kbps"}],'
        '"genres":["Electronic"],"id":"12645460","identifiers":null,'
        '"images":{"image":{"@height":"600","@type":"secondary","@uri":"","@uri150":"","@width":"600"}},'
        '"labels":[{"catno":"ITU222","id":"1240637","name":"Industrial Techno United"}],'
        '"released":"2018-10-11","status":"Accepted","styles":["Techno"],"title":"Factory",'
        '"tracklist":{"track":{"duration":"5:11","position":"1","title":"Factory"}}}',
        "61265c21de2ffcc507d0cc652985243d1cf536b33fab3118459402508a5e1410",
    ),
    (
        "xml2db_20200806/discogs_20200806_labels.xml.gz",
        "1544815",
        '{"data_quality":"Needs Major Changes","id":"1544815","name":"Roadhouse Record Co."}',
        "26c88875cd6faf8158b27f7534da0b3e108f722d84b05cc86de3905bc616ad74",
    ),
    (
        "xml2db_20200806/discogs_20200806_artists.xml.gz",
        "2581486",
        '{"data_quality":"Needs Major Changes","id":"2581486",'
        '"members":[{"id":"510052","name":"Roope Latvala"}],"name":"Latvala Bros","profile":null}',
        "18528d90ea9c6f801fba378dd0354d5d26c31b4fdb32b9aea0aabd524e218965",
    ),
    (
        "xml2db_20200806/discogs_20200806_artists.xml.gz",
        "912624",
        '{"data_quality":"Correct","id":"912624","name":"Айя","profile":null}',
        "99b9596af9f338183d6a4c4092169ffc1d0b020a0fbe522ee7480387ceef4a19",
    ),
    (
        "tgmz_2025/discogs_labels.xml.gz",
        "12954",
        '{"data_quality":"Needs Vote","id":"12954","name":"Parallel Series",'
        '"parentLabel":{"id":"26391","name":"Mute"},"profile":"[b]Parallel Series[/b] was started as a '
        "sublabel of [l=Mute Records Ltd.], but then cooperated with [l18379] until 2006. Once again "
        'released through [l=Mute] beginning in 2021.","urls":null}',
        "fc12bc69c5892a64b0a707bcd47681cd3853ff2d1b83eed5a2d25a09706d3813",
    ),
    (
        "xml2db_20170401_head50/discogs_20170401_labels.xml.gz",
        "5",
        '{"contactinfo":"Svek office \\r\\nStephan Grieder \\r\\nFax: +46 (8) 50621292 \\r\\n   \\r\\n'
        'Address: Stephan Grieder, Lodgatan 2, 114 30 Stockholm, Sweden\\n",'
        '"data_quality":"Correct","id":"5",'
        '"images":{"image":{"@height":"337","@type":"primary","@uri":"","@uri150":"","@width":"600"}},'
        '"name":"Svek","parentLabel":"Goldhead Music","sublabels":[{"id":"Birdy"}]}',
        "6a75aaa97bccbe2b7bc827e4020d64af07c6ba39146a7d3f03504c6025151449",
    ),
    (
        "xml2db_20170401_head50/discogs_20170401_masters.xml.gz",
        "432879",
        '{"artists":[{"anv":null,"id":"194","join":null,"name":"Various","role":null,"tracks":null}],'
        '"data_quality":"Correct","genres":["Electronic"],"id":"432879",'
        '"images":{"image":{"@height":"400","@type":"primary","@uri":"","@uri150":"","@width":"400"}},'
        '"main_release":"958522","styles":["Techno"],"title":"Thinnerism 01","year":"2001"}',
        "e1f35ed393e3b7e2c04fc0ff9304a8a466e0b0874c2c9fb690c406ed5e5932bf",
    ),
    (
        # CRLF file: `&#13;` followed by a literal CRLF is three characters, as the reference reads it.
        "tgmz_2025/discogs_artists.xml.gz",
        "36660",
        '{"data_quality":"Needs Vote","id":"36660","name":"Alan Gregorie","namevariations":{"name":['
        '"Alan \\"Damy Dane\\" Gregorie","Alan \\"Demi-Dane\\" Gregorie","Alan \\"Demy Dane\\" Gregorie",'
        '"Alan \\"Harley Man\\" Gregorie","Alan \'Harley Man\' Gregorie","Alan B. Gregorie","Alan Gregoris",'
        '"Alan Gregory","Alan R. Gregorie","Allan Gregorie","Allan Gregory","Allan R. Gregorie",'
        '"Allen Gregorie"]},'
        '"profile":"Engineer.\\r\\r\\nHas worked at [l=Skyline Recording], New York, NY\\r\\r\\n"}',
        "8c5cbcf6c1b6cc4bba174e9bd4f734e9a879e7b2e192221df65949fe3cf3b98f",
    ),
]


def read_all(path: Path, resume: ResumePoint = FROM_START) -> tuple[list[Record], list[MalformedRecord]]:
    faults: list[MalformedRecord] = []
    return list(read_records(path, resume, faults.append)), faults


def read_until_error(
    path: Path, resume: ResumePoint = FROM_START, max_malformed: int = 100
) -> tuple[list[Record], list[MalformedRecord], DumpFileError]:
    records: list[Record] = []
    faults: list[MalformedRecord] = []
    with pytest.raises(DumpFileError) as raised:
        records.extend(read_records(path, resume, faults.append, max_malformed=max_malformed))
    return records, faults, raised.value


def sample(relative: str) -> Path:
    return DISCOGS / relative


def by_id(records: list[Record]) -> dict[str, Record]:
    return {record.id: record for record in records}


def release(number: int, title: bytes = b"Title", extra: bytes = b"") -> bytes:
    return b'<release id="%d" status="Accepted"><title>%s</title>%s</release>' % (number, title, extra)


def releases_file(path: Path, *records: bytes, compress: bool = True) -> Path:
    xml = b"<releases>\n" + b"".join(record + b"\n" for record in records) + b"</releases>\n"
    path.write_bytes(gzip.compress(xml) if compress else xml)
    return path


def ids(records: list[Record]) -> list[str]:
    return [record.id for record in records]


# --- the real samples ----------------------------------------------------------------------------


@pytest.mark.parametrize(("relative", "data_type", "count"), SAMPLE_COUNTS)
def test_every_sample_file_yields_the_record_count_of_the_samples_readme(
    relative: str, data_type: DataType, count: int
) -> None:
    records, faults = read_all(sample(relative))
    assert len(records) == count
    assert faults == []
    assert {record.data_type for record in records} == {data_type}
    assert len(set(ids(records))) == count


@pytest.mark.parametrize(("relative", "record_id", "canonical", "digest"), HAND_CHECKED)
def test_a_sample_record_hashes_to_its_hand_derived_digest(
    relative: str, record_id: str, canonical: str, digest: str
) -> None:
    record = by_id(read_all(sample(relative))[0])[record_id]
    assert record.canonical_json.decode("utf-8") == canonical
    assert record.sha256 == digest


def test_records_come_in_file_order() -> None:
    records, _ = read_all(sample("xml2db_20200806/discogs_20200806_releases.xml.gz"))
    assert ids(records)[:3] == ["1", "2", "3"]
    assert records[-1].id == "14220612"


def test_masters_and_releases_carry_their_id_attribute_as_id() -> None:
    for relative in ("xml2db_20200806/discogs_20200806_masters.xml.gz", "tgmz_2025/discogs_releases.xml.gz"):
        for record in read_all(sample(relative))[0]:
            assert record.document["id"] == record.id
            assert "@id" not in record.document


def test_releases_2323_and_2324_of_2025_have_no_status() -> None:
    records = by_id(read_all(sample("tgmz_2025/discogs_releases.xml.gz"))[0])
    assert "status" not in records["2323"].document
    assert "status" not in records["2324"].document
    assert records["10222"].document["status"] == "Accepted"


def test_a_2025_release_without_master_has_master_id_zero_and_series_keeps_its_raw_shape() -> None:
    records = by_id(read_all(sample("tgmz_2025/discogs_releases.xml.gz"))[0])
    assert records["527839"].document["master_id"] == "0"
    assert records["20279608"].document["series"] == {
        "series": {"@name": "World Network", "@catno": "16", "@id": "117965"}
    }


def test_2020_master_ids_are_strings_and_absent_without_a_master() -> None:
    records, _ = read_all(sample("xml2db_20200806/discogs_20200806_releases.xml.gz"))
    with_master = [record for record in records if "master_id" in record.document]
    assert len(with_master) == 615
    assert all(isinstance(record.document["master_id"], str) for record in with_master)
    assert records[0].document["master_id"] == "1660109"  # <master_id is_main_release="true">1660109


def test_2025_release_notes_keep_the_crlf_of_the_file() -> None:
    notes = by_id(read_all(sample("tgmz_2025/discogs_releases.xml.gz"))[0])["1349372"].document["notes"]
    assert notes.startswith("Cardbord slipcase:\r\nPrince And The New Power Generation\r\n")


def test_2020_empty_sublabels_stay_as_nulls_when_repeated_and_vanish_when_single() -> None:
    records = by_id(read_all(sample("xml2db_20200806/discogs_20200806_labels.xml.gz"))[0])
    assert records["3"].document["sublabels"] == [None, None]
    assert "sublabels" not in records["1544815"].document


def test_2025_members_are_named_artists_with_ids() -> None:
    records = by_id(read_all(sample("tgmz_2025/discogs_artists.xml.gz"))[0])
    assert records["2725"].document["members"][0] == {"id": "25411", "name": "Alan Wilder"}
    assert "profile" not in records["33"].document


def test_2017_aliases_without_ids_use_the_name_as_id() -> None:
    records = by_id(read_all(sample("xml2db_20170401_head50/discogs_20170401_artists.xml.gz"))[0])
    assert {"id": "Faxid"} in records["1"].document["aliases"]


def test_2020_character_references_become_characters() -> None:
    records = by_id(read_all(sample("xml2db_20200806/discogs_20200806_artists.xml.gz"))[0])
    assert records["1"].document["realname"] == "Jesper Dahlbäck"


def test_a_pretty_printed_record_ignores_the_indentation() -> None:
    record = read_all(sample("xml2db_single_records/release_4497890.xml"))[0][0]
    assert "#text" not in record.canonical_json.decode("utf-8")
    assert len(record.document["images"]["image"]) == 11
    assert record.document["artists"] == [
        {
            "id": "39765",
            "name": "Emerson, Lake & Palmer",
            "anv": None,
            "join": None,
            "role": None,
            "tracks": None,
        }
    ]


def test_a_record_as_the_whole_document_equals_the_same_record_in_a_dump() -> None:
    bare = read_all(sample("xml2db_single_records/artist_11037.xml"))[0]
    wrapped = read_all(sample("xml2db_single_records/artist_problems.xml"))[0]
    assert bare == wrapped


def test_the_reader_class_is_the_record_reader_port() -> None:
    reader: RecordReader = DiscogsXmlReader()
    records = list(reader.read(sample("tgmz_2025/discogs_masters.xml.gz")))
    assert ids(records) == ["115", "18080", "240656", "482870"]


# --- what the reference reads differently from libxml2 (SPEC-ingest §11) --------------------------


def read_one(tmp_path: Path, record: bytes) -> Record:
    records, faults = read_all(releases_file(tmp_path / "one.xml", record, compress=False))
    assert faults == []
    assert len(records) == 1
    return records[0]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (b"A &foo; B &amp; C", "A &foo; B & C"),
        (b"R&B", "R&B"),
        (b"R & B &amp; &x", "R & B & &x"),
        (b"&#0;|&#xD800;|&#X41;|&#1114112;|&#+65;|&#x41;", "\ufffd|\ufffd|\ufffd|\ufffd|\ufffd|A"),
        (b"&#0000065;|&#" + b"9" * 5000 + b";|&#x;", "A|\ufffd|\ufffd"),
        (b"line\r\nbreak&#13;", "line\r\nbreak\r"),
        (b"a<![CDATA[ < & ]]>b", "a < & b"),
        (b"a<![CDATA[x\r\ny]]>b\r\n", "ax\r\nyb\r\n"),
        (b"a<!-- note -->b<?pi x?>c", "abc"),
        (b"x]]>y &bogus;", "x]]>y &bogus;"),
        ("\u00a0\u00a0".encode(), None),
    ],
)
def test_text_reads_as_the_reference_reads_it(tmp_path: Path, title: bytes, expected: str | None) -> None:
    assert read_one(tmp_path, release(1, title)).document["title"] == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        (b'<label name="A" catno="1" name="B"/>', {"name": "A", "catno": "1"}),
        (b'<label name="Tom &amp; Jerry &foo;"/>', {"name": "Tom &amp; Jerry &foo;"}),
        (b'<label name="a\tb\r\nc\nd"/>', {"name": "a b c d"}),
        (b'<label name="a&#13;b&#10;c"/>', {"name": "a\rb\nc"}),
        (b'<label name="x" catno=""/>', {"name": "x", "catno": ""}),
        (b'<label name="a<b" catno="&bad;"/>', {"name": "a<b", "catno": "&bad;"}),
    ],
)
def test_attributes_read_as_the_reference_reads_them(
    tmp_path: Path, label: bytes, expected: dict[str, str]
) -> None:
    record = read_one(tmp_path, release(1, extra=b"<labels>" + label + b"</labels>"))
    assert record.document["labels"] == [expected]


def test_mixed_content_keeps_all_text_chunks_joined(tmp_path: Path) -> None:
    record = read_one(tmp_path, release(1, extra=b"<notes>see <b>this</b> now</notes>"))
    assert record.document["notes"] == {"#text": "see  now", "b": "this"}


def test_a_record_that_is_not_an_object_is_dropped_without_a_report(tmp_path: Path) -> None:
    path = releases_file(
        tmp_path / "r.xml.gz", release(1), b"<release>just text</release>", b"<release/>", release(2)
    )
    records, faults = read_all(path)
    assert ids(records) == ["1", "2"]
    assert faults == []


xml_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\ufffe\uffff").filter(
        lambda character: character in "\t\n\r" or ord(character) >= 0x20
    ),
    min_size=1,
    max_size=20,
)


def escaped(text: str, *, as_references: bool) -> bytes:
    """Text as XML content: markup characters escaped, optionally every character as `&#N;`."""
    if as_references:
        return "".join(f"&#{ord(character)};" for character in text).encode("ascii")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(xml_text)
def test_how_the_input_writes_characters_does_not_change_the_digest(tmp_path: Path, text: str) -> None:
    """2020 dumps write every non-ASCII character as `&#N;`, 2017 and 2025 as UTF-8: same record."""
    literal = read_one(tmp_path, release(1, escaped(text, as_references=False)))
    referenced = read_one(tmp_path, release(1, escaped(text, as_references=True)))
    assert referenced.sha256 == literal.sha256


def test_attribute_order_in_the_input_does_not_change_the_digest(tmp_path: Path) -> None:
    year_2017 = b'<images><image height="600" type="primary" uri="" uri150="" width="600"/></images>'
    year_2020 = b'<images><image type="primary" uri="" uri150="" width="600" height="600"/></images>'
    assert (
        read_one(tmp_path, release(1, extra=year_2017)).sha256
        == read_one(tmp_path, release(1, extra=year_2020)).sha256
    )


def test_nested_same_named_labels_are_children_not_records(tmp_path: Path) -> None:
    xml = (
        b"<labels>\n"
        b'<label><id>1</id><name>Parent</name><sublabels><label id="2">Child</label><label/>'
        b'<label id="3">Other</label></sublabels></label>\n'
        b"<label><id>2</id><name>Child</name></label>\n"
        b"</labels>\n"
    )
    path = tmp_path / "labels.xml"
    path.write_bytes(xml)
    records, faults = read_all(path)
    assert faults == []
    assert ids(records) == ["1", "2"]
    assert records[0].document["sublabels"] == [
        {"id": "2", "name": "Child"},
        None,
        {"id": "3", "name": "Other"},
    ]


def test_plain_xml_and_multi_member_gzip_read_like_a_single_gzip(tmp_path: Path) -> None:
    xml = gzip.decompress(sample("xml2db_20170401_head50/discogs_20170401_releases.xml.gz").read_bytes())
    plain = tmp_path / "releases.xml"
    plain.write_bytes(xml)
    members = tmp_path / "members.xml.gz"
    cut = len(xml) // 3
    members.write_bytes(gzip.compress(xml[:cut]) + gzip.compress(xml[cut:]) + b"\0" * 512)
    expected, _ = read_all(sample("xml2db_20170401_head50/discogs_20170401_releases.xml.gz"))
    assert read_all(plain)[0] == expected
    assert read_all(members)[0] == expected


FRAMED_DUMP = (
    '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE releases [ <!ENTITY x "y"> ]>\n<!-- exported -->\n<releases>\n'
    '<release id="1"><title>One</title></release>\n<!-- between -->\n<?pi between?>\n'
    "<![CDATA[ root text is ignored ]]>\n"
    '<other><release id="99"/></other>\n'
    '<release id="2"><title>Two</title></release>\n</releases>\n<!-- after -->\n'
).encode()


def test_prolog_comments_and_other_elements_around_records_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "framed.xml"
    path.write_bytes(FRAMED_DUMP)
    records, faults = read_all(path)
    assert ids(records) == ["1", "2"]
    assert faults == []


@pytest.mark.parametrize("chunk_bytes", [13, 997])
def test_records_do_not_depend_on_where_the_stream_is_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_bytes: int
) -> None:
    framed = tmp_path / "framed.xml"
    framed.write_bytes(FRAMED_DUMP)
    files = [framed] + [
        sample(relative)
        for relative, _, count in SAMPLE_COUNTS
        if count < 1000 and relative != "tgmz_2025/discogs_releases.xml.gz"
    ]
    expected = {path: read_all(path) for path in files}
    monkeypatch.setattr(discogs_xml, "_READ_BYTES", chunk_bytes)
    assert {path: read_all(path) for path in files} == expected


def test_an_oversized_record_is_reported_and_reading_resumes_at_the_next_record_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discogs_xml, "MAX_RECORD_BYTES", 2000)
    monkeypatch.setattr(discogs_xml, "_READ_BYTES", 100)
    endless = b'<release id="2"><title>' + b"x" * 5000
    path = releases_file(tmp_path / "r.xml.gz", release(1), endless, release(3))
    records, faults = read_all(path)
    assert ids(records) == ["1", "3"]
    assert [(fault.record_id, fault.line) for fault in faults] == [("2", 3)]
    assert "within 2000 bytes" in faults[0].reason


# --- bad input ------------------------------------------------------------------------------------


def test_a_truncated_gzip_delivers_every_complete_record_then_names_file_and_position(tmp_path: Path) -> None:
    source = sample("xml2db_20200806/discogs_20200806_releases.xml.gz")
    compressed = source.read_bytes()
    truncated = tmp_path / "discogs_20200806_releases.xml.gz"
    truncated.write_bytes(compressed[: len(compressed) * 3 // 5])
    readable = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(truncated.read_bytes())
    complete_records = readable.count(b"</release>")

    records, faults, error = read_until_error(truncated)

    all_records, _ = read_all(source)
    assert 0 < complete_records < 1000
    assert ids(records) == ids(all_records)[:complete_records]
    assert records == all_records[:complete_records]
    assert faults == []
    assert str(truncated) in str(error)
    assert "truncated gzip" in error.reason
    # The fault lies in the record the data stops in (inflaters differ by a byte on where that is).
    last_complete_record_end = readable.rindex(b"</release>")
    assert last_complete_record_end < error.byte_offset <= len(readable)
    assert error.line == readable.count(b"\n", 0, error.byte_offset) + 1


def test_corrupt_gzip_data_is_a_file_error(tmp_path: Path) -> None:
    compressed = bytearray(gzip.compress(b"<releases>\n" + release(1) * 2000 + b"\n</releases>\n"))
    compressed[len(compressed) // 2] ^= 0xFF
    path = tmp_path / "corrupt.xml.gz"
    path.write_bytes(bytes(compressed))
    *_, error = read_until_error(path)
    assert "gzip" in error.reason


def test_a_malformed_record_is_reported_and_skipped(tmp_path: Path) -> None:
    path = releases_file(
        tmp_path / "r.xml.gz",
        release(1),
        release(2),
        b'<release id="3"><title>x</titel></release>',
        release(4),
    )
    records, faults = read_all(path)
    assert ids(records) == ["1", "2", "4"]
    [fault] = faults
    assert fault.file == str(path)
    assert fault.record_id == "3"
    assert fault.line == 4
    assert fault.byte_offset == len(b"<releases>\n") + 2 * len(release(1) + b"\n")
    assert "titel" in fault.reason


def test_a_record_missing_its_end_tag_costs_only_that_record(tmp_path: Path) -> None:
    path = releases_file(
        tmp_path / "r.xml.gz", release(1), b'<release id="2"><title>cut short</title>', release(3), release(4)
    )
    records, faults = read_all(path)
    assert ids(records) == ["1", "3", "4"]
    assert [(fault.record_id, fault.line) for fault in faults] == [("2", 3)]


def test_a_label_missing_its_end_tag_costs_only_that_label(tmp_path: Path) -> None:
    xml = (
        b"<labels>\n"
        b'<label><id>1</id><sublabels><label id="9">Sub</label></sublabels>\n'
        b"<label><id>2</id></label>\n"
        b"<label><id>3</id></label>\n"
        b"</labels>\n"
    )
    path = tmp_path / "labels.xml"
    path.write_bytes(xml)
    records, faults = read_all(path)
    assert ids(records) == ["2", "3"]
    assert [fault.record_id for fault in faults] == ["1"]


def test_a_stray_end_tag_between_records_is_reported(tmp_path: Path) -> None:
    path = releases_file(tmp_path / "r.xml.gz", release(1), b"</release>", release(2))
    records, faults = read_all(path)
    assert ids(records) == ["1", "2"]
    assert [fault.line for fault in faults] == [3]


def test_invalid_utf8_ends_the_file_at_its_exact_position(tmp_path: Path) -> None:
    bad_record = release(3, b"Caf\xe9")
    path = releases_file(tmp_path / "r.xml.gz", release(1), release(2), bad_record, release(4))
    records, faults, error = read_until_error(path)
    assert ids(records) == ["1", "2"]
    assert faults == []
    assert str(path) in str(error)
    assert "UTF-8" in error.reason
    assert error.line == 4
    assert error.byte_offset == gzip.decompress(path.read_bytes()).index(b"\xe9")


@pytest.mark.parametrize("character", [b"\x01", b"&#1;", b"&#xFFFE;", "\ufffe".encode()])
def test_a_character_xml_forbids_ends_the_file(tmp_path: Path, character: bytes) -> None:
    path = releases_file(
        tmp_path / "r.xml.gz", release(1), release(2, b"bad " + character + b" char"), release(3)
    )
    records, _, error = read_until_error(path)
    assert ids(records) == ["1"]
    assert "not allowed in XML" in error.reason or "does not allow" in error.reason
    assert error.line == 3


def test_more_than_100_malformed_records_abandon_the_file(tmp_path: Path) -> None:
    broken = [b'<release id="%d"><title>x</titel></release>' % number for number in range(1000, 1101)]
    path = releases_file(tmp_path / "r.xml.gz", release(1), *broken, release(2))
    records, faults, error = read_until_error(path)
    assert isinstance(error, TooManyMalformedRecords)
    assert ids(records) == ["1"]
    assert len(faults) == 101
    assert error.line == 103  # the 101st malformed record: line 1 is <releases>, line 2 release 1


def test_100_malformed_records_are_tolerated(tmp_path: Path) -> None:
    broken = [b'<release id="%d"><title>x</titel></release>' % number for number in range(1000, 1100)]
    path = releases_file(tmp_path / "r.xml.gz", release(1), *broken, release(2))
    records, faults = read_all(path)
    assert ids(records) == ["1", "2"]
    assert len(faults) == 100


def test_a_file_that_ends_before_its_root_closes_is_an_error_after_its_records(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_bytes(b"<releases>\n" + release(1) + b"\n" + release(2) + b"\n")
    records, _, error = read_until_error(path)
    assert ids(records) == ["1", "2"]
    assert "truncated" in error.reason


def test_a_file_that_ends_inside_a_record_is_an_error_after_the_records_before(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_bytes(b"<releases>\n" + release(1) + b'\n<release id="2"><title>Tit')
    records, _, error = read_until_error(path)
    assert ids(records) == ["1"]
    assert "end of file inside <release>" in error.reason
    assert error.line == 3


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "no root element"),
        (b"<html><body>Not Found</body></html>", "not a Discogs dump"),
        (b"<releases></releases>\n<releases></releases>", "content after the end of the root element"),
    ],
)
def test_a_file_that_is_not_a_dump_is_an_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(content)
    *_, error = read_until_error(path)
    assert reason in error.reason


# --- resuming -------------------------------------------------------------------------------------


def test_a_rerun_after_the_file_is_fixed_resumes_after_the_last_delivered_record(tmp_path: Path) -> None:
    good = [release(number) for number in range(1, 7)]
    broken = list(good)
    broken[3] = release(4, b"\xff")
    path = releases_file(tmp_path / "discogs_20200806_releases.xml.gz", *broken)
    first_run, _, _ = read_until_error(path)
    assert ids(first_run) == ["1", "2", "3"]

    releases_file(path, *good)
    by_last_id, _ = read_all(path, ResumePoint(last_id=first_run[-1].id))
    by_count, _ = read_all(path, ResumePoint(records_done=len(first_run)))

    full, _ = read_all(path)
    assert first_run + by_last_id == full
    assert first_run + by_count == full


def test_resuming_counts_only_delivered_records(tmp_path: Path) -> None:
    path = releases_file(
        tmp_path / "r.xml.gz",
        release(1),
        b"<release>dropped</release>",
        b'<release id="9"><a></b></release>',
        release(2),
        release(3),
    )
    records, _ = read_all(path, ResumePoint(records_done=2))
    assert ids(records) == ["3"]


def test_resuming_past_the_end_of_the_file_is_an_error(tmp_path: Path) -> None:
    path = releases_file(tmp_path / "r.xml.gz", release(1), release(2))
    assert read_all(path, ResumePoint(records_done=2))[0] == []
    with pytest.raises(ResumePointNotFound, match=r"1 more records"):
        read_all(path, ResumePoint(records_done=3))
    with pytest.raises(ResumePointNotFound, match="record id 7"):
        read_all(path, ResumePoint(last_id="7"))


def test_without_a_callback_malformed_records_are_logged(tmp_path: Path) -> None:
    path = releases_file(tmp_path / "r.xml.gz", b'<release id="5"><a></b></release>', release(1))
    with capture_logs() as logged:
        assert ids(list(read_records(path))) == ["1"]
    [entry] = [entry for entry in logged if entry["event"] == "malformed_record"]
    assert entry["log_level"] == "warning"
    assert entry["record_id"] == "5"
    assert entry["file"] == str(path)
    assert entry["line"] == 2


def test_an_artist_without_an_id_is_reported_malformed_and_the_rest_delivered(tmp_path: Path) -> None:
    path = tmp_path / "discogs_20250101_artists.xml"
    path.write_text(
        "<artists>\n<artist><id>1</id><name>A</name></artist>\n"
        "<artist><name>No Id</name></artist>\n<artist><id>3</id><name>C</name></artist>\n</artists>\n",
        encoding="utf-8",
    )

    records, malformed = read_all(path)

    assert [record.id for record in records] == ["1", "3"]
    assert len(malformed) == 1
    assert malformed[0].line == 3
    assert "no id" in str(malformed[0])
