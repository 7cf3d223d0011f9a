"""Ad-hoc questions for data staff: daily metrics with filters, and SQL over the tables
`daily`, `institutions` and `coverage` (polars SQL)."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl

from monitor.directory import directory_frame
from monitor.errors import QueryError
from monitor.home import Home
from monitor.schema import DAILY
from monitor.state import connect
from monitor.store import scan_coverage, scan_daily

FORMATS = ("table", "csv", "json")
# Statements that only read. polars SQL would also run CREATE/DROP/DELETE/TRUNCATE on its
# in-memory copies and print a reassuring table; `monitor sql` refuses them instead.
READ_STATEMENTS = ("SELECT", "WITH", "VALUES", "SHOW", "EXPLAIN")
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


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
    rows = frame.select(list(DAILY)).sort("institution_id", "date").collect()
    if institution and rows.is_empty():
        require_institution(home, institution)  # a typo is an error, not an empty answer
    return rows


def require_institution(home: Home, institution_id: str) -> None:
    """Raise QueryError unless the id is in the directory or in the stored daily metrics."""
    with connect(home.state_db) as conn:
        listed = not directory_frame(conn).filter(pl.col("institution_id") == institution_id).is_empty()
    if listed or not scan_daily(home).filter(pl.col("institution_id") == institution_id).head(1).collect().is_empty():
        return
    raise QueryError(f"institution '{institution_id}' is not in the directory or the data; check the id "
                     "(`monitor daily` lists what is stored)")


def statement_kind(query: str) -> str:
    """The first keyword of a statement, upper case (comments and opening brackets skipped)."""
    found = re.match(r"[A-Za-z]+", _COMMENT.sub(" ", query).lstrip(" \t\r\n("))
    return found.group(0).upper() if found else ""


def run_sql(home: Home, query: str) -> pl.DataFrame:
    kind = statement_kind(query)
    if not kind:
        raise QueryError("the query is empty; write a SELECT over the tables daily, institutions, coverage")
    if kind not in READ_STATEMENTS:
        raise QueryError(f"`monitor sql` only reads, and this is a {kind} statement; write a SELECT "
                         "over the tables daily, institutions, coverage")
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
