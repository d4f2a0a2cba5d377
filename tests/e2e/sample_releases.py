"""What the sample dump says, read straight from its XML: the expectations the browser tests hold
the page to, computed without the product's own reader."""

from __future__ import annotations

import gzip
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from lxml import etree

from applications.demo import BUNDLED_DUMP

RELEASES_FILE = "discogs_20200806_releases.xml.gz"
FIRST_YEAR = 1860
"""Years outside FIRST_YEAR..next year are no year at all (SPEC-ingest, consumer normalize)."""


@dataclass(frozen=True)
class Release:
    id: str
    title: str
    year: int | None
    artists: tuple[str, ...]
    """Names of the main (BY) artists, in dump order, without repeats."""
    artist_ids: tuple[str, ...]
    labels: tuple[str, ...]
    genres: tuple[str, ...]
    styles: tuple[str, ...]


def _year(released: str | None) -> int | None:
    head = (released or "")[:4]
    if not head.isdigit():
        return None
    year = int(head)
    return year if FIRST_YEAR <= year <= datetime.now(UTC).year + 1 else None


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


@cache
def releases(dump_dir: Path = BUNDLED_DUMP) -> tuple[Release, ...]:
    """Every release of the sample dump the demo loads."""
    found: list[Release] = []
    with gzip.open(dump_dir / RELEASES_FILE) as stream:
        for _, element in etree.iterparse(stream, tag="release"):
            artists = element.findall("artists/artist")
            found.append(
                Release(
                    id=element.get("id", ""),
                    title=element.findtext("title") or "",
                    year=_year(element.findtext("released")),
                    artists=_unique([artist.findtext("name") or "" for artist in artists]),
                    artist_ids=_unique([artist.findtext("id") or "" for artist in artists]),
                    labels=_unique([label.get("name", "") for label in element.findall("labels/label")]),
                    genres=_unique([genre.text or "" for genre in element.findall("genres/genre")]),
                    styles=_unique([style.text or "" for style in element.findall("styles/style")]),
                )
            )
            element.clear()
    return tuple(found)


def by_artist(artist_id: str) -> list[Release]:
    return [release for release in releases() if artist_id in release.artist_ids]


def by_id(release_id: str) -> Release:
    return next(release for release in releases() if release.id == release_id)


def yearly_counts(matching: list[Release]) -> dict[int, int]:
    """Releases per year (years with a value only), as /api/trends counts them."""
    counts = Counter(release.year for release in matching if release.year is not None)
    return dict(sorted(counts.items()))


def first_years(kind: str) -> dict[str, int]:
    """The first year each genre (kind "genres") or style ("styles") appears on a dated release."""
    first: dict[str, int] = {}
    for release in releases():
        if release.year is None:
            continue
        for name in getattr(release, kind):
            first[name] = min(first.get(name, release.year), release.year)
    return first


def genre_release_counts() -> Counter[str]:
    return Counter(genre for release in releases() for genre in release.genres)
