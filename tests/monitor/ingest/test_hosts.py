"""Host addresses become pseudonyms and domain institutions once per distinct address, looked
up by a 64-bit hash that is checked against the address."""

from __future__ import annotations

import polars as pl

from monitor.directory import Institution, Mapper
from monitor.ingest.hosts import _SEED, Hosts
from monitor.pseudonym import Pseudonymiser

KEY = b"k" * 32


def hosts() -> Hosts:
    directory = [
        Institution("UA63-0007", "Ліцей №7", "UA-63", "school", email_domains="lyceum7.example.org"),
        Institution("UA30-0001", "Університет", "UA-30", "university", email_domains="uni.example.org"),
    ]
    return Hosts(Pseudonymiser(KEY), Mapper(directory))


def test_lookup_gives_pseudonyms_and_domain_institutions_in_order():
    emails = pl.Series([" O.K@Lyceum7.example.org", None, "", "r@dept.uni.example.org", "x@elsewhere.org",
                        "o.k@lyceum7.example.org", "no-at-sign", "  "])
    found = hosts().lookup(emails)
    one = Pseudonymiser(KEY).one
    assert found["host_hash"].to_list() == [
        one("o.k@lyceum7.example.org"), None, None, one("r@dept.uni.example.org"), one("x@elsewhere.org"),
        one("o.k@lyceum7.example.org"), one("no-at-sign"), None,
    ]
    assert found["domain_id"].to_list() == ["UA63-0007", None, None, "UA30-0001", None, "UA63-0007", None, None]


def test_known_addresses_are_remembered_across_calls():
    h = hosts()
    h.lookup(pl.Series(["a@lyceum7.example.org", "b@lyceum7.example.org"]))
    again = h.lookup(pl.Series(["b@lyceum7.example.org", "c@uni.example.org"]))
    assert h.known["address"].sort().to_list() == ["a@lyceum7.example.org", "b@lyceum7.example.org", "c@uni.example.org"]
    assert again["domain_id"].to_list() == ["UA63-0007", "UA30-0001"]
    one = Pseudonymiser(KEY).one
    assert again["host_hash"].to_list() == [one("b@lyceum7.example.org"), one("c@uni.example.org")]


def test_an_address_sharing_a_hash_with_a_known_one_is_still_exact():
    h = hosts()
    victim = "t@uni.example.org"
    # Plant another address under the victim's hash, as a 64-bit collision would.
    key = pl.Series([victim]).hash(seed=_SEED)[0]
    h.known = pl.DataFrame(
        {"key": [key], "address": ["other@lyceum7.example.org"], "host_hash": ["wrong"], "domain_id": ["UA63-0007"]},
        schema=h.known.schema,
    )
    found = h.lookup(pl.Series(["x@lyceum7.example.org", victim]))
    assert found["host_hash"].to_list() == [Pseudonymiser(KEY).one("x@lyceum7.example.org"), Pseudonymiser(KEY).one(victim)]
    assert found["domain_id"].to_list() == ["UA63-0007", "UA30-0001"]
