"""The registry: every supported source format, tried in this order on a file's content."""

from __future__ import annotations

from monitor.ingest.readers import zoom_history
from monitor.ingest.readers.base import Reader

READERS: tuple[Reader, ...] = (
    zoom_history.READER,
)


def sniff(head) -> Reader | None:
    for reader in READERS:
        if reader.sniff(head):
            return reader
    return None
