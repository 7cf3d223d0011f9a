"""The per-institution state DropDetector carries from one day to the next (arrays over
institutions): the history buffer, the weekday profile, the CUSUM and open episodes."""

from __future__ import annotations

import numpy as np

from models.peers import nanmedian_rows

STATUS = {
    "judged": 0,
    "insufficient history": 1,
    "rest day": 2,
    "no data": 3,
    "peers quiet": 4,
    "region episode": 5,
    "platform": 6,
    "session": 7,
    "in episode": 8,
    "no peers in window": 9,
}
WEEKDAY_PRIOR = 4.0  # pseudo-observations pulling each weekday factor towards 1
WEEKDAY_DECAY = 0.9
DISP_PRIOR = 3.0  # pseudo-weight of the pooled dispersion
DISP_DECAY = 0.985
# Gauge: a level and a peer factor only ever meet as their product, so a bias in the levels
# shows as peers that sit below 1 every day. Each learned day nudges the institution's
# `gauge` towards the value that brings its peer factor back to 1 (a robust integral step,
# at most GAUGE_STEP * GAUGE_RATE a day). Without it the levels crept up by about a third a
# school year (schools still working on the days their peers start a break learn against
# half-empty peer medians) until, in the third year, most peer groups read as "quiet" and
# nobody was judged.
GAUGE_RATE = 0.02
GAUGE_STEP = 0.25
# A level learnt in an earlier school year is known less well: over the summer each school's
# activity drifts and its September ramp-up is its own, so in September the expected level
# strays further from the true one (p90 of expected / true 1.13 before the summer, 1.20
# after). Its 1/r widens by this much per week since its newest day. Without it, September
# of every later year brought twice the false alarms of other months (three school years,
# held-out seeds: F1 0.516 -> 0.524, false alarms 0.225 -> 0.209 per 1,000 institution-weeks).
STALE_DISPERSION = 0.01


class InstitutionState:
    def __init__(self, n: int, window: int, recover_days: int):
        self.n = n
        self.buf = np.full((n, window), np.nan)
        self.buf_day = np.full((n, window), -1)
        self.pos = np.zeros(n, np.int64)
        self.wsum = np.zeros((n, 5))
        self.wcnt = np.zeros((n, 5))
        self.cusum = np.zeros((n, 1))  # one column per tested drop level (see step)
        self.disp_num = np.zeros(n)
        self.disp_w = np.zeros(n)
        self.log_gauge = np.zeros(n)
        self.run_start = np.full(n, -1)
        self.col_start = np.full((n, 1), -1)  # first day of each CUSUM column's current run
        self.run_days = np.zeros(n, np.int64)
        self.run_exp = np.zeros(n)
        self.run_obs = np.zeros(n)
        self.run_lost = np.zeros(n)
        self.open_ = np.zeros(n, bool)
        self.ep_start = np.full(n, -1)
        self.ep_detected = np.full(n, -1)
        self.ep_exp = np.zeros(n)
        self.ep_obs = np.zeros(n)
        self.ep_lost = np.zeros(n)
        self.rec_x = np.zeros((n, recover_days))
        self.rec_mu = np.zeros((n, recover_days))
        self.rec_day = np.full((n, recover_days), -1)
        self.rec_n = np.zeros(n, np.int64)
        self.last_low = np.full(n, -1)
        self.zero_start = np.full(n, -1)  # first day of the current run of near-zero days
        self.zero_days = np.zeros(n, np.int64)
        self.closed: list[dict] = []
        self._rows = np.arange(n)

    def baseline(self, min_history: int, t: int, lag: int, year_first: int = -1):
        """(level, negative-binomial size r, ready) from the history buffer. Days of the last
        `lag` calendar days are left out once there is enough older history, so that a slow
        decline is measured against where the institution was, not where it is going. A level
        whose days all precede `year_first` (the first day of the current school year) is
        less certain (STALE_DISPERSION)."""
        old = (self.buf_day >= 0) & (self.buf_day <= t - lag)
        enough = np.count_nonzero(old, axis=1) >= min_history
        buf = np.where(enough[:, None] & ~old, np.nan, self.buf)
        count = np.count_nonzero(~np.isnan(buf), axis=1)
        ready = count >= min_history
        level = np.full(self.n, np.nan)
        r = np.full(self.n, 10.0)
        if ready.any():
            rows = buf[ready]
            med = nanmedian_rows(rows)
            mean = np.nanmean(rows, axis=1)
            mad = 1.4826 * nanmedian_rows(np.abs(rows - med[:, None]))
            # The mean is steadier for small counts; the median guards against leftovers.
            lvl = np.where(np.abs(mean - med) <= np.maximum(mad, 1.0) * 0.5, mean, med)
            level[ready] = lvl
            # Dispersion from the running moment estimate ((x - mu)^2 - x) / mu^2, whose mean
            # is 1/r for a gamma-Poisson count; shrunk towards a pooled value from the
            # institutions that have shown most, so small counts borrow strength. The pooled
            # value is their upper quartile of 1/r, not the median: an institution whose own
            # noise is not known yet is taken to be noisier than the typical one (fewer
            # alarms from small schools' chance runs of empty days).
            informed = self.disp_w > 2.0
            pool_src = self.disp_num[informed] / self.disp_w[informed]
            pooled = float(np.clip(np.quantile(pool_src, 0.75), 1 / 100, 1 / 2)) if informed.sum() >= 20 else 1 / 8
            inv_r = (self.disp_num + DISP_PRIOR * pooled) / (self.disp_w + DISP_PRIOR)
            newest = np.max(np.where(np.isnan(buf), -1, self.buf_day), axis=1)
            weeks = np.clip((t - newest - lag) / 7.0, 0.0, None)
            inv_r = inv_r + STALE_DISPERSION * np.where(newest < year_first, weeks, 0.0)
            r[ready] = 1.0 / np.clip(inv_r[ready], 1 / 100, 1 / 2)
        ready &= level > 0.3  # nothing to judge below about one meeting every three days
        return level, r, ready

    def gauge(self) -> np.ndarray:
        """Factor on the level that keeps the institution's typical peer factor at 1."""
        return np.exp(self.log_gauge)

    def weekday_factor(self, dow: int) -> np.ndarray:
        if dow > 4:
            return np.ones(self.n)
        return (self.wsum[:, dow] + WEEKDAY_PRIOR) / (self.wcnt[:, dow] + WEEKDAY_PRIOR)

    def learn(self, t, mask, normalised, x, expected_plain, dow, mu, peer) -> None:
        if not mask.any():
            return
        step = np.clip(np.log(np.maximum(peer, 1e-3)), -GAUGE_STEP, GAUGE_STEP)
        self.log_gauge = np.where(mask, self.log_gauge + GAUGE_RATE * step, self.log_gauge)
        ok = mask & (mu > 0.3)
        m = np.where(ok, mu, 1.0)
        xx = np.nan_to_num(x)
        moment = np.clip(((xx - m) ** 2 - xx) / m**2, -1.0, 3.0)
        # Weight: how much a day at this size tells about 1/r (nothing at tiny counts).
        weight = np.where(ok, (m / (m + 8.0)) ** 2, 0.0)
        self.disp_num = np.where(ok, self.disp_num * DISP_DECAY + weight * moment, self.disp_num)
        self.disp_w = np.where(ok, self.disp_w * DISP_DECAY + weight, self.disp_w)
        rows = self._rows[mask]
        slot = self.pos[rows] % self.buf.shape[1]
        self.buf[rows, slot] = normalised[rows]
        self.buf_day[rows, slot] = t
        self.pos[rows] += 1
        if dow <= 4:
            ok = mask & (expected_plain > 0)
            ratio = np.where(ok, x / np.where(ok, expected_plain, 1.0), 0.0)
            ratio = np.clip(ratio, 0.0, 2.0)
            weight = np.where(ok, np.minimum(expected_plain, 10.0) / 10.0, 0.0)
            self.wsum[:, dow] = np.where(ok, self.wsum[:, dow] * WEEKDAY_DECAY + weight * ratio,
                                         self.wsum[:, dow])
            self.wcnt[:, dow] = np.where(ok, self.wcnt[:, dow] * WEEKDAY_DECAY + weight,
                                         self.wcnt[:, dow])

    def reset_pending(self, mask) -> None:
        mask = mask & ~self.open_
        self.cusum[mask] = 0.0
        self.run_start[mask] = -1
        self.run_days[mask] = 0

    def step(self, t, judged, x, mu, llr, thresholds, p, hold, window_first) -> None:
        """Advance the CUSUM and the open/resolved state on institutions judged today."""
        # One day can bring at most `day_cap` of the threshold: a single-day dip never opens
        # an episode, a collapse of a big institution opens on its second day.
        # `llr` has one column per tested level (a bank of CUSUMs): the 25% one gains most from
        # near-silence, the slow one from a decline lingering at half of normal, the deep (10%)
        # one from a big, noisy institution's collapse.
        if self.cusum.shape[1] != llr.shape[1]:
            self.cusum = np.zeros(llr.shape)
            self.col_start = np.full(llr.shape, -1)
        llr = np.minimum(llr, p.day_cap * thresholds[None, :])
        new = np.where(judged[:, None], np.maximum(0.0, self.cusum + llr), self.cusum)
        # A clearly normal day ends a pending run (count-aware: small schools need more).
        back = judged & ~self.open_ & (x >= p.reset_ratio * mu) & (llr[:, 0] <= -1.0)
        new[back] = 0.0
        low = judged & (llr > 0).any(axis=1)
        was = (self.cusum > 0).any(axis=1)
        now = (new > 0).any(axis=1)
        starting = low & ~was & now & ~self.open_
        self.run_start = np.where(starting, t, self.run_start)
        self.run_days = np.where(starting, 0, self.run_days)
        pending = judged & ~self.open_ & now
        lost = np.clip(1.0 - x / np.maximum(mu, 1e-9), 0.0, 1.0)
        for arr, val in ((self.run_exp, mu), (self.run_obs, x), (self.run_lost, lost)):
            arr[:] = np.where(pending, arr + val, np.where(judged & ~self.open_, 0.0, arr))
        self.run_days = np.where(pending & low, self.run_days + 1, self.run_days)
        ended = judged & ~self.open_ & ~now
        self.run_start = np.where(ended, -1, self.run_start)
        self.run_days = np.where(ended, 0, self.run_days)
        # Each column's run begins the last day it rose from zero: its estimate of the change.
        rose = judged[:, None] & (new > 0) & ~(self.cusum > 0)
        self.col_start = np.where(rose, t, self.col_start)
        self.cusum = new
        # In a break window a run that began inside it may be the school's own break
        # starting or ending a few days off its peers': hold it a little longer.
        held = hold & (self.run_start >= window_first)
        need = np.where(held, np.maximum(p.min_days, p.window_hold + 1), p.min_days)
        # A school going silent inside a window may be starting its break before its peers
        # even when a run of merely low days began earlier: the near-zero part is held too.
        near = x < p.break_level * mu
        self.zero_days = np.where(judged, np.where(near, self.zero_days + 1, 0), self.zero_days)
        self.zero_start = np.where(judged & near & (self.zero_days == 1), t,
                                   np.where(judged & ~near, -1, self.zero_start))
        silent_hold = (hold & (self.zero_start >= window_first)
                       & (self.zero_days < p.window_hold + 1))
        crossed = (new >= thresholds[None, :]).any(axis=1)
        opening = (judged & ~self.open_ & low & crossed & (self.run_days >= need)
                   & (self.run_start >= 0) & ~silent_hold)
        if opening.any():
            # The episode starts where the evidence that fired began (the latest start among
            # the columns that crossed), not at a mild low day that happened to precede it.
            fired = (new >= thresholds[None, :]) & (self.col_start >= 0)
            changed = np.where(fired, self.col_start, -1).max(axis=1)
            self._open(opening, t, np.maximum(changed, self.run_start))
        # Open episodes: add today, then check recovery over the last judged days.
        self.ep_exp += np.where(judged & self.open_ & ~opening, mu, 0.0)
        self.ep_obs += np.where(judged & self.open_ & ~opening, x, 0.0)
        self.ep_lost += np.where(judged & self.open_ & ~opening, lost, 0.0)
        # The opening day is part of the drop, never of the recovery window.
        track = judged & self.open_ & ~opening
        self.rec_x[track] = np.roll(self.rec_x[track], -1, axis=1)
        self.rec_mu[track] = np.roll(self.rec_mu[track], -1, axis=1)
        self.rec_day[track] = np.roll(self.rec_day[track], -1, axis=1)
        self.rec_x[track, -1] = x[track]
        self.rec_mu[track, -1] = mu[track]
        self.rec_day[track, -1] = t
        self.rec_n = np.where(track, self.rec_n + 1, self.rec_n)
        self.last_low = np.where(track & (x < p.recover * mu), t, self.last_low)
        full = track & (self.rec_n >= self.rec_x.shape[1])
        back = full & (self.rec_x.sum(axis=1) >= p.recover * self.rec_mu.sum(axis=1)) & (
            self.rec_x.sum(axis=1) >= 3)
        if back.any():
            self._close(back, t)

    def _open(self, opening, t, start) -> None:
        self.open_ |= opening
        self.ep_start = np.where(opening, start, self.ep_start)
        self.ep_detected = np.where(opening, t, self.ep_detected)
        self.last_low = np.where(opening, t, self.last_low)
        self.ep_exp = np.where(opening, self.run_exp, self.ep_exp)
        self.ep_obs = np.where(opening, self.run_obs, self.ep_obs)
        self.ep_lost = np.where(opening, self.run_lost, self.ep_lost)
        # Forget the drop's own days: the level stays the pre-drop one while the episode is
        # open (nothing is learnt then), and after it the history resumes from normal days.
        purge = opening[:, None] & (self.buf_day >= self.run_start[:, None])
        self.buf[purge] = np.nan
        self.buf_day[purge] = -1
        self.rec_n = np.where(opening, 0, self.rec_n)

    def _close(self, back, t) -> None:
        # The drop ends on its last low day (the recovery window may still hold one).
        end_day = np.maximum(self.last_low, self.ep_detected)
        # The recovery days are not part of the drop.
        self.ep_exp -= np.where(back, self.rec_mu.sum(axis=1), 0.0)
        self.ep_obs -= np.where(back, self.rec_x.sum(axis=1), 0.0)
        for i in np.flatnonzero(back):  # loop over resolving episodes, not institutions
            self.closed.append(self._record(i, end=int(end_day[i])))
        self.open_ &= ~back
        self.cusum[back] = 0.0
        self.run_start = np.where(back, -1, self.run_start)
        self.run_days = np.where(back, 0, self.run_days)
        self.rec_n = np.where(back, 0, self.rec_n)

    def _record(self, i: int, end) -> dict:
        return {"index": int(i), "start": int(self.ep_start[i]), "detected": int(self.ep_detected[i]),
                "end": end, "expected": float(self.ep_exp[i]), "observed": float(self.ep_obs[i]),
                "lost": float(self.ep_lost[i])}

    def still_open(self) -> list[dict]:
        return [self._record(i, end=None) for i in np.flatnonzero(self.open_)]
