"""DropDetector: expected activity, count-aware drop evidence and peer attribution in one causal
pass over the days (vectorised across institutions; the only loop is over days).

Per institution and school day the expected count is

    expected = level * gauge * weekday factor * peer factor

- level: robust mean of the institution's last `window` judged days (normalised by the other
  two factors), leaving out days that belong to a drop, so past anomalies do not drag it down,
  and leaving out the last `lag` calendar days: four weeks, so that a decline over several
  weeks is measured against the level from before it began, not one that learnt its first
  declining days (a shorter lag let half of the gradual declines go unflagged);
- weekday factor: the institution's own Mon-Fri profile, shrunk towards 1;
- gauge: level and peer factor only ever meet as a product, so a bias of the levels would
  show as peers below 1 every day, and feed back into the levels (learnt against those
  peers). The gauge is nudged each learned day until the institution's peer factor sits at
  1 again (models/detector_state.py);
- peer factor: today's weighted median ratio of its peers (same region and calendar family,
  falling back to the region, then the nation). A school break set by the region, an air-raid
  morning or a regional outage moves the peers too, so it does not count against one school.

Evidence is the negative-binomial log-likelihood ratio of "fell to `rho` of expected" against
"as expected" (dispersion learnt per institution, shrunk to the pooled value), summed in a
one-sided CUSUM; a second, slower CUSUM tests a fall to `rho_slow` for declines that linger at
about half of normal, and a third, deep one tests a fall to `rho_deep`: a big institution's
collapse gains far more against it than against `rho` (whose evidence per day is bounded by
the count's dispersion), so it opens on the second school day. Score direction: higher = more
evidence of a drop (`score_`, in units of `threshold`). An institution episode opens when a
CUSUM reaches its threshold after at least `min_days` low days (one day is never enough: single-day dips stay quiet), and resolves when
the last `recover_days` judged days reach `recover` of the pre-drop expectation (hysteresis:
opening needs a fall to about a third, closing a return to 70%; over seven days, because a
small school's three noisy days often reach 70% by chance in the middle of a decline, which
closed the episode and opened a duplicate). A clearly normal day
(`reset_ratio` of expected) clears a pending run.

Breaks vary by school: inside a calendar break window, days the peers are quiet are not
judged, a run that starts inside the window before the peers have had their break needs
`window_hold` + 1 low days (so does a run of near-silent days that starts inside it, even when
milder low days began before: a school starting its break a few days before its peers; once
the peers are back, a drop is judged like any other, which cut the median delay by a third of
a day on the tuning seeds), and a school
still near zero (< `break_level`) up to `break_overrun` school days after its peers came back is
taken to be on its own break.

Days not judged for an institution: weekends and holidays, days without data, days its peers
are quiet (peer factor below `quiet_peers`), days its region is in a region episode, platform
days, university sessions (calendar windows), break windows of a school with fewer than
`min_peers` peers in its region ("no peers in window": nobody can vouch for its break dates),
and days before `min_history` judged days of history ("insufficient history" in
`expected_frame()`).

Region and platform attribution: see models/attribution.py. Inside a break window a peer
group speaks for its region once it has had its break, and before that on days it is plainly
not on break (median up, at most `awake_share` of its weight near zero): a week of rolling
blackouts in the first days of the winter window was otherwise judged by nobody. A fall of a
whole region on a day none of its groups speaks is judged once the region is back
(`RegionState.after_dark`): a break lasts a week, a strike a day or two. A day with
no data at all, or with the national median ratio below `platform_ratio`, is a platform day:
nobody is judged.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl

from models.attribution import RegionState
from models.calendar import FAMILY, KINDS, CalendarMasks, SchoolCalendar, school_year_of
from models.detector_run import DetectorRun
from models.detector_state import STATUS, InstitutionState
from models.episodes import assemble
from models.evidence import nb_llr
from models.panel import Panel, build_panel
from models.peers import peer_factor, peer_weights, weighted_group_median


@dataclass
class _Day:
    """What every day of one `fit` shares: the panel of the days run, the calendar masks over
    all days of the run (indexed by the run's day `t`), the peer groups, and the matrices
    filled day by day (column `t - t0`)."""

    panel: Panel
    t0: int
    region_idx: np.ndarray
    group: np.ndarray
    family: np.ndarray
    n_reg: int
    masks: CalendarMasks
    rhos: tuple[float, float, float]
    thresholds: np.ndarray
    score: np.ndarray
    expected: np.ndarray
    status: np.ndarray


class DropDetector:
    """Detect sustained drops in daily activity and attribute them to institution, region or
    platform. Parameters only in __init__; `fit` runs the causal pass and sets `episodes_`,
    `expected_matrix_`, `score_`, `status_`, `platform_days_`, `panel_` and `checkpoint_` (the
    state to resume from: models/detector_run.py)."""

    def __init__(
        self,
        metric: str = "meetings",
        rho: float = 0.25,
        threshold: float = 9.0,
        rho_slow: float = 0.5,
        threshold_slow: float = 10.0,
        rho_deep: float = 0.1,
        threshold_deep: float = 9.0,
        min_days: int = 2,
        day_cap: float = 1.0,
        window: int = 45,
        lag: int = 28,
        min_history: int = 15,
        recover: float = 0.7,
        reset_ratio: float = 0.8,
        recover_days: int = 7,
        quiet_peers: float = 0.45,
        window_hold: int = 4,
        break_level: float = 0.25,
        break_overrun: int = 5,
        min_peers: int = 5,
        weight_cap: float = 20.0,
        platform_ratio: float = 0.4,
        awake_share: float = 0.2,
        calendar: SchoolCalendar | None = None,
    ):
        self.metric = metric
        self.rho = rho
        self.threshold = threshold
        self.rho_slow = rho_slow
        self.threshold_slow = threshold_slow
        self.rho_deep = rho_deep
        self.threshold_deep = threshold_deep
        self.min_days = min_days
        self.day_cap = day_cap
        self.window = window
        self.lag = lag
        self.min_history = min_history
        self.recover = recover
        self.reset_ratio = reset_ratio
        self.recover_days = recover_days
        self.quiet_peers = quiet_peers
        self.window_hold = window_hold
        self.break_level = break_level
        self.break_overrun = break_overrun
        self.min_peers = min_peers
        self.weight_cap = weight_cap
        self.platform_ratio = platform_ratio
        self.awake_share = awake_share
        self.calendar = calendar

    def fit(self, daily: pl.DataFrame, directory: pl.DataFrame | None = None,
            as_of: dt.date | None = None, start: dt.date | None = None, *,
            on_day: Callable[[int, int], None] | None = None, resume: DetectorRun | None = None,
            keep: dt.date | None = None) -> DropDetector:
        """Run over every day from the first data (or `start`) to `as_of` (default: last day
        with data), seeing on each day only that day and the ones before.

        - `resume`: the `checkpoint_` of an earlier run on the same data and directory; only
          the days after it are run, with the result of one run over all days (`episodes_`
          and `platform_days_` cover every day, the matrices and `panel_` the new days only).
          ValueError when the data or the directory no longer fit it.
        - `keep`: a day of the run; `checkpoint_` is the run as it stood after it (else None).
        - `on_day(days done, days total)` is called after each day (progress; changes nothing)."""
        if resume is not None and start is not None:
            raise ValueError("a resumed run starts where its checkpoint ends; give no start")
        if resume is None:
            panel = build_panel(daily, directory, self.metric, first=start, last=as_of)
        else:
            panel = build_panel(daily, directory, self.metric, first=resume.next_day, last=as_of,
                                institutions=resume.ids)  # ValueError for an institution it lacks
            if not resume.resumable_with(panel):
                raise ValueError("the checkpoint is of other regions or kinds of institution")
        self.panel_ = panel
        n, t_len = panel.shape
        uniq, region_idx = np.unique(panel.region.astype(str), return_inverse=True)
        regions = [str(r) for r in uniq]
        family = np.array([FAMILY[k] for k in KINDS])[panel.kind] if n else np.zeros(0, int)
        run = (copy.deepcopy(resume) if resume is not None
               else DetectorRun.fresh(panel, InstitutionState(n, self.window, self.recover_days),
                                      RegionState(len(regions)), len(regions) * 2))
        t0 = run.days
        run.extend(panel)
        calendar = self.calendar or SchoolCalendar()
        day = _Day(
            panel=panel, t0=t0, region_idx=region_idx, group=region_idx * 2 + family, family=family,
            n_reg=len(regions), masks=calendar.masks([run.date(t) for t in range(run.days)]),
            rhos=(self.rho, self.rho_slow, self.rho_deep),
            thresholds=np.array([self.threshold, self.threshold_slow, self.threshold_deep]),
            score=np.zeros((n, t_len), np.float32), expected=np.full((n, t_len), np.nan, np.float32),
            status=np.zeros((n, t_len), np.int8),
        )
        keep_at = (keep - run.origin).days if keep is not None and run.origin is not None else None
        self.checkpoint_ = resume if keep_at == t0 - 1 else None
        for c in range(t_len):
            self._day(run, day, t0 + c)
            if t0 + c == keep_at:
                self.checkpoint_ = run.snapshot(keep_at + 1)
            if on_day is not None:
                on_day(c + 1, t_len)

        self.score_ = day.score
        self.status_ = day.status
        self.expected_matrix_ = day.expected
        self.platform_days_ = run.platform
        self.episodes_ = assemble(run, regions, self.metric)
        return self

    def _day(self, run: DetectorRun, day: _Day, t: int) -> None:
        """Judge day `t` of the run (column `t - day.t0` of the panel)."""
        c = t - day.t0
        panel, masks, inst, reg = day.panel, day.masks, run.inst, run.reg
        region_idx, group, family, n_reg = day.region_idx, day.group, day.family, day.n_reg
        n = len(panel.ids)
        x = panel.values[:, c]
        covered = ~np.isnan(x)
        if not panel.day_covered[c]:
            run.nat_expected[t] = run.last_expected
            run.platform[t] = True
            day.status[:, c] = STATUS["platform"]
            return
        if masks.rest[t]:
            day.status[:, c] = np.where(covered, STATUS["rest day"], STATUS["no data"])
            return
        today = run.date(t)
        year_first = (dt.date(school_year_of(today), 9, 1) - run.origin).days
        level, nb_r, ready = inst.baseline(self.min_history, t, self.lag, year_first)
        dow = today.weekday()
        wday = inst.weekday_factor(dow)
        gauge = inst.gauge()
        base = level * wday * gauge
        in_window = masks.window[panel.kind, t]
        usable = covered & ready & (base > 0)
        ratio = np.where(usable, x / np.where(base > 0, base, 1.0), np.nan)
        peer_ok = usable & ~inst.open_
        w = peer_weights(level, self.weight_cap)
        clipped = np.clip(np.nan_to_num(ratio), 0.0, 3.0)
        peer = peer_factor(clipped, w, peer_ok, (group, region_idx, family),
                           (n_reg * 2, n_reg, 2), self.min_peers)
        # Once a peer group has had its break in this window (a quiet run of several days,
        # then back), the rest of the window is ordinary school time for judging its
        # region (institutions keep the window's caution about their own break dates).
        m_group, c_group = weighted_group_median(group, clipped, w, peer_ok, n_reg * 2)
        group_window = np.bincount(group, in_window, n_reg * 2) > 0
        group_quiet = (c_group >= self.min_peers) & (m_group < self.quiet_peers)
        run.break_done = group_window & (run.break_done | (~group_quiet & (run.quiet_run >= 4)))
        run.quiet_run = np.where(group_quiet, run.quiet_run + 1, 0)
        # Before its break, a group of schools inside the window still speaks for its region
        # on days it is plainly not on break: its median is up and hardly any of its weight
        # sits near zero (a break begins with many members at zero; a week of rolling
        # blackouts leaves everybody at half). Not universities: inside their window they hold
        # exam sessions at about half of normal, which read as an outage wherever enough of
        # them judge a region alone: at national scale (16,000 institutions, seven scenarios)
        # regional F1 went from 0.75-0.97 (mean 0.88) to 0.90-1.0 (mean 0.96) without it.
        near_zero_w = np.bincount(group, np.where(peer_ok & (clipped < self.break_level), w, 0.0), n_reg * 2)
        group_w = np.bincount(group, np.where(peer_ok, w, 0.0), n_reg * 2)
        schools = np.arange(n_reg * 2) % 2 == 0  # group = region * 2 + family
        awake = (group_window & schools & ~run.break_done & (c_group >= self.min_peers)
                 & (m_group >= self.quiet_peers) & (near_zero_w <= self.awake_share * group_w))
        region_window = in_window & ~run.break_done[group] & ~awake[group]
        # Institutions outside break windows speak for regions and the nation: a break
        # is neither an outage nor a collapse of the feed.
        session = peer_ok & ~region_window
        nat_s, _ = weighted_group_median(np.zeros(n, int), clipped, w, session, 1)
        # Everything fell at once, judged on institutions plainly outside any break window,
        # and only when they are a good share of all (never in the winter holidays).
        outside = peer_ok & ~in_window
        nat_o, c_out = weighted_group_median(np.zeros(n, int), clipped, w, outside, 1)
        if c_out[0] >= max(20, 0.3 * peer_ok.sum()) and nat_o[0] < self.platform_ratio:
            run.nat_expected[t] = float(np.where(usable, base, 0.0).sum())
            run.platform[t] = True
            day.status[:, c] = STATUS["platform"]
            return
        m_rs, c_rs = weighted_group_median(region_idx, clipped, w, session, n_reg)
        nat = nat_s[0] if np.isfinite(nat_s[0]) else 1.0
        # In a break window only the institutions outside it (e.g. universities during
        # school breaks) speak for the region. A handful of them (fewer than 15) is too few
        # to judge an ordinary bad day, but not an outage: on the first school day after a
        # region's break its schools' collapse reads as the break going on, and only its
        # universities, which take no school break, show the lights went out (a third of
        # the missed outages on the tuning seeds). Such regions are judged for outage-deep
        # falls only (`few` in RegionState.step), and only when every one of the handful is
        # outside any break window of its own: universities past their winter session may
        # still be on their own holiday, which is no outage.
        c_all = np.bincount(region_idx, peer_ok.astype(float), n_reg)
        c_plain = np.bincount(region_idx, (session & ~in_window).astype(float), n_reg)
        enough = c_rs >= np.where(c_rs < 0.5 * c_all, 15, 3)
        few = ~enough & (c_rs >= 3) & (c_plain >= c_rs)
        valid = (enough | few) & np.isfinite(m_rs)

        def log_relative(median: np.ndarray) -> np.ndarray:
            """Log of a region median ratio relative to the nation's."""
            return np.log(np.maximum(np.nan_to_num(median, nan=1.0), 0.02) / max(nat, 0.05))

        log_rel = log_relative(m_rs)
        exp_i = np.where(usable, base * nat, 0.0)
        run.last_expected = run.nat_expected[t] = float(exp_i.sum())
        lost = np.clip(1 - clipped / max(nat, 0.05), 0, 1)

        def region_sums(members: np.ndarray) -> dict[str, np.ndarray]:
            return {name: np.bincount(region_idx, np.where(members, value, 0.0), n_reg)
                    for name, value in (("expected", exp_i), ("observed", np.nan_to_num(x)),
                                        ("lost", lost), ("members", 1.0))}

        session_sums = region_sums(session)
        region_open = reg.step(t, log_rel, valid, session_sums, few)
        # Regions judged by nobody today (all their members inside a break window they have
        # not had yet) are judged afterwards, on all their members (RegionState.after_dark).
        # Outside break windows (most days) all members are the session's.
        if np.array_equal(session, peer_ok):
            m_all, all_sums = m_rs, session_sums
        else:
            m_all, all_sums = weighted_group_median(region_idx, clipped, w, peer_ok, n_reg)[0], region_sums(peer_ok)
        present = c_all >= self.min_peers
        reg.after_dark(t, present, present & ~valid, log_relative(m_all), all_sums)
        in_region_ep = region_open[region_idx] if n else np.zeros(0, bool)
        # University sessions: not judged inside their windows.
        session_window = in_window & (family == 1)
        quiet = peer < self.quiet_peers
        # Without enough peers in its own region (a lone school) nobody can vouch for its
        # break dates, which differ by region: inside a break window it is not judged. The
        # nation's median, its only yardstick, had its break a week before or after and
        # turned the school's own break into a drop (a sixth of all false alarms).
        lone = (c_group[group] < self.min_peers) & (c_all[region_idx] < self.min_peers)
        unvouched = in_window & lone & (family == 0)
        # A school's own break may run a few days past its peers': near-zero days that
        # continue a break of the peers inside a window are the school's break too.
        run.since_quiet = np.where(quiet, 0, run.since_quiet + 1)
        own_break = (in_window & (family == 0) & ~quiet & run.own_break
                     & (np.nan_to_num(ratio, nan=1.0) < self.break_level)
                     & (run.since_quiet <= self.break_overrun))
        # A school still near zero when that allowance runs out has had its hold already:
        # its run is judged like any other, not held another `window_hold` days.
        near_zero = np.nan_to_num(ratio, nan=1.0) < self.break_level
        run.overran = (run.overran | (own_break & ~quiet)) & ~(usable & ~near_zero)
        run.own_break = own_break | (quiet & in_window)
        quiet = quiet | run.own_break
        judged = usable & ~quiet & ~in_region_ep & ~session_window & ~unvouched
        mu = base * np.clip(peer, 0.0, 1.5)
        xs = np.nan_to_num(x)
        llr = np.stack([nb_llr(xs, mu, nb_r, rho) for rho in day.rhos], axis=1)
        # A run of low days does not carry across a break: the school's own break dates
        # differ from its peers' by a few days at either end.
        inst.reset_pending(((quiet & in_window) | unvouched) & usable)
        inst.step(t, judged, xs, mu, llr, day.thresholds, self,
                  hold=in_window & (family == 0) & ~run.overran & ~run.break_done[group],
                  window_first=masks.window_first[panel.kind, t])
        # Cold start learns from every plain school day; afterwards only judged days.
        cold = covered & ~ready & ~quiet & ~in_region_ep & ~session_window & ~unvouched
        learn = (judged | cold) & ~inst.open_
        inst.learn(t, learn, np.nan_to_num(x) / np.maximum(wday * peer, 0.05), x, level * gauge * peer, dow,
                   np.where(judged, mu, 0.0), peer)
        day.score[:, c] = (inst.cusum * (self.threshold / day.thresholds)[None, :]).max(axis=1)
        day.expected[:, c] = np.where(usable, mu, np.nan)
        day.status[:, c] = np.select(
            [~covered, ~ready, session_window, in_region_ep, quiet & usable, unvouched,
             inst.open_],
            [STATUS["no data"], STATUS["insufficient history"], STATUS["session"],
             STATUS["region episode"], STATUS["peers quiet"], STATUS["no peers in window"],
             STATUS["in episode"]],
            STATUS["judged"],
        )

    def expected_frame(self, since: dt.date | None = None, ids: Iterable[str] | None = None) -> pl.DataFrame:
        """Long frame: institution_id, date, observed, expected, score, status (a word); only
        days from `since` and institutions in `ids` when given (the whole frame of years of
        national history is tens of millions of rows)."""
        panel = self.panel_
        first = 0 if since is None or not panel.dates else max(0, (since - panel.dates[0]).days)
        rows = np.arange(len(panel.ids)) if ids is None else np.flatnonzero(np.isin(panel.ids, list(ids)))
        days = np.array(panel.dates[first:], dtype="datetime64[D]")
        n, t_len = len(rows), len(days)
        names = list(STATUS)

        def cells(matrix: np.ndarray) -> np.ndarray:
            return matrix[rows, first:].ravel()

        return pl.DataFrame({
            "institution_id": np.repeat(panel.ids[rows], t_len),
            "date": pl.Series(np.tile(days, n)).cast(pl.Date),
            "observed": cells(panel.values),
            "expected": cells(self.expected_matrix_).astype(np.float64),
            "score": cells(self.score_).astype(np.float64),
            "status": pl.Series(cells(self.status_)).replace_strict(
                dict(enumerate(names)), return_dtype=pl.String),
        }).with_columns(pl.col("observed").fill_nan(None), pl.col("expected").fill_nan(None))
