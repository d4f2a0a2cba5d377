"""MusicBrainz JSON dumps as the extractor sees them (SPEC-ingest §9): files, versions, messages.

A dump is a directory `YYYYMMDD-HHMMSS` holding one `<entity>.tar.xz` per entity, whose member
`mbdump/<entity>` has one JSON object per line. We take four entities and publish them to four
exchanges (`artists`, `labels`, `release-groups`, `releases`), each line turned into the flat
record of §9: a few fields renamed, areas reduced to their names, relations reduced to their
targets, URL relations split into the Discogs id and the other external links. There is no
normalizer or hash stage for MusicBrainz: a record's `sha256` is "" (SPEC-ingest §5).

Decisions where the spec leaves room:
- A Discogs URL counts when it is `http(s)://[www.]discogs.com/<kind>/<digits>` followed by the
  end, `-slug`, `/`, `?` or `#`; the id must be positive. Name-only legacy URLs give no id.
- Of several Discogs links of the right kind, the first one that has not ended wins; when all have
  ended, the first one (an ended link still names the same Discogs entity).
- Discogs ids travel as JSON integers, as the reference's extractor writes them.
- Every field of §9 is present in every record: absent source fields are null, `relations` and
  `external_links` are lists (empty when there is none), `life_span` is always an object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from domain.dumps import DumpError

JsonObject = dict[str, Any]

MUSICBRAINZ_DUMP_TYPES: tuple[str, ...] = ("artists", "labels", "release-groups", "releases")
"""The four entity files we extract, in the order they are read (artists first: pass 1 reads them)."""

ENTITY_OF_TYPE: Mapping[str, str] = {
    "artists": "artist",
    "labels": "label",
    "release-groups": "release-group",
    "releases": "release",
}
"""The MusicBrainz entity name (file and tar member name) of each data type."""

TYPE_OF_ENTITY: Mapping[str, str] = {entity: data_type for data_type, entity in ENTITY_OF_TYPE.items()}

DISCOGS_KIND_OF_TYPE: Mapping[str, str] = {
    "artists": "artist",
    "labels": "label",
    "release-groups": "master",
    "releases": "release",
}
"""Which Discogs URL path names the entity's counterpart (a release group is a Discogs master)."""

DISCOGS_ID_FIELD: Mapping[str, str] = {
    "artists": "discogs_artist_id",
    "labels": "discogs_label_id",
    "release-groups": "discogs_master_id",
    "releases": "discogs_release_id",
}
"""The record field that carries the matched Discogs id (null when there is none)."""

TARGET_DISCOGS_ARTIST_ID = "target_discogs_artist_id"
"""Added to the artist-to-artist relations of the artist file only (from the pass 1 map)."""

CHECKSUM_FILE_NAME = "SHA256SUMS"


class NoCompleteMusicBrainzDumpError(DumpError):
    """No recent version publishes a SHA256SUMS that lists the four entity archives."""

    def __init__(self, source: str, versions_seen: Iterable[str]) -> None:
        seen = ", ".join(versions_seen) or "none"
        super().__init__(
            f"no complete MusicBrainz JSON dump (SHA256SUMS listing {', '.join(ENTITY_OF_TYPE.values())} "
            f"archives) at {source}; versions checked: {seen}"
        )
        self.source = source


_VERSION = re.compile(r"\d{8}-\d{6}")
_DISCOGS_URL = re.compile(r"https?://(?:www\.)?discogs\.com/(?P<kind>[a-z]+)/(?P<id>\d+)(?:[-/?#].*)?")
_LOCAL_FILE = re.compile(
    r"(?:mbdump-)?(?P<entity>artist|label|release-group|release)(?P<suffix>\.jsonl\.xz|\.jsonl|\.tar\.xz)"
)
# When a directory holds several forms of one entity, the re-packed one is read.
_SUFFIX_PREFERENCE = (".jsonl.xz", ".jsonl", ".tar.xz")


def is_version(name: str) -> bool:
    """Whether `name` is a dump directory name, `YYYYMMDD-HHMMSS`."""
    return _VERSION.fullmatch(name) is not None


def versions_newest_first(names: Iterable[str]) -> list[str]:
    """The dump versions among `names` (a trailing `/` allowed), newest first, each once."""
    return sorted({name.rstrip("/") for name in names if is_version(name.rstrip("/"))}, reverse=True)


def tar_name(data_type: str) -> str:
    """The published archive of a data type: `release-group.tar.xz`."""
    return f"{ENTITY_OF_TYPE[data_type]}.tar.xz"


def jsonl_xz_name(data_type: str) -> str:
    """The re-packed member the downloader keeps: `release-group.jsonl.xz`."""
    return f"{ENTITY_OF_TYPE[data_type]}.jsonl.xz"


def file_data_type(name: str) -> str | None:
    """The data type of a local dump file name (`artist.jsonl.xz`, `mbdump-label.jsonl.xz`,
    `release.jsonl`, `release-group.tar.xz`), or None for any other name."""
    match = _LOCAL_FILE.fullmatch(name)
    return TYPE_OF_ENTITY[match["entity"]] if match is not None else None


def local_musicbrainz_files(names: Iterable[str]) -> dict[str, str]:
    """The file to read per data type among a directory's file names, in MUSICBRAINZ_DUMP_TYPES order.

    A re-packed `.jsonl.xz` is preferred to a plain `.jsonl`, and both to the `.tar.xz`. Raises
    DumpError when no entity file is there at all.
    """
    candidates: dict[str, list[str]] = {}
    for name in names:
        match = _LOCAL_FILE.fullmatch(name)
        if match is not None:
            candidates.setdefault(TYPE_OF_ENTITY[match["entity"]], []).append(name)
    if not candidates:
        raise DumpError(
            "no MusicBrainz dump files (artist.jsonl.xz, label.jsonl, release-group.tar.xz, ...) found"
        )

    def preference(name: str) -> tuple[int, str]:
        rank = next(i for i, suffix in enumerate(_SUFFIX_PREFERENCE) if name.endswith(suffix))
        return rank, name

    return {
        data_type: min(candidates[data_type], key=preference)
        for data_type in MUSICBRAINZ_DUMP_TYPES
        if data_type in candidates
    }


# --- Discogs ids ---------------------------------------------------------------------------------


def discogs_id_in_url(url: str, kind: str) -> int | None:
    """The Discogs id a URL names when it points at a `kind` page (artist, label, master, release)."""
    match = _DISCOGS_URL.fullmatch(url.strip())
    if match is None or match["kind"] != kind:
        return None
    discogs_id = int(match["id"])
    return discogs_id if discogs_id > 0 else None


def discogs_link(entity: Mapping[str, Any], kind: str) -> int | None:
    """The Discogs id of the entity's `discogs` URL relations: the first live one, else the first."""
    first_ended: int | None = None
    for relation in _objects(entity.get("relations")):
        if relation.get("target-type") != "url" or relation.get("type") != "discogs":
            continue
        discogs_id = discogs_id_in_url(_resource(relation) or "", kind)
        if discogs_id is None:
            continue
        if relation.get("ended") is not True:
            return discogs_id
        if first_ended is None:
            first_ended = discogs_id
    return first_ended


# --- the record of §9 ----------------------------------------------------------------------------


def musicbrainz_record(
    data_type: str, entity: Mapping[str, Any], artist_links: Mapping[str, int]
) -> JsonObject:
    """The record published for one dump line (its `id` is the MBID); `artist_links` maps an
    artist MBID to its Discogs artist id (pass 1), and is used for the artist file only."""
    relations, external_links = _relations(data_type, entity, artist_links)
    discogs_id = discogs_link(entity, DISCOGS_KIND_OF_TYPE[data_type])
    common = {"id": entity["id"], DISCOGS_ID_FIELD[data_type]: discogs_id}
    tail = {"relations": relations, "external_links": external_links}
    if data_type == "artists":
        return {
            **common,
            "name": entity.get("name"),
            "sort_name": entity.get("sort-name"),
            "mb_type": entity.get("type"),
            "gender": entity.get("gender"),
            "life_span": _life_span(entity),
            "area": _name(entity.get("area")),
            "begin_area": _name(entity.get("begin-area", entity.get("begin_area"))),
            "end_area": _name(entity.get("end-area", entity.get("end_area"))),
            "disambiguation": entity.get("disambiguation"),
            "aliases": entity.get("aliases"),
            "tags": entity.get("tags"),
            **tail,
        }
    if data_type == "labels":
        return {
            **common,
            "name": entity.get("name"),
            "mb_type": entity.get("type"),
            "label_code": entity.get("label-code"),
            "life_span": _life_span(entity),
            "area": _name(entity.get("area")),
            "disambiguation": entity.get("disambiguation"),
            **tail,
        }
    if data_type == "release-groups":
        return {
            **common,
            "name": entity.get("title"),
            "mb_type": entity.get("primary-type"),
            "secondary_types": entity.get("secondary-types"),
            "first_release_date": entity.get("first-release-date"),
            "disambiguation": entity.get("disambiguation"),
            **tail,
        }
    if data_type == "releases":
        release_group = entity.get("release-group")
        return {
            **common,
            "name": entity.get("title"),
            "disambiguation": entity.get("disambiguation"),
            "barcode": entity.get("barcode"),
            "status": entity.get("status"),
            "release_group_mbid": release_group.get("id") if isinstance(release_group, dict) else None,
            "aliases": entity.get("aliases"),
            "tags": entity.get("tags"),
            **tail,
        }
    raise ValueError(f"not a MusicBrainz data type: {data_type!r}")


def _relations(
    data_type: str, entity: Mapping[str, Any], artist_links: Mapping[str, int]
) -> tuple[list[JsonObject], list[JsonObject]]:
    """(relations to other entities, external links other than Discogs), in the line's order."""
    relations: list[JsonObject] = []
    external_links: list[JsonObject] = []
    for relation in _objects(entity.get("relations")):
        raw_target_type = relation.get("target-type")
        if raw_target_type == "url":
            url = _resource(relation)
            if relation.get("type") != "discogs" and url is not None:
                external_links.append({"service": relation.get("type"), "url": url})
            continue
        if not isinstance(raw_target_type, str):
            continue
        target = relation.get(raw_target_type)
        target_type = raw_target_type.replace("_", "-")
        row: JsonObject = {
            "type": relation.get("type"),
            "target_type": target_type,
            "target_mbid": target.get("id") if isinstance(target, dict) else None,
            "direction": relation.get("direction"),
            "attributes": relation.get("attributes"),
            "begin_date": relation.get("begin"),
            "end_date": relation.get("end"),
            "ended": relation.get("ended"),
        }
        if data_type == "artists" and target_type == "artist":
            target_mbid = row["target_mbid"]
            row[TARGET_DISCOGS_ARTIST_ID] = (
                artist_links.get(target_mbid) if isinstance(target_mbid, str) else None
            )
        relations.append(row)
    return relations, external_links


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _resource(relation: Mapping[str, Any]) -> str | None:
    url = relation.get("url")
    resource = url.get("resource") if isinstance(url, dict) else None
    return resource if isinstance(resource, str) and resource else None


def _name(area: Any) -> Any:
    return area.get("name") if isinstance(area, dict) else None


def _life_span(entity: Mapping[str, Any]) -> JsonObject:
    life_span = entity.get("life-span")
    if not isinstance(life_span, dict):
        life_span = {}
    return {"begin": life_span.get("begin"), "end": life_span.get("end"), "ended": life_span.get("ended")}
