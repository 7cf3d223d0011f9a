"""Meeting instances and participant join rows from simulated daily counts.

`build_meetings` turns the simulator's `meetings` count per institution-day into exactly that
many Zoom meeting instances (start in school hours, Europe/Kyiv, DST-correct), each with
join rows. `truth_daily` recomputes the daily metrics from those frames with the product's
ingest semantics, so the ground truth always agrees with what the writers put in files.
All names and e-mails are synthetic.
"""

from __future__ import annotations

import numpy as np
import polars as pl

ZONE = "Europe/Kyiv"
UTC = pl.Datetime("us", "UTC")

# (Cyrillic, Latin) pairs so that e-mails are plausible transliterations of the names.
FIRST = [
    ("Олена", "olena"), ("Марія", "mariia"), ("Ірина", "iryna"), ("Наталія", "nataliia"),
    ("Оксана", "oksana"), ("Тетяна", "tetiana"), ("Світлана", "svitlana"), ("Юлія", "yuliia"),
    ("Галина", "halyna"), ("Людмила", "liudmyla"), ("Іван", "ivan"), ("Петро", "petro"),
    ("Андрій", "andrii"), ("Олександр", "oleksandr"), ("Микола", "mykola"), ("Сергій", "serhii"),
    ("Василь", "vasyl"), ("Дмитро", "dmytro"), ("Богдан", "bohdan"), ("Тарас", "taras"),
    ("Софія", "sofiia"), ("Анна", "anna"), ("Дарина", "daryna"), ("Максим", "maksym"),
]
LAST = [
    ("Коваленко", "kovalenko"), ("Шевченко", "shevchenko"), ("Бондаренко", "bondarenko"),
    ("Ткаченко", "tkachenko"), ("Кравченко", "kravchenko"), ("Мельник", "melnyk"),
    ("Олійник", "oliinyk"), ("Шевчук", "shevchuk"), ("Поліщук", "polishchuk"),
    ("Бойко", "boiko"), ("Лисенко", "lysenko"), ("Руденко", "rudenko"), ("Савченко", "savchenko"),
    ("Петренко", "petrenko"), ("Марченко", "marchenko"), ("Мороз", "moroz"),
    ("Гончаренко", "honcharenko"), ("Кузьменко", "kuzmenko"), ("Павленко", "pavlenko"),
    ("Захарченко", "zakharchenko"), ("Литвиненко", "lytvynenko"), ("Гнатюк", "hnatiuk"),
]
SUBJECTS = [
    "Алгебра", "Геометрія", "Українська мова", "Українська література", "Історія України",
    "Фізика", "Хімія", "Біологія", "Географія", "Англійська мова", "Інформатика",
    "Зарубіжна література", "Математика", "Мистецтво", "Правознавство", "Батьківські збори",
    "Педрада", "Консультація",
]
GUEST_NAMES = ["iPhone", "Galaxy A52", "Учень", "Гість", "DESKTOP-7F3K2Q", "user"]
_B64 = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", np.uint8)

MEETING_SCHEMA = [
    "mid", "institution_id", "local_date", "meeting_id", "uuid", "type", "topic", "host_email",
    "host_name", "start_utc", "end_utc", "created_utc", "duration_s", "minutes", "participants",
    "participant_minutes",
]


def _pick(rng: np.random.Generator, table: list[tuple[str, str]], n: int):
    idx = rng.integers(0, len(table), n)
    cyr = np.array([c for c, _ in table])[idx]
    lat = np.array([la for _, la in table])[idx]
    return cyr, lat


def _uuids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Zoom-like instance uuids: 22 base64 characters and '=='; some begin with '/' or
    contain '//' (they need double URL-encoding in API paths, a known pitfall)."""
    codes = _B64[rng.integers(0, 64, (n, 24))]
    codes[:, 22:] = ord("=")
    odd = rng.random(n)
    codes[odd < 0.03, 0] = ord("/")
    codes[(odd >= 0.03) & (odd < 0.06), 5:7] = ord("/")
    out = codes.copy().view("S24").ravel().astype(str)
    # Random 132-bit strings do not collide in practice; make sure anyway.
    if len(np.unique(out)) != n:
        out = np.char.add(out, np.arange(n).astype(str))
    return out


def _ranks(sizes: np.ndarray) -> np.ndarray:
    """0..k-1 for each group of size k, concatenated: [2, 3] -> [0, 1, 0, 1, 2]."""
    total = int(sizes.sum())
    return np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def host_pools(directory: pl.DataFrame, daily: pl.DataFrame, seed: int) -> pl.DataFrame:
    """A pool of teacher hosts per institution, sized to its busiest day."""
    rng = np.random.default_rng([seed, 11])
    busiest = daily.group_by("institution_id").agg(pl.col("meetings").max().alias("peak"))
    inst = directory.select(
        "institution_id",
        pl.col("email_domains").str.split(";").list.first().fill_null("").alias("domain"),
    ).join(busiest, on="institution_id", how="left").with_columns(
        pl.col("peak").fill_null(0)
    )
    size = np.clip(np.ceil(inst["peak"].to_numpy() / 2.5), 1, 80).astype(np.int64)
    n = int(size.sum())
    first_c, first_l = _pick(rng, FIRST, n)
    last_c, last_l = _pick(rng, LAST, n)
    hosts = pl.DataFrame({
        "institution_id": np.repeat(inst["institution_id"].to_numpy(), size),
        "domain": np.repeat(inst["domain"].to_numpy(), size),
        "host_no": _ranks(size),
        "host_name": np.char.add(np.char.add(first_c, " "), last_c),
        "local": np.char.add(np.char.add(np.char.array(first_l).astype(str), "."), last_l),
    })
    # Two teachers with the same initial-less name get numbered mailboxes, as admins do.
    dup = pl.col("local").cum_count().over("institution_id", "local")
    return hosts.with_columns(
        pl.when(dup > 1).then(pl.col("local") + dup.cast(pl.String)).otherwise(pl.col("local"))
        .alias("local")
    ).select(
        "institution_id", "host_no", "host_name",
        (pl.col("local") + "@" + pl.col("domain")).alias("host_email"),
    )


def _local_times(rng, dates: np.ndarray, fallback: np.ndarray, late_ok: np.ndarray,
                 rates: dict[str, float]):
    """Local start as seconds after midnight; fold choice for the repeated October hour."""
    n = len(dates)
    hours = rng.choice(np.arange(8, 21), n, p=_HOUR_WEIGHTS)
    secs = hours * 3600 + rng.integers(0, 60, n) * 60 + rng.integers(0, 60, n)
    u = rng.random(n)
    repeated = fallback & (u < rates["repeated_hour"])
    secs[repeated] = 3 * 3600 + rng.integers(0, 3600, int(repeated.sum()))
    crossing = late_ok & ~repeated & (u > 1 - rates["midnight"])
    secs[crossing] = 23 * 3600 + 41 * 60 + rng.integers(0, 19 * 60, int(crossing.sum()))
    latest = repeated & (rng.random(n) < 0.5)
    return secs, np.where(latest, "latest", "earliest")


_HOUR_WEIGHTS = np.array([10, 12, 12, 12, 11, 10, 8, 7, 6, 5, 3, 2, 2], float)
_HOUR_WEIGHTS /= _HOUR_WEIGHTS.sum()


def build_meetings(directory: pl.DataFrame, daily: pl.DataFrame, seed: int, *,
                   students: tuple[int, int] = (1, 6), repeated_hour: float = 0.05,
                   midnight: float = 0.004) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Exactly `daily.meetings` instances per institution-day, and their join rows.

    students: (min, max) distinct non-host people per meeting; it sets file sizes.
    Returns (meetings, joins); see MEETING_SCHEMA and `_joins` for the columns.
    """
    rng = np.random.default_rng([seed, 23])
    days = daily.filter(pl.col("meetings") > 0).sort("institution_id", "date")
    counts = days["meetings"].to_numpy().astype(np.int64)
    m = int(counts.sum())
    inst = np.repeat(days["institution_id"].to_numpy(), counts)
    date = np.repeat(days["date"].to_numpy(), counts)
    covered = set(daily["date"].unique().to_list())
    day_info = pl.DataFrame({"date": sorted(covered)}).with_columns(
        _offset_change(pl.col("date")).alias("fallback"),
        pl.col("date").dt.offset_by("1d").is_in(list(covered)).alias("next_covered"),
    )
    info = pl.DataFrame({"date": date}).join(day_info, on="date", how="left", maintain_order="left")
    secs, ambiguous = _local_times(rng, date, info["fallback"].to_numpy(),
                                   info["next_covered"].to_numpy(),
                                   {"repeated_hour": repeated_hour, "midnight": midnight})
    duration = rng.integers(20 * 60, 90 * 60 + 1, m)

    hosts = host_pools(directory, daily, seed)
    pool = hosts.group_by("institution_id").agg(pl.len().alias("pool"))
    frame = pl.DataFrame({"institution_id": inst, "local_date": date}).join(
        pool, on="institution_id", how="left", maintain_order="left"
    )
    host_no = (rng.random(m) * frame["pool"].to_numpy()).astype(np.int64)
    frame = frame.with_columns(
        mid=pl.int_range(pl.len(), dtype=pl.Int64),
        host_no=host_no,
        secs=secs,
        ambiguous=ambiguous,
        duration_s=duration,
        u_series=rng.random(m),
        fresh_id=rng.integers(10**9, 10**11, m),
        topic_no=rng.integers(0, len(SUBJECTS), m),
        grade=rng.integers(1, 12, m),
        letter=rng.integers(0, 4, m),
        created_lag=rng.integers(3600, 5 * 86400, m),
    ).join(hosts, on=["institution_id", "host_no"], how="left", maintain_order="left")
    # Recurring series: the host's r-th meeting of a day reuses the host's r-th series id, so
    # one Zoom meeting id appears at most once per day and on many days (different instances).
    rank = pl.int_range(pl.len()).over("institution_id", "local_date", "host_no")
    series_id = (pl.col("institution_id").hash(seed) + pl.col("host_no") * 31 + rank * 7).hash(
        seed) % (9 * 10**10) + 10**10
    recurring = (rank < 4) & (pl.col("u_series") < 0.7)
    start_local = (pl.col("local_date").cast(pl.Datetime("us"))
                   + pl.duration(seconds=pl.col("secs")))
    start_utc = start_local.dt.replace_time_zone(
        ZONE, ambiguous=pl.col("ambiguous"), non_existent="raise").dt.convert_time_zone("UTC")
    frame = frame.with_columns(
        pl.when(recurring).then(series_id).otherwise(pl.col("fresh_id")).cast(pl.Int64)
        .alias("meeting_id"),
        pl.when(recurring).then(8).otherwise(2).alias("type"),
        start_utc.alias("start_utc"),
        (pl.lit(SUBJECTS).list.get(pl.col("topic_no")) + " "
         + pl.col("grade").cast(pl.String) + "-"
         + pl.lit(["А", "Б", "В", "Г"]).list.get(pl.col("letter"))).alias("topic"),
    ).with_columns(
        (pl.col("start_utc") + pl.duration(seconds=pl.col("duration_s"))).alias("end_utc"),
        (pl.col("start_utc") - pl.duration(seconds=pl.col("created_lag"))).dt.truncate("1m")
        .alias("created_utc"),
        ((pl.col("duration_s") + 59) // 60).alias("minutes"),
        pl.Series("uuid", _uuids(rng, m)),
    )
    joins = _joins(rng, frame, students)
    per = joins.filter(~pl.col("waiting")).group_by("mid").agg(
        pl.len().alias("participants"), pl.col("seg_minutes").sum().alias("participant_minutes"))
    frame = frame.join(per, on="mid", how="left").sort("mid")
    return frame.select(MEETING_SCHEMA), joins


def _offset_change(date: pl.Expr) -> pl.Expr:
    """True on the October fall-back day: the UTC offset at 23:00 local is smaller than at
    00:00 (the 03:00-03:59 hour happens twice)."""
    def offset(hours: int) -> pl.Expr:
        local = date.cast(pl.Datetime("us")) + pl.duration(hours=hours)
        utc = local.dt.replace_time_zone(ZONE, ambiguous="earliest").dt.convert_time_zone("UTC")
        return local - utc.dt.replace_time_zone(None)

    return offset(0) > offset(23)


def _joins(rng: np.random.Generator, meetings: pl.DataFrame, students: tuple[int, int]):
    """Join rows: the host for the whole meeting, students (some re-join, giving two rows;
    some guests without e-mail), and waiting-room rows that are not attendance."""
    m = meetings.height
    people = rng.integers(students[0], students[1] + 1, m)
    # Person rows: host first (person 0) then students.
    per = people + 1
    mid = np.repeat(meetings["mid"].to_numpy(), per)
    person = _ranks(per)
    n = len(mid)
    epoch = meetings["start_utc"].dt.epoch("s").to_numpy()
    start = np.repeat(epoch, per)
    dur = np.repeat(meetings["duration_s"].to_numpy(), per)
    is_host = person == 0
    late = np.where(is_host, 0, rng.integers(0, 300, n))
    early = np.where(is_host, 0, rng.integers(0, 240, n))
    join = start + np.minimum(late, dur // 3)
    leave = np.maximum(start + dur - np.minimum(early, dur // 3), join + 30)
    guest = ~is_host & (rng.random(n) < 0.1)
    rejoin = ~is_host & (rng.random(n) < 0.12)
    waiting = ~is_host & (rng.random(n) < 0.06)
    # A re-join splits one stay into two rows with a gap in between.
    cut = join + ((leave - join) * rng.uniform(0.3, 0.6, n)).astype(np.int64)
    back = np.minimum(cut + rng.integers(20, 120, n), leave - 10)
    first_c, first_l = _pick(rng, FIRST, n)
    last_c, last_l = _pick(rng, LAST, n)
    inst_domain = np.repeat(
        meetings["host_email"].str.split("@").list.last().to_numpy(), per)
    name = np.char.add(np.char.add(first_c, " "), last_c)
    host_name = np.repeat(meetings["host_name"].to_numpy(), per)
    host_email = np.repeat(meetings["host_email"].to_numpy(), per)
    gname = np.array(GUEST_NAMES)[rng.integers(0, len(GUEST_NAMES), n)]
    name = np.where(is_host, host_name, np.where(guest & (rng.random(n) < 0.4), gname, name))
    email = np.where(is_host, host_email, np.where(
        guest, "", np.char.add(np.char.add(np.char.add(first_l, "."), last_l),
                               np.char.add(np.char.add(".st@", ""), inst_domain))))
    base = pl.DataFrame({
        "mid": mid, "person": person, "name": name, "email": email, "guest": guest,
        "is_host": is_host, "join_s": join,
        "leave_s": np.where(rejoin, cut, leave), "waiting": np.zeros(n, bool),
    })
    second = base.filter(pl.Series(rejoin)).with_columns(
        join_s=pl.Series(back[rejoin]), leave_s=pl.Series(leave[rejoin]))
    wait = base.filter(pl.Series(waiting)).with_columns(
        leave_s=pl.col("join_s"),
        join_s=pl.col("join_s") - pl.Series(rng.integers(5, 60, int(waiting.sum()))),
        waiting=pl.lit(True),
    )
    # Waiting before the meeting started is clipped to the start: rows stay inside it.
    starts = meetings.select("mid", pl.col("start_utc").dt.epoch("s").alias("m_start"))
    rows = pl.concat([base, second, wait]).join(starts, on="mid").with_columns(
        pl.max_horizontal("join_s", "m_start").alias("join_s")
    ).with_columns(
        pl.from_epoch("join_s", "s").dt.replace_time_zone("UTC").alias("join_utc"),
        pl.from_epoch("leave_s", "s").dt.replace_time_zone("UTC").alias("leave_utc"),
        ((pl.col("leave_s") - pl.col("join_s") + 59) // 60).clip(1).alias("seg_minutes"),
    ).sort("mid", "join_s", "person", "waiting", descending=[False, False, False, True])
    return rows.select("mid", "person", "name", "email", "guest", "is_host", "waiting",
                       "join_utc", "leave_utc", "seg_minutes")


def truth_daily(meetings: pl.DataFrame, directory: pl.DataFrame, dates: list) -> pl.DataFrame:
    """Ground-truth daily metrics: one row per directory institution and covered day."""
    grid = directory.select("institution_id").join(
        pl.DataFrame({"date": sorted(dates)}, schema={"date": pl.Date}), how="cross")
    per = meetings.group_by("institution_id", pl.col("local_date").alias("date")).agg(
        pl.len().alias("meetings"),
        pl.col("participants").sum(),
        pl.col("minutes").sum().alias("meeting_minutes"),
        pl.col("host_email").str.to_lowercase().n_unique().alias("active_hosts"),
    )
    metrics = ["meetings", "participants", "meeting_minutes", "active_hosts"]
    return grid.join(per, on=["institution_id", "date"], how="left").with_columns(
        [pl.col(c).fill_null(0).cast(pl.Int64) for c in metrics]
    ).sort("institution_id", "date")
