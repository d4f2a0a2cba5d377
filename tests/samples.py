"""Where the real sample dumps live: `shared/data/samples` beside the repository, never copied in."""

from __future__ import annotations

from pathlib import Path


def samples_dir() -> Path:
    """The shared samples directory (`discogs/`, `musicbrainz/` and their README)."""
    return Path(__file__).resolve().parents[1].parent / "shared" / "data" / "samples"


# Records per sample dump file, as the samples README gives them.
DISCOGS_SAMPLE_COUNTS: dict[str, int] = {
    "xml2db_20200806/discogs_20200806_artists.xml.gz": 1000,
    "xml2db_20200806/discogs_20200806_labels.xml.gz": 1000,
    "xml2db_20200806/discogs_20200806_masters.xml.gz": 1000,
    "xml2db_20200806/discogs_20200806_releases.xml.gz": 1000,
    "xml2db_20170401_head50/discogs_20170401_artists.xml.gz": 27,
    "xml2db_20170401_head50/discogs_20170401_labels.xml.gz": 5,
    "xml2db_20170401_head50/discogs_20170401_masters.xml.gz": 47,
    "xml2db_20170401_head50/discogs_20170401_releases.xml.gz": 10,
    "tgmz_2025/discogs_artists.xml.gz": 19,
    "tgmz_2025/discogs_labels.xml.gz": 9,
    "tgmz_2025/discogs_masters.xml.gz": 4,
    "tgmz_2025/discogs_releases.xml.gz": 11,
}


def discogs_sample_counts(dump_set: str) -> dict[str, int]:
    """Records per data type in one sample dump set (a folder of discogs/)."""
    counts: dict[str, int] = {}
    for relative, count in DISCOGS_SAMPLE_COUNTS.items():
        folder, _, name = relative.partition("/")
        if folder == dump_set:
            data_type = name.removesuffix(".xml.gz").rsplit("_", 1)[-1]
            counts[data_type] = count
    return counts
