"""Which dump version is complete, how listings and the CHECKSUM file read (SPEC-ingest §2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.dumps.discogs_site import parse_download_links, parse_s3_listing, parse_year_links
from domain.dumps import (
    DISCOGS_DUMP_TYPES,
    ChecksumFormatError,
    DumpFile,
    dump_file_from_key,
    newest_complete_version,
    parse_checksums,
)

S3_SAMPLE_LISTING = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "samples"
    / "discogs"
    / "s3_bucket_listing"
    / "discogs-data_ListBucketResult_2021-06.xml"
)
COMPLETE_RESTS = (*(f"{dump_type}.xml.gz" for dump_type in DISCOGS_DUMP_TYPES), "CHECKSUM.txt")

versions = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)).map(
    lambda day: day.strftime("%Y%m%d")
)
rests = st.sampled_from((*COMPLETE_RESTS, "releases.xml", "README.txt", "artists.xml.gz.md5"))
digests = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
file_names = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), exclude_characters="/*"
    ),
    min_size=1,
    max_size=40,
)


def key_of(version: str, rest: str) -> str:
    return f"data/{version[:4]}/discogs_{version}_{rest}"


def dump_files(version: str, rests_of_version: tuple[str, ...] = COMPLETE_RESTS) -> list[DumpFile]:
    return [
        dump_file for rest in rests_of_version if (dump_file := dump_file_from_key(key_of(version, rest)))
    ]


def test_key_names_its_version_and_type() -> None:
    assert dump_file_from_key("data/2025/discogs_20250101_releases.xml.gz", 56115) == DumpFile(
        key="data/2025/discogs_20250101_releases.xml.gz", version="20250101", kind="releases", size=56115
    )
    checksum = dump_file_from_key("data/2025/discogs_20250101_CHECKSUM.txt")
    assert checksum is not None
    assert (checksum.kind, checksum.name) == ("CHECKSUM", "discogs_20250101_CHECKSUM.txt")


@pytest.mark.parametrize(
    "key", ["index.html", "data/2025/", "data/2025/discogs_2025_releases.xml.gz", "discogs_x"]
)
def test_keys_that_are_not_dump_files_are_ignored(key: str) -> None:
    assert dump_file_from_key(key) is None


def test_newest_month_still_uploading_is_passed_over_for_the_last_complete_one() -> None:
    listed = dump_files("20250101") + dump_files("20250201", ("CHECKSUM.txt", "releases.xml.gz"))

    version = newest_complete_version(listed)

    assert version is not None
    assert version.version == "20250101"
    assert [dump_file.kind for dump_file in version.data_files] == list(DISCOGS_DUMP_TYPES)
    assert version.checksum_file.name == "discogs_20250101_CHECKSUM.txt"


def test_a_month_with_a_sixth_file_is_not_complete() -> None:
    listed = dump_files("20250101") + dump_files("20250201", (*COMPLETE_RESTS, "releases.xml"))

    version = newest_complete_version(listed)

    assert version is not None
    assert version.version == "20250101"


def test_a_file_listed_twice_counts_once() -> None:
    version = newest_complete_version(dump_files("20250101") + dump_files("20250101", ("labels.xml.gz",)))

    assert version is not None
    assert version.version == "20250101"


def test_no_complete_month_gives_none() -> None:
    assert newest_complete_version(dump_files("20130101", ("masters.xml.gz", "releases.xml.gz"))) is None


@given(st.lists(st.tuples(versions, rests), max_size=40))
def test_newest_complete_version_is_the_newest_with_exactly_the_five_files(
    listed: list[tuple[str, str]],
) -> None:
    rests_by_version: dict[str, set[str]] = {}
    for version, rest in listed:
        rests_by_version.setdefault(version, set()).add(rest)
    complete = [version for version, found in rests_by_version.items() if found == set(COMPLETE_RESTS)]

    chosen = newest_complete_version(
        dump_file for version, rest in listed if (dump_file := dump_file_from_key(key_of(version, rest)))
    )

    assert (chosen.version if chosen else None) == max(complete, default=None)
    if chosen is not None:
        assert {dump_file.name for dump_file in (*chosen.data_files, chosen.checksum_file)} == {
            f"discogs_{chosen.version}_{rest}" for rest in COMPLETE_RESTS
        }


def test_s3_sample_listing_gives_may_2021_as_newest_complete() -> None:
    page = parse_s3_listing(S3_SAMPLE_LISTING.read_bytes())

    version = newest_complete_version(page.dump_files)

    assert page.next_marker is None
    assert version is not None
    assert version.version == "20210501"  # 20210601 lists only masters and releases
    assert version.data_files[3].size == 9747591757
    assert version.checksum_file.key == "data/2021/discogs_20210501_CHECKSUM.txt"


def test_s3_sample_listing_has_masters_from_the_2011_11_10_dump_on() -> None:
    page = parse_s3_listing(S3_SAMPLE_LISTING.read_bytes())

    masters_versions = sorted(
        dump_file.version for dump_file in page.dump_files if dump_file.kind == "masters"
    )

    assert masters_versions[0] == "20111110"


def test_truncated_s3_page_continues_after_its_last_key() -> None:
    document = (
        b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated>'
        b"<Contents><Key>data/2008/discogs_20080309_CHECKSUM.txt</Key><Size>294</Size></Contents>"
        b"<Contents><Key>data/2008/index.html</Key><Size>1</Size></Contents></ListBucketResult>"
    )

    assert parse_s3_listing(document).next_marker == "data/2008/index.html"


def test_s3_access_denied_answer_is_reported_with_its_code() -> None:
    document = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"

    with pytest.raises(ValueError, match="AccessDenied: Access Denied"):
        parse_s3_listing(document)


@given(
    st.lists(st.tuples(versions, rests, st.integers(min_value=0, max_value=2**40)), unique_by=lambda t: t[:2])
)
def test_s3_listing_gives_back_every_dump_key_with_its_size(listed: list[tuple[str, str, int]]) -> None:
    contents = "".join(
        f"<Contents><Key>{escape(key_of(version, rest))}</Key><Size>{size}</Size></Contents>"
        for version, rest, size in listed
    )
    document = (
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>'
        f"<Contents><Key>index.html</Key><Size>3</Size></Contents>{contents}</ListBucketResult>"
    ).encode()

    page = parse_s3_listing(document)

    assert [(dump_file.key, dump_file.size) for dump_file in page.dump_files] == [
        (key_of(version, rest), size) for version, rest, size in listed
    ]


SITE_YEAR_PAGE = """<!DOCTYPE html>
<html><head><title>Discogs Data</title></head><body>
<a href="/">Parent directory</a>
<table>
<tr><td><a href="?download=data%2F2025%2Fdiscogs_20250101_CHECKSUM.txt">CHECKSUM</a></td></tr>
<tr><td><a href='https://data.discogs.com/?download=data%2F2025%2Fdiscogs_20250101_artists.xml.gz'>artists</a></td></tr>
<tr><td><a href="?download=data/2025/discogs_20250101_labels.xml.gz&amp;x=1">labels</a></td></tr>
<tr><td><a href="?download=data%2F2025%2Fdiscogs_20250101_labels.xml.gz">labels again</a></td></tr>
<tr><td><a href="?download=data%2F2025%2Findex.html">not a dump</a></td></tr>
</table></body></html>"""


def test_site_year_page_gives_each_download_link_once() -> None:
    assert [dump_file.key for dump_file in parse_download_links(SITE_YEAR_PAGE)] == [
        "data/2025/discogs_20250101_CHECKSUM.txt",
        "data/2025/discogs_20250101_artists.xml.gz",
        "data/2025/discogs_20250101_labels.xml.gz",
    ]


def test_site_root_page_gives_year_directories_newest_first() -> None:
    root_page = (
        '<a href="?prefix=data%2F2008%2F">2008/</a><a href="?prefix=data%2F2026%2F">2026/</a>'
        '<a href="/?prefix=data/2025/">2025/</a><a href="?prefix=other%2F2027%2F">elsewhere</a>'
        '<a href="?prefix=data%2F2026%2F">2026 again</a>'
    )

    assert parse_year_links(root_page) == [2026, 2025, 2008]


@given(
    st.lists(st.tuples(versions, rests), unique=True),
    st.sampled_from(("?download={}", "/?download={}", "https://data.discogs.com/?download={}&amp;v=1")),
)
def test_site_page_gives_back_every_linked_dump_key(listed: list[tuple[str, str]], href_form: str) -> None:
    hrefs = [href_form.format(key_of(version, rest).replace("/", "%2F")) for version, rest in listed]
    links = "".join(f"<li><a class='file' href={quoteattr(href)}>x</a>" for href in hrefs)
    page = (
        f'<html><body><a href="?prefix=data%2F2020%2F">2020</a><ul>{links}</ul><a>no href</a></body></html>'
    )

    assert [dump_file.key for dump_file in parse_download_links(page)] == [
        key_of(version, rest) for version, rest in listed
    ]


def test_checksum_file_maps_each_name_to_its_lowercase_digest() -> None:
    text = (
        "\ufeffAB" + "c" * 62 + " *discogs_20250101_artists.xml.gz\r\n"
        "\r\n"
        + "d" * 64
        + "  discogs_20250101_labels.xml.gz\r\n"
        + "e" * 64
        + "  ./data/discogs_20250101_masters.xml.gz"
    )

    assert parse_checksums(text) == {
        "discogs_20250101_artists.xml.gz": "ab" + "c" * 62,
        "discogs_20250101_labels.xml.gz": "d" * 64,
        "discogs_20250101_masters.xml.gz": "e" * 64,
    }


@pytest.mark.parametrize(
    "line",
    [
        "abc123  discogs_20250101_artists.xml.gz",
        "g" * 64 + "  discogs_20250101_artists.xml.gz",
        "a" * 64,
        "<html>Access Denied</html>",
    ],
)
def test_checksum_line_that_is_not_a_digest_and_a_name_is_rejected_with_its_number(line: str) -> None:
    with pytest.raises(ChecksumFormatError, match="line 2"):
        parse_checksums("a" * 64 + "  discogs_20250101_labels.xml.gz\n" + line + "\n")


def test_checksum_file_giving_one_name_two_digests_is_rejected() -> None:
    text = "a" * 64 + "  discogs_x.xml.gz\n" + "b" * 64 + "  discogs_x.xml.gz\n"

    with pytest.raises(ChecksumFormatError, match="another digest"):
        parse_checksums(text)


@given(
    st.dictionaries(file_names, digests, max_size=8),
    st.booleans(),
    st.sampled_from((" ", "  ", "\t")),
    st.sampled_from(("\n", "\r\n")),
)
def test_checksum_file_reads_back_what_sha256sum_writes(
    digest_by_name: dict[str, str], binary_mode: bool, separator: str, line_end: str
) -> None:
    marker = "*" if binary_mode else ""
    text = "".join(
        f"{digest.upper() if index % 2 else digest}{separator}{marker}{name}{line_end}"
        for index, (name, digest) in enumerate(digest_by_name.items())
    )

    assert parse_checksums(text) == digest_by_name
