"""The extraction state of one dump version, kept as a JSON file beside the dump files."""

from __future__ import annotations

import json
from pathlib import Path

import structlog

from adapters.atomic_file import write_atomically
from domain.extraction_state import ExtractionState, StateFormatError

log = structlog.get_logger(__name__)


class StateMarkerFile:
    """`<root>/<prefix><version>.json`, replaced atomically on every save.

    The prefix is the reference's: `.extraction_status_` for Discogs, `.mb_extraction_status_` for
    MusicBrainz (SPEC-ingest §7).
    """

    def __init__(self, root: Path, prefix: str = ".extraction_status_") -> None:
        self._root = root
        self._prefix = prefix

    def path(self, version: str) -> Path:
        return self._root / f"{self._prefix}{version}.json"

    def load(self, version: str) -> ExtractionState | None:
        """The saved state, or None when there is none; a corrupt file is set aside as `.corrupt`."""
        path = self.path(version)
        try:
            document = json.loads(path.read_bytes())
            state = ExtractionState.from_document(document)
        except FileNotFoundError:
            return None
        except (ValueError, StateFormatError) as error:
            corrupt = path.with_name(path.name + ".corrupt")
            path.replace(corrupt)
            log.warning(
                "extraction_state_unreadable", path=str(path), moved_to=str(corrupt), error=str(error)
            )
            return None
        if state.version != version:
            log.warning("extraction_state_other_version", path=str(path), found=state.version)
            return None
        return state

    def save(self, state: ExtractionState, *, durable: bool = False) -> None:
        """Progress saves skip fsync (a killed process keeps the rename); file ends ask for `durable`."""
        self._root.mkdir(parents=True, exist_ok=True)
        content = json.dumps(state.to_document(), indent=2, sort_keys=True).encode("utf-8")
        write_atomically(self.path(state.version), content, durable=durable)
