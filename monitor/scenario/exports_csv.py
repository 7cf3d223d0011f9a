"""Zoom web-portal CSV exports and the plain daily CSV, byte-realistic (formats.md 1.1, 1.2).

Every writer returns bytes in one of the encoding variants:
- "utf8": UTF-8, no BOM;
- "utf8-bom": UTF-8 with BOM (what Zoom itself emits);
- "utf16": UTF-16 little-endian with BOM, comma-separated;
- "excel": an Excel re-save under a Ukrainian locale: cp1251, ';' delimiter, rows padded with
  delimiters to the widest row, dates rewritten as DD.MM.YYYY HH:MM (seconds lost). Duration
  columns keep the true values.

Large flat files go through polars' CSV writer; headers are written by hand because Zoom
repeats column names (two `Duration (minutes)`, two `User Email`).
"""

from __future__ import annotations

import codecs
import io

import polars as pl

ZONE = "Europe/Kyiv"
VARIANTS = ("utf8", "utf8-bom", "utf16", "excel")

MLD_CURRENT_HEAD = [
    "Topic", "Type", "ID", "Host name", "Host email", "Start time", "End time", "Participants",
    "Duration (minutes)", "Total participant minutes", "Department", "Group", "Source",
    "Unique viewers", "Max concurrent views", "Creation time",
]
MLD_CURRENT_TAIL = [
    "Name (original name)", "Email", "Join time", "Leave time", "Duration (minutes)", "Guest",
    "Recording disclaimer response", "In waiting room",
]
MLD_LEGACY = [
    "Topic", "Meeting ID", "User Name", "User Email", "Department", "Group", "Has Zoom Rooms",
    "Creation Time", "Start Time", "End Time", "Duration (Minutes)", "Participants",
    "Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)", "Guest",
    "Recording Consent", "In Waiting Room",
]
PM_CURRENT_MEETING = ["Topic", "ID", "Host", "Duration (minutes)", "Start time", "End time",
                      "Participants"]
PM_CURRENT_PEOPLE = ["Name (original name)", "Email", "Join time", "Leave time",
                     "Duration (minutes)", "Guest", "In waiting room"]
PM_UNIQUE_PEOPLE = ["Name (original name)", "Email", "Total duration (minutes)", "Guest"]
PM_LEGACY_MEETING = ["Meeting ID", "Topic", "Start Time", "End Time", "User Email",
                     "Duration (Minutes)", "Participants", ""]
PM_LEGACY_PEOPLE = ["Name (Original Name)", "User Email", "Join Time", "Leave Time",
                    "Duration (Minutes)", "Guest", "Recording Consent", "In Waiting Room"]
DAILY_HEAD = ["institution_id", "date", "meetings", "participants", "meeting_minutes",
              "active_hosts"]


def local_text(column: str, variant: str) -> pl.Expr:
    """A UTC datetime column as the naive local text Zoom (or Excel) writes."""
    fmt = "%d.%m.%Y %H:%M" if variant == "excel" else "%m/%d/%Y %I:%M:%S %p"
    return pl.col(column).dt.convert_time_zone(ZONE).dt.strftime(fmt)


def _yes_no(column: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit("Yes")).otherwise(pl.lit("No"))


def _spaced(column: str) -> pl.Expr:
    """Meeting number as the legacy UI shows it: `852 1848 6288` (11 digits), `852 184 6288`."""
    s = pl.col(column).cast(pl.String)
    eleven = s.str.slice(0, 3) + " " + s.str.slice(3, 4) + " " + s.str.slice(7)
    ten = s.str.slice(0, 3) + " " + s.str.slice(3, 3) + " " + s.str.slice(6)
    return pl.when(s.str.len_chars() == 11).then(eleven).otherwise(ten)


def _rows(meetings: pl.DataFrame, joins: pl.DataFrame, directory: pl.DataFrame) -> pl.DataFrame:
    """Join rows with their meeting's columns repeated, in start order."""
    groups = directory.select("institution_id", pl.col("zoom_group").fill_null(""),
                              pl.col("name").alias("institution_name"))
    return (joins.join(meetings, on="mid", how="inner")
            .join(groups, on="institution_id", how="left")
            .sort("start_utc", "mid", "join_utc", "person"))


def meetinglistdetails(meetings: pl.DataFrame, joins: pl.DataFrame, directory: pl.DataFrame,
                       *, layout: str = "current", custom: tuple[str, ...] = (),
                       variant: str = "utf8-bom") -> bytes:
    """The Active Hosts / meeting history export with participant details: one row per
    participant join, meeting columns repeated (formats.md 1.2)."""
    rows = _rows(meetings, joins, directory)
    t = lambda c: local_text(c, variant)  # noqa: E731
    if layout == "current":
        attrs = {
            "EmpID": pl.lit("T") + pl.col("host_email").hash(7).mod(100000).cast(pl.String)
            .str.zfill(5),
            "MajorUnit": pl.col("institution_name"),
        }
        cols = [
            pl.col("topic"), pl.lit("Meeting"), pl.col("meeting_id").cast(pl.String),
            pl.col("host_name"), pl.col("host_email"), t("start_utc"), t("end_utc"),
            pl.col("participants").cast(pl.String), pl.col("minutes").cast(pl.String),
            pl.col("participant_minutes").cast(pl.String), pl.col("zoom_group"),
            pl.col("zoom_group"), pl.lit("Zoom"), pl.lit(""), pl.lit(""), t("created_utc"),
            *[attrs.get(name, pl.lit("")) for name in custom],
            pl.when(pl.col("is_host")).then(pl.col("name") + " (Host)").otherwise(pl.col("name")),
            pl.col("email"), t("join_utc"), t("leave_utc"), pl.col("seg_minutes").cast(pl.String),
            _yes_no("guest"), pl.lit(""), _yes_no("waiting"),
        ]
        header = MLD_CURRENT_HEAD + list(custom) + MLD_CURRENT_TAIL
    elif layout == "legacy":
        cols = [
            pl.col("topic"), _spaced("meeting_id"), pl.col("host_name"), pl.col("host_email"),
            pl.col("zoom_group"), pl.col("zoom_group"), pl.lit("No"), t("created_utc"),
            t("start_utc"), t("end_utc"), pl.col("minutes").cast(pl.String),
            pl.col("participants").cast(pl.String), pl.col("name"), pl.col("email"),
            t("join_utc"), t("leave_utc"), pl.col("seg_minutes").cast(pl.String),
            _yes_no("guest"), pl.lit(""), _yes_no("waiting"),
        ]
        header = MLD_LEGACY
    else:
        raise ValueError(f"unknown meetinglistdetails layout {layout!r}")
    body = _select(rows, *cols)
    return encode([(header, body)], variant)


def participants_export(meeting: pl.DataFrame, joins: pl.DataFrame, *, form: str = "current",
                        variant: str = "utf8-bom") -> bytes:
    """One meeting's "Participants > Export" file with meeting data (formats.md 1.1):
    form "current" (two sections), "legacy" (trailing commas) or "unique" (one row per person).
    `meeting` has exactly one row."""
    t = lambda c: local_text(c, variant)  # noqa: E731
    people = joins.filter(pl.col("mid") == meeting["mid"][0]).sort("join_utc", "person")
    host_label = (pl.when(pl.col("is_host")).then(pl.col("name") + " (Host)")
                  .otherwise(pl.col("name")))
    if form == "legacy":
        head = _select(meeting,
            pl.col("meeting_id").cast(pl.String), pl.col("topic"), t("start_utc").alias("s"),
            t("end_utc").alias("e"), pl.col("host_email"), pl.col("minutes").cast(pl.String),
            pl.col("participants").cast(pl.String), pl.lit("").alias("trail"))
        body = _select(people, pl.col("name"), pl.col("email"), t("join_utc").alias("j"),
                             t("leave_utc").alias("l"), pl.col("seg_minutes").cast(pl.String),
                             _yes_no("guest"), pl.lit("").alias("consent"), _yes_no("waiting"))
        return encode([(PM_LEGACY_MEETING, head), None, (PM_LEGACY_PEOPLE, body)], variant)
    head = _select(meeting,
        pl.col("topic"), pl.col("meeting_id").cast(pl.String),
        (pl.col("host_name") + " (" + pl.col("host_email") + ")").alias("host"),
        pl.col("minutes").cast(pl.String), t("start_utc").alias("s"), t("end_utc").alias("e"),
        pl.col("participants").cast(pl.String))
    if form == "current":
        body = _select(people, host_label.alias("n"), pl.col("email"), t("join_utc").alias("j"),
                             t("leave_utc").alias("l"), pl.col("seg_minutes").cast(pl.String),
                             _yes_no("guest"), _yes_no("waiting"))
        return encode([(PM_CURRENT_MEETING, head), None, (PM_CURRENT_PEOPLE, body)], variant,
                      quote_times=variant != "excel")
    if form == "unique":
        body = (people.filter(~pl.col("waiting"))
                .group_by("person", maintain_order=True)
                .agg(host_label.first().alias("n"), pl.col("email").first(),
                     pl.col("seg_minutes").sum().cast(pl.String).alias("d"),
                     _yes_no("guest").first().alias("g"))
                .drop("person"))
        return encode([(PM_CURRENT_MEETING, head), None, (PM_UNIQUE_PEOPLE, body)], variant,
                      quote_times=variant != "excel")
    raise ValueError(f"unknown participant export form {form!r}")


def daily_csv(daily: pl.DataFrame, *, with_hosts: bool = True, variant: str = "utf8") -> bytes:
    """The plain daily usage CSV `institution_id,date,meetings,participants,meeting_minutes
    [,active_hosts]` (other platforms, history migrations)."""
    header = DAILY_HEAD if with_hosts else DAILY_HEAD[:-1]
    body = daily.select([pl.col(c).cast(pl.String) for c in header])
    return encode([(header, body)], variant)


def encode(sections: list[tuple[list[str], pl.DataFrame] | None], variant: str,
           quote_times: bool = False) -> bytes:
    """Sections (header + string frame; None = a blank separator line) as file bytes."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown encoding variant {variant!r}; use one of {VARIANTS}")
    sep = ";" if variant == "excel" else ","
    width = max(len(s[0]) for s in sections if s is not None)
    out = io.StringIO()
    for section in sections:
        if section is None:
            out.write((sep * (width - 1) if variant == "excel" else "") + "\n")
            continue
        header, frame = section
        # Empty values are written as nothing between delimiters (polars would quote "").
        frame = frame.select([pl.col(c).cast(pl.String).replace("", None).alias(f"c{i}")
                              for i, c in enumerate(frame.columns)])
        pad = width - len(header) if variant == "excel" else 0
        if pad:
            frame = frame.with_columns([pl.lit("").alias(f"p{i}") for i in range(pad)])
        out.write(sep.join(_quote(h, sep) for h in header + [""] * pad) + "\n")
        if quote_times:
            # The current UI quotes date-time values: "03/31/2025 08:58:12 AM".
            frame = frame.with_columns(pl.when(pl.col(c).str.contains(r"^\d\d/\d\d/\d{4} "))
                                       .then(pl.lit('"') + pl.col(c) + pl.lit('"'))
                                       .otherwise(pl.col(c)).alias(c) for c in frame.columns)
            out.write(frame.write_csv(include_header=False, separator=sep, quote_style="never",
                                      null_value=""))
        else:
            out.write(frame.write_csv(include_header=False, separator=sep))
    text = out.getvalue()
    if variant == "utf8":
        return text.encode("utf-8")
    if variant == "utf8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if variant == "utf16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.replace("\n", "\r\n").encode("cp1251")


def _select(frame: pl.DataFrame, *exprs: pl.Expr) -> pl.DataFrame:
    """Positional columns: vendor headers repeat, so output names are c0, c1, ..."""
    return frame.select([e.alias(f"c{i}") for i, e in enumerate(exprs)])


def _quote(value: str, sep: str) -> str:
    return f'"{value}"' if sep in value or '"' in value else value
