"""DetectorRun: everything DropDetector carries from one day to the next, and the per-day
record its episodes are assembled from.

Detection is causal: the state after day D depends on the data up to D only. A run stopped
after D (`DropDetector.checkpoint_`) and resumed with the days after it (`fit(resume=...)`)
therefore gives exactly what one run over all the days gives, which turns the daily run on
years of history from a replay of every day into the replay of one day.

`to_arrays` / `from_arrays` turn a run into plain arrays and back (numpy's npz holds them
without pickle, so a stored run can never carry code).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass

import numpy as np

from models.attribution import RegionState
from models.detector_state import InstitutionState

# Per-institution and per-peer-group arrays carried across days (see DropDetector.fit).
CARRIED = ("since_quiet", "own_break", "overran", "break_done", "quiet_run")
# Per-day record, one value for every day of the run (platform episodes are built from it).
PER_DAY = ("platform", "nat_expected", "observed", "missing")


@dataclass
class DetectorRun:
    origin: dt.date | None  # the first day of the run (None: no day yet)
    ids: np.ndarray  # (N,) institution ids, as in the panel
    region: np.ndarray  # (N,) region codes
    kind: np.ndarray  # (N,) index into KINDS
    inst: InstitutionState
    reg: RegionState
    since_quiet: np.ndarray  # (N,) school days since the peers were last quiet
    own_break: np.ndarray  # (N,) on its own break that outlasts its peers'
    overran: np.ndarray  # (N,) its break allowance has run out
    break_done: np.ndarray  # (2R,) the peer group has had its break in this window
    quiet_run: np.ndarray  # (2R,) days in a row the peer group has been quiet
    last_expected: float  # the nation's expected total of the last judged day
    platform: np.ndarray  # (T,) platform day
    nat_expected: np.ndarray  # (T,) the nation's expected total
    observed: np.ndarray  # (T,) the nation's observed total
    missing: np.ndarray  # (T,) no export covers the day

    @classmethod
    def fresh(cls, panel, inst: InstitutionState, reg: RegionState, n_groups: int) -> DetectorRun:
        """A run about to start on the panel's rows, with fresh institution and region states
        (its first day is set by `extend`)."""
        n = len(panel.ids)
        return cls(
            origin=None, ids=panel.ids, region=panel.region,
            kind=panel.kind, inst=inst, reg=reg,
            since_quiet=np.full(n, 999), own_break=np.zeros(n, bool), overran=np.zeros(n, bool),
            break_done=np.zeros(n_groups, bool), quiet_run=np.zeros(n_groups, np.int64),
            last_expected=0.0, platform=np.zeros(0, bool), nat_expected=np.zeros(0),
            observed=np.zeros(0), missing=np.zeros(0, bool),
        )

    @property
    def days(self) -> int:
        return len(self.platform)

    @property
    def next_day(self) -> dt.date | None:
        return None if self.origin is None else self.origin + dt.timedelta(days=self.days)

    def date(self, t: int) -> dt.date:
        return self.origin + dt.timedelta(days=t)

    def resumable_with(self, panel) -> bool:
        """Whether `panel` (the days after this run, on its rows) gives its institutions the
        run's regions and kinds: a changed directory changes every peer group, so it needs a
        run from the start."""
        return (np.array_equal(panel.region.astype(str), self.region.astype(str))
                and np.array_equal(panel.kind, self.kind))

    def extend(self, panel) -> None:
        """Make room for the panel's days and record what is known of them up front."""
        if self.origin is None and panel.dates:
            self.origin = panel.dates[0]
        t_new = len(panel.dates)
        self.platform = np.concatenate([self.platform, np.zeros(t_new, bool)])
        self.nat_expected = np.concatenate([self.nat_expected, np.zeros(t_new)])
        self.observed = np.concatenate([self.observed, np.nansum(panel.values, axis=0)])
        self.missing = np.concatenate([self.missing, ~panel.day_covered])

    def snapshot(self, days: int) -> DetectorRun:
        """A copy of the run as it stood after its first `days` days (the per-institution state
        must be the one after that day: take it then)."""
        run = copy.deepcopy(self)
        for name in PER_DAY:
            setattr(run, name, getattr(run, name)[:days])
        return run

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {}
        meta = {"origin": self.origin.isoformat() if self.origin else None,
                "last_expected": self.last_expected}
        for prefix, obj in (("inst", self.inst), ("reg", self.reg)):
            plain = {}
            for name, value in vars(obj).items():
                if isinstance(value, np.ndarray):
                    arrays[f"{prefix}.{name}"] = value
                else:
                    plain[name] = value
            meta[prefix] = plain
        for name in ("ids", "region"):
            arrays[name] = getattr(self, name).astype(str)
        arrays["kind"] = self.kind
        for name in CARRIED + PER_DAY:
            arrays[name] = getattr(self, name)
        arrays["meta"] = np.array(json.dumps(meta))
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> DetectorRun:
        meta = json.loads(str(arrays["meta"]))
        parts = {}
        for prefix, kind in (("inst", InstitutionState), ("reg", RegionState)):
            obj = kind.__new__(kind)
            vars(obj).update(meta[prefix])
            vars(obj).update({key.split(".", 1)[1]: np.asarray(arrays[key]) for key in arrays
                              if key.startswith(prefix + ".")})
            parts[prefix] = obj
        return cls(
            origin=dt.date.fromisoformat(meta["origin"]) if meta["origin"] else None,
            ids=np.asarray(arrays["ids"]).astype(object), region=np.asarray(arrays["region"]).astype(object),
            kind=np.asarray(arrays["kind"]), inst=parts["inst"], reg=parts["reg"],
            last_expected=float(meta["last_expected"]),
            **{name: np.asarray(arrays[name]) for name in CARRIED + PER_DAY},
        )
