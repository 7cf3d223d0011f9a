"""Column names and dtypes of the canonical data (DESIGN.md section 4). Vendor column names
never leave their reader; everything after a reader speaks these names."""

from __future__ import annotations

import polars as pl

UTC_DATETIME = pl.Datetime("us", "UTC")

# One row per held meeting instance.
MEETINGS: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "instance_key": pl.String(),
    "series_key": pl.String(),
    "institution_id": pl.String(),  # null: unmapped
    "host_hash": pl.String(),  # keyed HMAC of the lower-cased host e-mail; null: source has no host
    "start_utc": UTC_DATETIME,
    "end_utc": UTC_DATETIME,
    "local_date": pl.Date(),
    "minutes": pl.Int32(),
    "participants": pl.Int32(),
    "participant_minutes": pl.Int64(),
    "source_file": pl.String(),
}

# What a meeting-level reader hands to the pipeline: canonical fields before the institution
# mapping and pseudonymisation, plus the keys those steps need. Dropped after mapping.
READER_MEETINGS: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "instance_key": pl.String(),
    "series_key": pl.String(),
    "host_email": pl.String(),  # as written: monitor.ingest.hosts strips and lower-cases it
    "zoom_group": pl.String(),  # in-account institution keys: the host's Zoom group ...
    "department": pl.String(),  # ... and department
    "start_utc": UTC_DATETIME,
    "end_utc": UTC_DATETIME,
    "minutes": pl.Int32(),
    "participants": pl.Int32(),
    "participant_minutes": pl.Int64(),
}

# One row per institution and covered day.
DAILY: dict[str, pl.DataType] = {
    "institution_id": pl.String(),
    "date": pl.Date(),
    "meetings": pl.Int64(),
    "participants": pl.Int64(),
    "meeting_minutes": pl.Int64(),
    "active_hosts": pl.Int64(),  # null where the source does not carry hosts
}


# Aggregate sources (plain daily CSV, Zoom report/daily) deliver daily rows directly.
REPORTED_DAILY: dict[str, pl.DataType] = {**DAILY, "platform": pl.String()}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast exactly the schema's columns, in order."""
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])
