"""The synthetic institution directory is importable and looks like Ukraine's."""

from __future__ import annotations

import numpy as np
import polars as pl

from monitor.directory import Mapper, parse_directory
from monitor.regions import KINDS, REGIONS
from monitor.scenario.institutions import make_institutions


def test_directory_imports_cleanly_and_maps_each_key_back(tmp_path):
    directory, _ = make_institutions(4000, np.random.default_rng(9))
    path = tmp_path / "institutions.csv"
    directory.write_csv(path)
    parsed = parse_directory(path)  # raises on bad regions, kinds, duplicate ids
    mapper = Mapper(parsed)  # raises when a domain, group or account is claimed twice
    assert len(parsed) == 4000
    for row in directory.sample(200, seed=1).iter_rows(named=True):
        iid = row["institution_id"]
        assert mapper.resolve(None, row["zoom_group"], None, None) == iid
        assert mapper.resolve(None, None, None, "staff." + row["email_domains"]) == iid
        if row["zoom_account_id"]:
            assert mapper.resolve(row["zoom_account_id"], None, None, None) == iid


def test_directory_values_follow_the_conventions():
    directory, attrs = make_institutions(16000, np.random.default_rng(3))
    assert directory["institution_id"].str.contains(r"^UA\d{2}-[SVCU]\d{4}$").all()
    assert (
        directory["institution_id"].str.slice(0, 4) == directory["region"].str.replace("-", "")
    ).all()
    assert set(directory["region"]) <= set(REGIONS) and set(directory["kind"]) <= set(KINDS)
    assert directory["email_domains"].str.contains(r"^[a-z]+\d+-[a-z]{2}\.example\.org$").all()
    assert (
        directory["contacts"]
        .str.contains(r"^\+380 \d{2,3} 000 \d{4};director@\S+\.example\.org$")
        .all()
    )
    assert directory["name"].str.contains(r"№\d+ (м\.|с\.) \S").all()
    shares = directory["kind"].value_counts(normalize=True)
    school = shares.filter(pl.col("kind") == "school")["proportion"].item()
    assert 0.82 <= school <= 0.88
    per_region = dict(directory["region"].value_counts().iter_rows())
    assert per_region.get("UA-40", 0) < 40 and per_region.get("UA-43", 0) < 40
    assert per_region["UA-12"] > 10 * per_region.get("UA-09", 0)
    # Heavy tail: tiny rural schools and universities with 100+ meetings a day.
    size = attrs["expected_meetings"]
    assert size.min() >= 1.0 and size.max() >= 300 and size.quantile(0.5) < 10
    tiny = directory.filter((attrs["expected_meetings"] < 4) & (attrs["kind"] == "school"))
    assert tiny.height > 1000 and tiny["name"].str.contains(" с. ").all()
