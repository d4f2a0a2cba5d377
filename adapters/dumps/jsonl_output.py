"""Records to files instead of a broker: `<out>/<data_type>.jsonl`, one record per line.

For people who want the normalized records without any database. Each line is the record as a
`data` message carries it (`id`, `sha256`, then its fields), so the files hold exactly what the
bus would have carried. A run rewrites its files from the start.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import orjson

from domain.messages import ExtractionComplete, FileComplete, Message, RecordBatch, Topic, record_to_json


class JsonlOutput:
    """A Publisher (domain.extract) that appends each batch to its type's JSON Lines file."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._files: dict[str, BinaryIO] = {}

    def path(self, data_type: str) -> Path:
        return self._directory / f"{data_type}.jsonl"

    def _file(self, data_type: str) -> BinaryIO:
        handle = self._files.get(data_type)
        if handle is None:
            self._directory.mkdir(parents=True, exist_ok=True)
            handle = self.path(data_type).open("wb")
            self._files[data_type] = handle
        return handle

    async def publish(self, topic: Topic, message: Message) -> None:
        match message:
            case RecordBatch(records=records):
                lines = b"".join(orjson.dumps(record_to_json(record)) + b"\n" for record in records)
                self._file(topic.data_type).write(lines)
            case FileComplete():
                handle = self._file(topic.data_type)
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
                del self._files[topic.data_type]
            case ExtractionComplete():
                pass  # nothing to announce: the files are complete once each FileComplete is written

    async def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
