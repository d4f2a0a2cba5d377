"""Replace a small file so that a reader, or a process killed midway, sees the old or the new
content, never a mix (download metadata, extraction state markers)."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, content: bytes, *, durable: bool = True) -> None:
    """Write via a temporary file and a rename.

    `durable` also fsyncs the file and its directory, so the new content survives a power loss;
    without it the rename alone already survives the writing process being killed.
    """
    temporary_path = path.with_name(path.name + ".tmp")
    with temporary_path.open("wb") as handle:
        handle.write(content)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    temporary_path.replace(path)
    if durable:
        sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable."""
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)
