"""The registry: every supported source format, tried in this order on a file's content.
Sniffers are mutually exclusive (tests check it), so the order only decides speed."""

from __future__ import annotations

from monitor.ingest.readers import daily_csv, zoom_api, zoom_history, zoom_participants
from monitor.ingest.readers.base import Reader

READERS: tuple[Reader, ...] = (
    zoom_history.READER,
    zoom_participants.READER,
    daily_csv.READER,
    zoom_api.MEETINGS_READER,
    zoom_api.DAILY_READER,
)


def sniff(head) -> Reader | None:
    for reader in READERS:
        if reader.sniff(head):
            return reader
    return None
