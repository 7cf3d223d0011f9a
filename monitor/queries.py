"""Ad-hoc questions for data staff: daily metrics with filters, and SQL over the tables
`daily`, `institutions` and `coverage` (polars SQL)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from monitor.directory import directory_frame
from monitor.errors import QueryError
from monitor.home import Home
from monitor.schema import DAILY
from monitor.state import connect
from monitor.store import scan_coverage, scan_daily

FORMATS = ("table", "csv", "json")


def daily_rows(home: Home, start: dt.date | None = None, end: dt.date | None = None,
               institution: str | None = None, region: str | None = None) -> pl.DataFrame:
    frame = scan_daily(home)
    if start:
        frame = frame.filter(pl.col("date") >= start)
    if end:
        frame = frame.filter(pl.col("date") <= end)
    if institution:
        frame = frame.filter(pl.col("institution_id") == institution)
    if region:
        with connect(home.state_db) as conn:
            members = directory_frame(conn).filter(pl.col("region") == region)["institution_id"]
        frame = frame.filter(pl.col("institution_id").is_in(members.implode()))
    return frame.select(list(DAILY)).sort("institution_id", "date").collect()


def run_sql(home: Home, query: str) -> pl.DataFrame:
    with connect(home.state_db) as conn:
        institutions = directory_frame(conn)
    # Lazy tables: a query reads only the columns and rows it needs. Coverage (one row per
    # institution and covered day once expanded) is not even read unless the query names it.
    tables = {"daily": scan_daily(home), "institutions": institutions}
    if "coverage" in query.lower():
        tables["coverage"] = scan_coverage(home)
    context = pl.SQLContext(tables, eager=True)
    try:
        return context.execute(query)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryError(f"the query failed ({detail}); tables are daily, institutions, coverage") from None


def render(frame: pl.DataFrame, fmt: str, json_key: str = "rows") -> str:
    """A frame as an aligned table, CSV, or JSON `{json_key: [rows]}` with YYYY-MM-DD dates."""
    if fmt == "csv":
        return frame.write_csv(date_format="%Y-%m-%d")
    if fmt == "json":
        rows = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d")).to_dicts()
        return json.dumps({json_key: rows}, ensure_ascii=False, indent=1, default=str)
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_dataframe_shape=True,
                   tbl_hide_column_data_types=True, tbl_width_chars=200, fmt_str_lengths=60):
        return str(frame)
