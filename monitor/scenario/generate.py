"""Write a scenario directory: directory CSV, raw exports, ground truth, labels, parameters.

    out/institutions.csv    the institution directory (DESIGN.md section 4 columns)
    out/exports/...         raw exports in a mix of formats and encodings (see `Mix`)
    out/truth_daily.csv     what `monitor daily --format csv` must print after importing
                            institutions.csv and ingesting exports/
    out/events.csv          the simulator's labelled events
    out/scenario.json       parameters and a file inventory

How meetings are carried (each meeting is in at least one file, several are in more):
- a share of institutions (one Zoom sub-account each for the current and the legacy web UI)
  only in `meetinglistdetails_*.csv` history exports, one per half month, each reaching a
  few days back into the previous one (overlaps), in rotating encodings;
- everything else in Dashboard `metrics/meetings` pages, one set per week;
- some hosts also in `report/users/{id}/meetings` pages (copies of Dashboard or CSV meetings);
- a few meetings in per-meeting participant exports, some only there;
- optionally (`history_until`) the early days only as a plain daily CSV (history migration),
  so the bundled demo stays small.
Export date ranges never span a day without data (the simulator's missing-export days).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import polars as pl

from monitor.scenario import exports_csv as ecsv
from monitor.scenario import exports_json as ejson
from monitor.scenario.meetings import build_meetings, truth_daily

DIRECTORY_HEADER = ["institution_id", "name", "region", "kind", "zoom_account_id", "zoom_group",
                    "email_domains", "contacts"]
DEMO = {"seed": 2022, "institutions": 800, "start": dt.date(2022, 9, 1),
        "end": dt.date(2022, 11, 13), "history_until": dt.date(2022, 11, 8)}


@dataclass(frozen=True)
class Mix:
    csv_share: float = 0.06  # institutions carried by meetinglistdetails CSVs only
    user_pages_share: float = 0.03  # institutions whose hosts also get report/users pages
    per_meeting: int = 24  # per-meeting participant exports (half of them the only copy)
    overlap_days: int = 3  # each history CSV reaches this far into the previous one
    students: tuple[int, int] = (1, 5)  # non-host people per meeting (sets CSV sizes)
    page_size: int = 300


def _segments(dates: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Runs of consecutive covered days: no export may span a day without data."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in dates:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _chunks(runs, unit: str, overlap: int = 0) -> list[tuple[dt.date, dt.date]]:
    """Split runs at the 1st and 16th of each month ("half-month") or by ISO week ("week");
    chunks start `overlap` days early (within the run), as exports pulled with some slack."""
    out = []
    for first, last in runs:
        day, start = first, first
        while day <= last:
            nxt = day + dt.timedelta(days=1)
            boundary = nxt.day in (1, 16) if unit == "half-month" else nxt.weekday() == 0
            if day == last or boundary:
                out.append((max(first, start - dt.timedelta(days=overlap)), day))
                start = nxt
            day = nxt
    return out


def _user_key(email: str) -> str:
    """A user's pages are named by an opaque key, as Zoom's user ids are: an address (or the
    name in it) in a file name would be personal data in the ledger."""
    return "user-" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:10]


def _in(frame: pl.DataFrame, lo: dt.date, hi: dt.date) -> pl.DataFrame:
    return frame.filter(pl.col("local_date").is_between(lo, hi))


class _Writer:
    def __init__(self, root: Path):
        self.root = root
        self.files: list[dict] = []

    def put(self, rel: str, data: bytes, fmt: str, encoding: str = "utf-8") -> None:
        path = self.root / rel
        # Two exports under one name would silently lose meetings from the ground truth.
        assert not path.exists(), f"generator wrote {rel} twice"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files.append({"path": rel, "format": fmt, "encoding": encoding, "bytes": len(data)})


def write_exports(root: Path, meetings: pl.DataFrame, joins: pl.DataFrame,
                  directory: pl.DataFrame, truth: pl.DataFrame, seed: int, mix: Mix,
                  history_until: dt.date | None = None) -> list[dict]:
    """All export files under `root`; returns the inventory."""
    rng = np.random.default_rng([seed, 41])
    out = _Writer(root)
    dates = truth["date"].unique().sort().to_list()
    if history_until is not None:
        history = truth.filter(pl.col("date") <= history_until)
        for (month,), part in history.group_by(pl.col("date").dt.strftime("%Y%m"),
                                               maintain_order=True):
            out.put(f"history/daily_usage_{month}.csv", ecsv.daily_csv(part), "daily-csv")
        dates = [d for d in dates if d > history_until]
        meetings = meetings.filter(pl.col("local_date") > history_until)
    if not dates:
        return out.files
    runs = _segments(dates)
    ids = directory["institution_id"].to_numpy()
    u = rng.random(len(ids))
    csv_ids = ids[u < mix.csv_share]
    csv_ids = csv_ids if len(csv_ids) else ids[:1]
    user_ids = ids[(u >= mix.csv_share) & (u < mix.csv_share + mix.user_pages_share)]
    by_csv = meetings.filter(pl.col("institution_id").is_in(csv_ids.tolist()))
    rest = meetings.filter(~pl.col("institution_id").is_in(csv_ids.tolist()))

    # Per-meeting exports: half copies of CSV meetings, half the only copy of the meeting.
    pick = rng.permutation(rest.height)[: mix.per_meeting // 2]
    only_pm = rest[np.sort(pick)]
    copy_pm = by_csv[np.sort(rng.permutation(by_csv.height)[: mix.per_meeting - len(pick)])]
    dashboard = rest.join(only_pm.select("mid"), on="mid", how="anti")
    forms = ("current", "legacy", "unique")
    variants = ("utf8-bom", "utf8", "excel", "utf16")
    for i, row in enumerate(pl.concat([only_pm, copy_pm]).iter_slices(1)):
        day = row["local_date"][0]
        form, variant = forms[i % 3], variants[(i // 3) % 4]
        name = f"participants_{row['meeting_id'][0]}_{day:%Y_%m_%d}.csv"
        out.put(f"zoom-web/participants/{form}-{variant}/{name}",
                ecsv.participants_export(row, joins, form=form, variant=variant),
                f"zoom-participants-{form}", variant)

    # Web history exports: two sub-accounts, current layout (with custom attributes) and legacy.
    half = csv_ids[::2].tolist()
    accounts = [("account-current", half, "current", ("EmpID", "MajorUnit"),
                 ("utf8-bom", "excel", "utf8-bom")),
                ("account-legacy", csv_ids[1::2].tolist() or half, "legacy", (),
                 ("utf8-bom", "utf16", "utf8"))]
    for folder, inst, layout, custom, encodings in accounts:
        part = by_csv.filter(pl.col("institution_id").is_in(inst))
        for k, (lo, hi) in enumerate(_chunks(runs, "half-month", mix.overlap_days)):
            variant = encodings[k % len(encodings)]
            name = f"meetinglistdetails_{lo:%Y%m%d}_{hi:%Y%m%d}.csv"
            out.put(f"zoom-web/{folder}/{name}",
                    ecsv.meetinglistdetails(_in(part, lo, hi), joins, directory, layout=layout,
                                            custom=custom, variant=variant),
                    f"zoom-meetinglistdetails-{layout}", variant)
        # A second, narrower export with no custom attributes (another admin's settings).
        if layout == "current" and part.height:
            lo, hi = runs[-1][0], min(runs[-1][1], runs[-1][0] + dt.timedelta(days=6))
            out.put(f"zoom-web/{folder}-plain/meetinglistdetails_{lo:%Y%m%d}_{hi:%Y%m%d}.csv",
                    ecsv.meetinglistdetails(_in(part, lo, hi), joins, directory, layout=layout),
                    "zoom-meetinglistdetails-current", "utf8-bom")

    weeks = _chunks(runs, "week")
    for lo, hi in weeks:
        pages = ejson.dashboard_meetings(_in(dashboard, lo, hi), directory, lo, hi,
                                         page_size=mix.page_size, key="dashboard",
                                         full=False)
        for n, page in enumerate(pages, start=1):
            name = f"metrics_meetings_{lo:%Y%m%d}_{hi:%Y%m%d}_p{n:03d}.json"
            out.put(f"zoom-api/metrics_meetings/{name}", page, "zoom-dashboard-meetings")

    # report/users pages: every host of a few institutions, plus a few hosts of CSV
    # institutions, so that API and CSV copies of one meeting must be matched.
    csv_hosts = by_csv["host_email"].unique().sort()
    csv_hosts = csv_hosts.gather(rng.permutation(len(csv_hosts))[:3]).to_list()
    users = meetings.filter(pl.col("institution_id").is_in(user_ids.tolist())
                            | pl.col("host_email").is_in(csv_hosts))
    if users.height:
        lo, hi = weeks[-1]
        for (email,), part in _in(users, lo, hi).group_by("host_email", maintain_order=True):
            for n, page in enumerate(ejson.report_user_meetings(
                    part, lo, hi, page_size=mix.page_size, key=email, full=False), start=1):
                out.put(f"zoom-api/report_users/{_user_key(email)}_{lo:%Y%m%d}_{hi:%Y%m%d}_p{n}.json",
                        page, "zoom-report-user-meetings")
    return out.files


def generate_scenario(out_dir: Path | str, seed: int, institutions: int, start: dt.date,
                      end: dt.date, *, variant: str = "standard", with_events: bool = True,
                      mix: Mix = Mix(), history_until: dt.date | None = None) -> dict:
    """Simulate, render exports and write the scenario directory; returns scenario.json."""
    from monitor.scenario import ScenarioConfig, simulate

    out = Path(out_dir)
    scenario = simulate(ScenarioConfig(seed, institutions, start, end, variant, with_events))
    directory = scenario.directory.select(DIRECTORY_HEADER).sort("institution_id")
    meetings, joins = build_meetings(directory, scenario.daily, seed, students=mix.students)
    dates = scenario.daily["date"].unique().sort().to_list()
    truth = truth_daily(meetings, directory, dates)
    out.mkdir(parents=True, exist_ok=True)
    directory.write_csv(out / "institutions.csv")
    files = write_exports(out / "exports", meetings, joins, directory, truth, seed, mix,
                          history_until)
    truth.write_csv(out / "truth_daily.csv")
    scenario.events.write_csv(out / "events.csv")
    summary = {
        "seed": seed, "institutions": institutions, "start": start.isoformat(),
        "end": end.isoformat(), "variant": variant, "with_events": with_events,
        "history_until": history_until.isoformat() if history_until else None,
        "mix": asdict(mix), "meetings": meetings.height, "join_rows": joins.height,
        "covered_days": len(dates), "files": files,
    }
    (out / "scenario.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return summary


def regenerate_demo(fixtures_dir: Path | str) -> dict:
    """Rewrite fixtures/institutions.csv and fixtures/demo/ deterministically (fixed seed)."""
    import shutil

    fixtures = Path(fixtures_dir)
    demo = fixtures / "demo"
    if demo.exists():
        shutil.rmtree(demo)
    summary = generate_scenario(demo, DEMO["seed"], DEMO["institutions"], DEMO["start"],
                                DEMO["end"], history_until=DEMO["history_until"])
    (demo / "institutions.csv").replace(fixtures / "institutions.csv")
    return summary


# ---- bundled samples: one small file of every format and encoding ---------------------------

SAMPLE_DIRECTORY = pl.DataFrame({
    "institution_id": ["UA30-S9001", "UA63-S9002", "UA46-U9003"],
    "name": ["Ліцей №7 м. Київ", "Гімназія №3 м. Харків", "Університет прикладних наук м. Львів"],
    "region": ["UA-30", "UA-63", "UA-46"],
    "kind": ["school", "school", "university"],
    "zoom_account_id": ["", "", "Xk3mQp8sLw2vXy7nB4cD1e"],
    "zoom_group": ["KV-lyceum7", "KH-gymnasium3", "LV-univ1"],
    "email_domains": ["lyceum7.example.org", "gymnasium3-kh.example.org",
                      "univ1-lv.example.org;students.univ1-lv.example.org"],
    "contacts": ["director@lyceum7.example.org", "+380 57 000 0003",
                 "it@univ1-lv.example.org;+380 32 000 0001"],
})
# Friday, Saturday (no lessons), the October DST fall-back Sunday, Monday.
SAMPLE_DAYS = [dt.date(2022, 10, 28), dt.date(2022, 10, 29), dt.date(2022, 10, 30),
               dt.date(2022, 10, 31)]
SAMPLE_COUNTS = [2, 1, 4, 0, 0, 0, 1, 0, 1, 2, 1, 3]  # institution-major, per SAMPLE_DAYS
SAMPLE_SEED = 11  # chosen so the samples hold both readings of 03:xx and a midnight crossing


def sample_meetings() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(meetings, joins, truth) of the bundled samples: a dozen meetings, including both
    readings of the repeated 03:00 hour on 2022-10-30 and one crossing midnight."""
    daily = SAMPLE_DIRECTORY.select("institution_id").join(
        pl.DataFrame({"date": SAMPLE_DAYS}), how="cross").with_columns(
        meetings=pl.Series(SAMPLE_COUNTS, dtype=pl.Int64))
    meetings, joins = build_meetings(SAMPLE_DIRECTORY, daily, SAMPLE_SEED, students=(1, 3),
                                     repeated_hour=0.6, midnight=0.25)
    return meetings, joins, truth_daily(meetings, SAMPLE_DIRECTORY, SAMPLE_DAYS)


def write_samples(root: Path | str) -> list[dict]:
    """fixtures/samples/ (readable samples of every format) and fixtures/bad/ (rejects)."""
    import shutil

    root = Path(root)
    for folder in ("samples", "bad"):
        shutil.rmtree(root / folder, ignore_errors=True)
    meetings, joins, truth = sample_meetings()
    d = SAMPLE_DIRECTORY
    out = _Writer(root / "samples")
    out.put("institutions.csv", d.write_csv().encode(), "directory")
    out.put("truth_daily.csv", truth.write_csv().encode(), "truth")
    lo, hi = SAMPLE_DAYS[0], SAMPLE_DAYS[-1]
    mld = f"meetinglistdetails_{lo:%Y%m%d}_{hi:%Y%m%d}.csv"
    for folder, layout, custom, variant in [
            ("current", "current", (), "utf8-bom"),
            ("current-custom-attributes", "current", ("EmpID", "MajorUnit"), "utf8-bom"),
            ("legacy", "legacy", (), "utf8"),
            ("current-utf16", "current", (), "utf16"),
            ("legacy-excel-cp1251", "legacy", (), "excel")]:
        out.put(f"zoom-history/{folder}/{mld}", ecsv.meetinglistdetails(
            meetings, joins, d, layout=layout, custom=custom, variant=variant),
            f"zoom-meetinglistdetails-{layout}", variant)
    first = meetings.filter(pl.col("institution_id") == "UA30-S9001")
    for i, (form, variant) in enumerate([("current", "utf8-bom"), ("legacy", "utf8"),
                                         ("unique", "utf8-bom"), ("current", "utf16"),
                                         ("legacy", "excel")]):
        row = first[i % first.height: i % first.height + 1]
        name = f"participants_{row['meeting_id'][0]}_{row['local_date'][0]:%Y_%m_%d}.csv"
        out.put(f"zoom-participants/{form}-{variant}/{name}",
                ecsv.participants_export(row, joins, form=form, variant=variant),
                f"zoom-participants-{form}", variant)
    for email, part in meetings.filter(pl.col("institution_id") == "UA46-U9003").group_by(
            "host_email", maintain_order=True):
        for n, page in enumerate(ejson.report_user_meetings(part, lo, hi, page_size=2,
                                                            key=email[0]), start=1):
            out.put(f"zoom-api/report-users-meetings/{_user_key(email[0])}_{lo:%Y%m%d}_{hi:%Y%m%d}_p{n}.json",
                    page, "zoom-report-user-meetings")
    for n, page in enumerate(ejson.dashboard_meetings(meetings, d, lo, hi, page_size=8,
                                                      key="samples"), start=1):
        out.put(f"zoom-api/dashboard-metrics-meetings/metrics_meetings_{lo:%Y%m%d}_{hi:%Y%m%d}"
                f"_p{n}.json", page, "zoom-dashboard-meetings")
    out.put("zoom-api/report-daily/report_daily_UA30-S9001_2022_10.json",
            ejson.report_daily(truth.filter(pl.col("institution_id") == "UA30-S9001"), 2022, 10),
            "zoom-report-daily")
    out.put("daily-csv/daily_usage.csv", ecsv.daily_csv(truth), "daily-csv")
    out.put("daily-csv/daily_usage_no_hosts.csv", ecsv.daily_csv(truth, with_hosts=False),
            "daily-csv")
    out.put("daily-csv/daily_usage_excel.csv", ecsv.daily_csv(truth, variant="excel"),
            "daily-csv", "excel")
    return out.files + _write_bad(root / "bad", meetings, joins, d)


def _write_bad(root: Path, meetings, joins, directory) -> list[dict]:
    out = _Writer(root)
    good = ecsv.meetinglistdetails(meetings.head(3), joins, directory)
    out.put("empty.csv", b"", "bad-empty")
    # Cut inside a row, as an interrupted download leaves it: the last row lacks columns.
    lines = good.split(b"\n")
    keep = len(lines) * 2 // 3
    cut = b"\n".join(lines[:keep] + [b",".join(lines[keep].split(b",")[:7])])
    out.put("meetinglistdetails_20221028_20221028_truncated.csv", cut, "bad-truncated")
    junk = np.random.default_rng(404).integers(0, 256, 2048, dtype=np.uint8).tobytes()
    out.put("junk.csv", b"PK\x03\x04\x00\x00" + junk, "bad-binary")
    out.put("unknown_format.csv", "Клас,Учнів,Вчитель\n9-Б,27,Олена Коваленко\n".encode(),
            "bad-unknown")
    out.put("report_user_meetings_unknown.json", b'{"users": [], "total": 0}', "bad-unknown")
    flipped = meetings.head(2).with_columns(
        end_utc=pl.col("start_utc") - pl.duration(minutes=45),
        start_utc=pl.col("end_utc"))
    out.put("meetinglistdetails_20221028_20221028_end_before_start.csv",
            ecsv.meetinglistdetails(flipped, joins, directory), "bad-end-before-start")
    return out.files
