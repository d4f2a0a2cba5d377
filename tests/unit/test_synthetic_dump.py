"""The synthetic dump generator: real dump shape, exact manifest, determinism, resolvable references."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest
from lxml import etree

from tests.bench.synthetic_dump import ARTISTS_WITHOUT_RECORD, DUMP_TYPES, DumpManifest, generate_dump, main

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "samples"
REAL_2025 = SAMPLES / "discogs" / "tgmz_2025"
REAL_2020 = SAMPLES / "discogs" / "xml2db_20200806"
VERSION = "20250301"

Dump = tuple[Path, DumpManifest]


def dump_file(out_dir: Path, dump_type: str) -> Path:
    return out_dir / f"discogs_{VERSION}_{dump_type}.xml.gz"


def records(path: Path) -> list[etree._Element]:
    return list(etree.fromstring(gzip.decompress(path.read_bytes())))


def ids(elements: Iterable[etree._Element | None]) -> list[int]:
    return [int(element.text or "") for element in elements if element is not None]


def released_form(released: str | None) -> str:
    if released is None:
        return "absent"
    if not released:
        return "empty"
    if released.endswith("-00-00"):
        return "YYYY-00-00"
    return "YYYY-MM-00" if released.endswith("-00") else "YYYY" if len(released) == 4 else "YYYY-MM-DD"


def tag_paths(paths: list[Path]) -> set[str]:
    """Every element and attribute path below the record elements, e.g. `release/labels/label/@catno`."""
    found: set[str] = set()

    def walk(element: etree._Element, path: str) -> None:
        found.add(path)
        found.update(f"{path}/@{name!s}" for name in element.attrib)
        for child in element:
            walk(child, f"{path}/{child.tag!s}")

    for path in paths:
        for record in records(path):
            walk(record, str(record.tag))
    return found


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Dump:
    out_dir = tmp_path_factory.mktemp("synthetic")
    return out_dir, generate_dump(out_dir, 300, seed=11, version=VERSION, dangling_fraction=0.03)


@pytest.fixture(scope="module")
def parsed(dump: Dump) -> dict[str, list[etree._Element]]:
    out_dir, _ = dump
    return {dump_type: records(dump_file(out_dir, dump_type)) for dump_type in DUMP_TYPES}


def test_files_are_gzip_xml_with_the_dump_root_and_the_manifest_record_counts(
    dump: Dump, parsed: dict[str, list[etree._Element]]
) -> None:
    out_dir, manifest = dump
    for dump_type in DUMP_TYPES:
        raw = gzip.decompress(dump_file(out_dir, dump_type).read_bytes()).decode()
        assert raw.startswith(f"<{dump_type}>\n<{dump_type[:-1]}")  # no XML declaration, like Discogs
        assert len(parsed[dump_type]) == manifest.records[dump_type]
        assert {record.tag for record in parsed[dump_type]} == {dump_type[:-1]}
    assert manifest.records["releases"] == 300
    assert manifest.records["artists"] == 135
    assert manifest.records["labels"] == 30
    assert manifest.records["masters"] > 0


def test_the_same_seed_and_scale_give_the_same_bytes_and_another_seed_does_not(
    dump: Dump, tmp_path: Path
) -> None:
    out_dir, manifest = dump
    again = generate_dump(tmp_path / "again", 300, seed=11, version=VERSION, dangling_fraction=0.03)
    for dump_type in DUMP_TYPES:
        assert (
            dump_file(tmp_path / "again", dump_type).read_bytes()
            == dump_file(out_dir, dump_type).read_bytes()
        )
    assert again == manifest
    generate_dump(tmp_path / "other", 300, seed=12, version=VERSION, dangling_fraction=0.03)
    assert (
        dump_file(tmp_path / "other", "releases").read_bytes() != dump_file(out_dir, "releases").read_bytes()
    )


def test_the_command_writes_the_files_and_prints_the_manifest_it_stores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--releases", "50", "--out", str(tmp_path), "--seed", "3", "--version", VERSION]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((tmp_path / "manifest.json").read_text())
    assert printed["records"]["releases"] == 50
    assert all(dump_file(tmp_path, dump_type).exists() for dump_type in DUMP_TYPES)


def test_references_resolve_except_the_dangling_ones_the_manifest_counts(
    dump: Dump, parsed: dict[str, list[etree._Element]]
) -> None:
    _, manifest = dump
    artist_ids = set(ids(artist.find("id") for artist in parsed["artists"]))
    label_ids = set(ids(label.find("id") for label in parsed["labels"]))
    master_ids = {int(master.get("id", "")) for master in parsed["masters"]}
    release_ids = {int(release.get("id", "")) for release in parsed["releases"]}
    dangling: Counter[str] = Counter()

    def check_artists(referenced: list[int], kind: str) -> None:
        for artist_id in referenced:
            if artist_id not in artist_ids and artist_id not in ARTISTS_WITHOUT_RECORD:
                assert artist_id > max(artist_ids), (
                    f"{kind} {artist_id} is neither a record nor a dangling id"
                )
                dangling[kind] += 1

    for release in parsed["releases"]:
        check_artists(ids(release.iterfind("artists/artist/id")), "release_artist")
        check_artists(ids(release.iterfind("extraartists/artist/id")), "credit_artist")
        track_artist_ids = ids(release.iterfind(".//track/artists/artist/id"))
        track_artist_ids += ids(release.iterfind(".//track/extraartists/artist/id"))
        assert {i for i in track_artist_ids if i} <= artist_ids
        for label in release.iterfind("labels/label"):
            label_id = int(label.get("id", ""))
            if label_id not in label_ids:
                assert label_id > max(label_ids)
                dangling["release_label"] += 1
        assert set(ids(release.iterfind("companies/company/id"))) <= label_ids
        assert {int(series.get("id", "")) for series in release.iterfind("series/series")} <= label_ids
        master_id = int(release.findtext("master_id", ""))
        if master_id and master_id not in master_ids:
            assert master_id > max(master_ids)
            dangling["release_master"] += 1
    for master in parsed["masters"]:
        check_artists(ids(master.iterfind("artists/artist/id")), "master_artist")
    for artist in parsed["artists"]:
        for container, kind in (("aliases", "alias"), ("members", "member"), ("groups", "group")):
            referenced = [int(name.get("id", "")) for name in artist.iterfind(f"{container}/name")]
            check_artists(referenced, kind)
    for label in parsed["labels"]:
        for path, kind in (("sublabels/label", "sublabel"), ("parentLabel", "parent_label")):
            for label_id in (int(element.get("id", "")) for element in label.iterfind(path)):
                if label_id not in label_ids:
                    assert label_id > max(label_ids)
                    dangling[kind] += 1

    assert {kind: count for kind, count in manifest.dangling_references.items() if count} == dict(dangling)
    assert sum(dangling.values()) > 0
    assert {int(master.findtext("main_release", "")) for master in parsed["masters"]} <= release_ids


def test_a_zero_dangling_fraction_leaves_only_the_artists_real_dumps_lack(tmp_path: Path) -> None:
    manifest = generate_dump(tmp_path, 300, seed=4, version=VERSION, dangling_fraction=0.0)
    assert set(manifest.dangling_references.values()) == {0}
    assert "194" in manifest.credits_of_artists_without_record  # Various has no artist record


def test_each_master_has_exactly_one_main_release_pointing_back_at_it(
    parsed: dict[str, list[etree._Element]],
) -> None:
    main_release_of = {int(m.get("id", "")): int(m.findtext("main_release", "")) for m in parsed["masters"]}
    mains: Counter[int] = Counter()
    members: Counter[int] = Counter()
    for release in parsed["releases"]:
        master_id = release.find("master_id")
        assert master_id is not None
        if int(master_id.text or "0") in main_release_of:
            members[int(master_id.text or "0")] += 1
            if master_id.get("is_main_release") == "true":
                mains[int(master_id.text or "0")] += 1
                assert main_release_of[int(master_id.text or "0")] == int(release.get("id", ""))
    assert mains == Counter(dict.fromkeys(main_release_of, 1))
    assert max(members.values()) > 1


def test_groups_and_members_aliases_and_label_parents_agree_on_both_sides(
    parsed: dict[str, list[etree._Element]],
) -> None:
    artist_ids = set(ids(artist.find("id") for artist in parsed["artists"]))
    label_ids = set(ids(label.find("id") for label in parsed["labels"]))
    members = {
        (int(name.get("id", "")), int(artist.findtext("id", "")))
        for artist in parsed["artists"]
        for name in artist.iterfind("members/name")
    }
    groups = {
        (int(artist.findtext("id", "")), int(name.get("id", "")))
        for artist in parsed["artists"]
        for name in artist.iterfind("groups/name")
    }
    aliases = {
        (int(artist.findtext("id", "")), int(name.get("id", "")))
        for artist in parsed["artists"]
        for name in artist.iterfind("aliases/name")
    }
    parents = {
        (int(label.findtext("id", "")), int(parent.get("id", "")))
        for label in parsed["labels"]
        for parent in label.iterfind("parentLabel")
    }
    sublabels = {
        (int(sub.get("id", "")), int(label.findtext("id", "")))
        for label in parsed["labels"]
        for sub in label.iterfind("sublabels/label")
    }
    assert members
    assert aliases
    assert parents

    def existing(pairs: set[tuple[int, int]], known: set[int]) -> set[tuple[int, int]]:
        return {(a, b) for a, b in pairs if a in known and b in known}

    assert existing(members, artist_ids) == existing(groups, artist_ids)
    assert existing(aliases, artist_ids) == {(b, a) for a, b in existing(aliases, artist_ids)}
    assert existing(parents, label_ids) == existing(sublabels, label_ids)


def test_relationship_and_node_counts_match_a_count_made_from_the_files(
    dump: Dump, parsed: dict[str, list[etree._Element]]
) -> None:
    """The graph model of SPEC-graph §3 and §8 (id 0 is no entity), counted here independently."""
    _, manifest = dump
    edges: dict[str, set[tuple[str, ...]]] = {kind: set() for kind in manifest.relationships}
    persons: set[str] = set()
    genres: set[str] = set()
    styles: set[str] = set()
    for record_type in ("releases", "masters"):
        for record in parsed[record_type]:
            key = (record_type, record.get("id", ""))
            for credited_id in record.iterfind("artists/artist/id"):
                edges["BY"].add((*key, credited_id.text or ""))
            record_genres = [genre.text or "" for genre in record.iterfind("genres/genre")]
            record_styles = [style.text or "" for style in record.iterfind("styles/style")]
            genres.update(record_genres)
            styles.update(record_styles)
            edges["IS"].update((*key, "genre", genre) for genre in record_genres)
            edges["IS"].update((*key, "style", style) for style in record_styles)
            if len(record_genres) == 1:
                edges["PART_OF"].update((style, record_genres[0]) for style in record_styles)
    for release in parsed["releases"]:
        release_id = release.get("id", "")
        edges["ON"].update((release_id, label.get("id", "")) for label in release.iterfind("labels/label"))
        if (master_id := release.findtext("master_id", "0")) != "0":
            edges["DERIVED_FROM"].add((release_id, master_id))
        for credit in release.iterfind("extraartists/artist"):
            name, role = credit.findtext("name"), credit.findtext("role")
            if name and role:
                persons.add(name)
                edges["CREDITED_ON"].add((name, role, release_id))
    for artist in parsed["artists"]:
        artist_id = artist.findtext("id", "")
        edges["MEMBER_OF"].update((n.get("id", ""), artist_id) for n in artist.iterfind("members/name"))
        edges["MEMBER_OF"].update((artist_id, n.get("id", "")) for n in artist.iterfind("groups/name"))
        edges["ALIAS_OF"].update((n.get("id", ""), artist_id) for n in artist.iterfind("aliases/name"))
    for label in parsed["labels"]:
        label_id = label.findtext("id", "")
        edges["SUBLABEL_OF"].update((label_id, p.get("id", "")) for p in label.iterfind("parentLabel"))
        edges["SUBLABEL_OF"].update((s.get("id", ""), label_id) for s in label.iterfind("sublabels/label"))

    assert {kind: len(pairs) for kind, pairs in edges.items()} == manifest.relationships
    assert manifest.persons == len(persons)
    assert (manifest.genres, manifest.styles) == (len(genres), len(styles))
    assert all(manifest.relationships.values())


def test_artist_and_label_names_are_unique_as_in_discogs(parsed: dict[str, list[etree._Element]]) -> None:
    artist_names = [artist.findtext("name") for artist in parsed["artists"]]
    label_names = [label.findtext("name") for label in parsed["labels"]]
    assert len(set(artist_names)) == len(artist_names)
    assert len(set(label_names)) == len(label_names)
    assert not set(artist_names) & set(ARTISTS_WITHOUT_RECORD.values())


def test_every_release_has_the_elements_of_a_real_release(parsed: dict[str, list[etree._Element]]) -> None:
    required = ("artists", "title", "labels", "formats", "genres", "data_quality", "master_id", "tracklist")
    for release in parsed["releases"]:
        assert release.get("id")
        assert release.get("status") == "Accepted"
        assert all(release.find(child) is not None for child in required), release.get("id")
        assert release.find("tracklist/track") is not None
        assert release.xpath("string(master_id/@is_main_release)") in ("true", "false")
    optional = ("series", "extraartists", "styles", "country", "released", "notes", "identifiers", "videos")
    for child in (*optional, "companies"):
        assert any(release.find(child) is not None for release in parsed["releases"]), child
    released_forms = {released_form(release.findtext("released")) for release in parsed["releases"]}
    assert released_forms == {"YYYY", "YYYY-MM-DD", "YYYY-MM-00", "YYYY-00-00", "empty", "absent"}


def test_text_carries_non_ascii_and_escaped_characters(dump: Dump) -> None:
    out_dir, _ = dump
    xml = "".join(gzip.decompress(dump_file(out_dir, t).read_bytes()).decode() for t in DUMP_TYPES)
    for escaped in ("&amp;", "&lt;", "&gt;", "&quot;", "&#13;"):
        assert escaped in xml
    assert re.search(r"[À-ɏ]", xml)  # accented Latin
    assert re.search(r"[぀-ヿ一-鿿]", xml)  # kana or CJK ideographs
    assert re.search(r"[\U0001F300-\U0001FAFF]", xml)  # emoji


def test_record_sizes_are_close_to_the_real_2020_sample(tmp_path: Path) -> None:
    manifest = generate_dump(tmp_path, 1000, seed=2, version=VERSION)
    for dump_type in DUMP_TYPES:
        with gzip.open(REAL_2020 / f"discogs_20200806_{dump_type}.xml.gz") as handle:
            real_bytes_per_record = len(handle.read()) / 1000
        synthetic = manifest.files[dump_type]
        synthetic_bytes_per_record = int(synthetic["uncompressed_bytes"]) / manifest.records[dump_type]
        assert 0.7 <= synthetic_bytes_per_record / real_bytes_per_record <= 1.3, dump_type


def test_the_files_use_every_element_and_attribute_of_the_real_2025_samples(tmp_path: Path) -> None:
    generate_dump(tmp_path, 3000, seed=1, version=VERSION)
    real = tag_paths(sorted(REAL_2025.glob("*.xml.gz")))
    synthetic = tag_paths([dump_file(tmp_path, dump_type) for dump_type in DUMP_TYPES])
    assert real - synthetic == set()
    # Nothing invented: every synthetic path is in a real dump (2025, or 2020 for the same shapes).
    assert synthetic - real - tag_paths(sorted(REAL_2020.glob("*.xml.gz"))) == set()
