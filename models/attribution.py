"""Region and platform attribution, one day at a time, vectorised over regions.

A region's daily statistic is the weighted median ratio (observed / expected) of its
institutions that are in session, taken relative to the national median of all regions so
that shocks felt everywhere (and platform problems) do not make regional episodes. Its log is
put in units of the region's own day-to-day spread and summed in a one-sided CUSUM: a
blackout at 30% of normal is raised the same day, a week of rolling blackouts at half of
normal by its second day, and a noisy small region needs more. Recovery needs the ratio back above `recover`.

A region all of whose members sit inside a break window they have not had yet is judged by
nobody on the day they all fall: the fall may be its schools' break beginning. It is judged
the next school days instead (`after_dark`), since a break lasts a week or more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# What a region episode records, summed over its days (`dark_sums` keeps them in this order).
SUMS = ("expected", "observed", "lost")


@dataclass
class RegionState:
    n: int
    history: int = 40
    spread_floor: float = 0.04
    allowance: float = 1.0
    threshold: float = 4.5
    # Ratio at or below which a day counts towards an episode. 0.6 rather than 0.72: a
    # region's ordinary bad days (weather, air-raid mornings) reach 0.7 often enough to make
    # false regional episodes (regional F1 0.86 -> 0.92 on tuning seeds 1-10).
    depth: float = 0.6
    recover: float = 0.88
    # Ratio (and total) at or below which a region judged by only a few members (`few`) has a
    # low day: the strikes leave 2-30% of normal; a handful of universities rarely fall that
    # far together for any other reason, while they do reach 0.6 on ordinary bad days.
    few_depth: float = 0.35
    # A run of `shallow_days` days at or below `shallow_depth` is low too: a week of rolling
    # blackouts often holds a region at 0.6-0.7, where a single ordinary bad day also lands,
    # but ordinary bad days do not come three in a row.
    shallow_depth: float = 0.72
    shallow_days: int = 3
    # Longest run of unjudged outage-deep days (`after_dark`) that, followed by a normal day,
    # is an outage: a break lasts a week or more. One-day strikes on the first days of a window
    # were otherwise never reported (three school years, harsh winter: regional F1 0.904 ->
    # 0.907 on tuning seeds, 0.898 -> 0.906 held out; nothing else changed).
    dark_days: int = 2
    cusum: np.ndarray = field(init=False)
    hist: np.ndarray = field(init=False)
    pos: int = field(init=False, default=0)
    open_: np.ndarray = field(init=False)
    run_start: np.ndarray = field(init=False)
    ep_start: np.ndarray = field(init=False)
    ep_detected: np.ndarray = field(init=False)
    ep_expected: np.ndarray = field(init=False)
    ep_observed: np.ndarray = field(init=False)
    ep_lost: np.ndarray = field(init=False)
    ep_members: np.ndarray = field(init=False)
    last_down: np.ndarray = field(init=False)
    shallow_run: np.ndarray = field(init=False)
    shallow_since: np.ndarray = field(init=False)
    blind: np.ndarray = field(init=False)
    dark_since: np.ndarray = field(init=False)
    dark_run: np.ndarray = field(init=False)
    dark_last: np.ndarray = field(init=False)
    lit: np.ndarray = field(init=False)
    dark_sums: np.ndarray = field(init=False)
    closed: list = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.cusum = np.zeros(self.n)
        self.hist = np.full((self.n, self.history), np.nan)
        self.open_ = np.zeros(self.n, bool)
        self.run_start = np.full(self.n, -1)
        self.ep_start = np.full(self.n, -1)
        self.ep_detected = np.full(self.n, -1)
        self.ep_expected = np.zeros(self.n)
        self.ep_observed = np.zeros(self.n)
        self.ep_lost = np.zeros(self.n)
        self.ep_members = np.zeros(self.n)
        self.last_down = np.full(self.n, -1)
        self.shallow_run = np.zeros(self.n, np.int64)
        self.shallow_since = np.full(self.n, -1)
        self.blind = np.zeros(self.n, np.int64)
        self.dark_since = np.full(self.n, -1)
        self.dark_run = np.zeros(self.n, np.int64)
        self.dark_last = np.full(self.n, -1)
        self.lit = np.zeros(self.n, bool)
        self.dark_sums = np.zeros((self.n, len(SUMS)))

    def spread(self) -> np.ndarray:
        h = self.hist
        count = np.count_nonzero(~np.isnan(h), axis=1)
        med = np.nanmedian(np.where(count[:, None] > 0, h, 0.0), axis=1)
        mad = np.nanmedian(np.abs(np.where(count[:, None] > 0, h, 0.0) - med[:, None]), axis=1)
        sd = np.where(count >= 8, 1.4826 * mad, 0.12)  # cautious until the spread is known
        return np.maximum(sd, self.spread_floor)

    def step(self, t: int, log_rel: np.ndarray, valid: np.ndarray, sums: dict,
             few: np.ndarray | None = None) -> np.ndarray:
        """Advance one school day. `log_rel`: log of the region ratio relative to the nation;
        `valid`: regions with enough members to judge; `few`: valid regions judged by only a
        few members today, which count only an outage-deep fall (`few_depth`) and neither
        move the CUSUM otherwise nor teach the spread. Returns the regions in an episode today."""
        few = np.zeros(self.n, bool) if few is None else few & valid
        sd = self.spread()
        z = np.where(valid, log_rel / sd, 0.0)
        ratio = np.exp(np.where(valid, log_rel, 0.0))
        # The total must agree with the median: one big member cannot make or hide an outage.
        total = sums["observed"] / np.maximum(sums["expected"], 1e-9)
        deep = (ratio <= self.few_depth) & (total <= self.few_depth + 0.1)
        shallow = valid & ~few & (ratio <= self.shallow_depth) & (total <= self.shallow_depth + 0.1)
        self.shallow_since = np.where(shallow & (self.shallow_run == 0), t, self.shallow_since)
        self.shallow_run = np.where(shallow, self.shallow_run + 1, np.where(valid, 0, self.shallow_run))
        low = valid & (ratio <= self.depth) & (total <= self.depth + 0.1) & (~few | deep)
        sustained = shallow & (self.shallow_days > 0) & (self.shallow_run >= self.shallow_days)
        # A sustained run counts from its first day.
        self.run_start = np.where(sustained & (self.run_start < 0), self.shallow_since, self.run_start)
        low |= sustained
        counted = valid & (~few | low)
        self.cusum = np.where(counted, np.maximum(0.0, self.cusum - z - self.allowance), self.cusum)
        self.cusum = np.where(counted & ~low & (ratio >= 1.0), 0.0, self.cusum)
        starting = valid & low & (self.run_start < 0)
        self.run_start = np.where(starting, t, self.run_start)
        self.run_start = np.where(valid & ~low, -1, self.run_start)
        opening = valid & ~self.open_ & low & (self.cusum >= self.threshold)
        self.ep_start = np.where(opening, self.run_start, self.ep_start)
        self.ep_detected = np.where(opening, t, self.ep_detected)
        self.open_ |= opening
        recovered = valid & self.open_ & (ratio >= self.recover)
        if recovered.any():
            for r in np.flatnonzero(recovered):
                self.closed.append(self._record(r, end=self.last_down[r]))
            self.open_ &= ~recovered
            self.cusum[recovered] = 0.0
            self.run_start[recovered] = -1
        # Judging stops (a break window begins, members vanish): close after two such days.
        self.blind = np.where(self.open_ & ~valid, self.blind + 1, 0)
        lost_sight = self.open_ & (self.blind >= 2)
        for r in np.flatnonzero(lost_sight):
            self.closed.append(self._record(r, end=self.last_down[r]))
        self.open_ &= ~lost_sight
        self.cusum[lost_sight] = 0.0
        self.run_start[lost_sight] = -1
        active = self.open_ & valid
        self.last_down = np.where(active, t, self.last_down)
        for key, arr in (("expected", self.ep_expected), ("observed", self.ep_observed),
                         ("lost", self.ep_lost), ("members", self.ep_members)):
            arr += np.where(active, sums[key], 0.0)
        for arr in (self.ep_expected, self.ep_observed, self.ep_lost, self.ep_members):
            arr[~self.open_] = 0.0
        # Only ordinary days teach the spread: an outage must not widen its own yardstick.
        learn = valid & ~few & ~self.open_ & ~low
        self.hist[learn, self.pos % self.history] = log_rel[learn]
        self.pos += int(learn.any())
        return self.open_.copy()

    def after_dark(self, t: int, present: np.ndarray, hidden: np.ndarray, log_rel_all: np.ndarray,
                   sums_all: dict) -> None:
        """After `step`, on the regions `present` (with members to judge): `hidden` ones were
        judged by nobody today; `log_rel_all` and `sums_all` are over all their members. An
        outage-deep fall of them all, from a day they were all normal, is remembered; when they
        are all normal again after at most `dark_days` such days, the fall is recorded as a
        resolved episode detected today. All of them: the day after its schools' break began,
        a region may be judged by its universities alone, which are normal."""
        ratio_all = np.exp(log_rel_all)
        total_all = sums_all["observed"] / np.maximum(sums_all["expected"], 1e-9)
        dark = hidden & (ratio_all <= self.few_depth) & (total_all <= self.few_depth + 0.1)
        normal = present & (ratio_all >= self.recover)
        back = normal & ~self.open_ & (self.dark_run > 0) & (self.dark_run <= self.dark_days)
        for r in np.flatnonzero(back):  # loop over regions found dark, not institutions
            self.closed.append({"index": int(r), "start": int(self.dark_since[r]),
                                "detected": int(t), "end": int(self.dark_last[r]),
                                **{k: float(v) for k, v in zip(SUMS, self.dark_sums[r])}})
        # Only a fall from a normal day counts: a break's last day can read dark alone (its
        # universities busy until then) and is followed by a normal day too.
        starting = dark & (self.dark_run == 0) & self.lit
        self.dark_since = np.where(starting, t, self.dark_since)
        self.dark_sums[starting] = 0.0
        self.dark_sums[dark] += np.stack([sums_all[k] for k in SUMS], axis=1)[dark]
        self.dark_last = np.where(dark, t, self.dark_last)
        self.dark_run = np.where(dark & (starting | (self.dark_run > 0)), self.dark_run + 1, 0)
        self.lit = normal

    def _record(self, r: int, end: int) -> dict:
        return {"index": int(r), "start": int(self.ep_start[r]), "detected": int(self.ep_detected[r]),
                "end": int(end), "expected": float(self.ep_expected[r]),
                "observed": float(self.ep_observed[r]), "lost": float(self.ep_lost[r])}

    def still_open(self) -> list[dict]:
        return [{**self._record(r, end=-1), "end": None} for r in np.flatnonzero(self.open_)]


def platform_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of consecutive flagged days."""
    runs: list[tuple[int, int]] = []
    idx = np.flatnonzero(flags)
    if len(idx) == 0:
        return runs
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], [idx[-1]]])
    return [(int(a), int(b)) for a, b in zip(starts, ends)]
