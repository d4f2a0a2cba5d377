"""One extraction at a time: the Discogs and the MusicBrainz extractor take turns.

Both download tens of gigabytes, parse with every core they get and fill the same broker, so they
never run together. The reference polls the other extractor's /health; we hold an exclusive
`flock` on one lock file, by default `<DISCOGSOGRAPHY_DATA_DIR>/.extraction.lock`
(EXTRACTION_LOCK_FILE), for the whole of a run. The kernel drops the lock when its process dies,
so a killed run never leaves a stale lock behind. Extractors on different machines share it only
through a shared file system that supports flock.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

POLL_SECONDS = 2.0
"""How often a waiting extractor tries the lock again."""


@asynccontextmanager
async def exclusive_extraction(
    path: Path, holder: str, poll_seconds: float = POLL_SECONDS
) -> AsyncIterator[None]:
    """Hold the extraction lock for the block, waiting (without blocking the loop) while another
    process holds it; the file says who holds it, for the person who wonders why we wait."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    handle.seek(0)
                    log.info("extraction_waiting_for_lock", lock=str(path), held_by=handle.read().strip())
                    waited = True
                await asyncio.sleep(poll_seconds)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{holder} (pid {os.getpid()}) since {datetime.now(UTC).isoformat()}\n")
            handle.flush()
            if waited:
                log.info("extraction_lock_taken", lock=str(path))
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
