"""What a host e-mail address contributes to a meeting record: its pseudonym and the
institution its domain maps to. Both are worked out once per distinct address and
remembered for the whole ingest run: the same teachers host every day, so a batch of daily
exports meets most addresses again and again.

Known addresses are looked up as written, by a 64-bit hash: a join on integers instead of
strings (the strings cost several times more on an export of a few hundred thousand
meetings), and no cleaning of addresses the run has met (stripping and lower-casing every
address cost as much as the join). Only an address not met yet is cleaned, for its pseudonym
and domain; another spelling of it ("O.K@School.ua") is one more entry with the same facts.
The address is kept next to its hash and compared after the join, so a hash collision is
caught and its rows are worked out directly: the result is exact.
"""

from __future__ import annotations

import polars as pl

from monitor.directory import Mapper
from monitor.pseudonym import Pseudonymiser

_SEED = 7
_KNOWN = {"key": pl.UInt64, "address": pl.String, "host_hash": pl.String, "domain_id": pl.String}


class Hosts:
    def __init__(self, pseudonymiser: Pseudonymiser, mapper: Mapper):
        self.pseudonymiser = pseudonymiser
        self.mapper = mapper
        self.known = pl.DataFrame(schema=_KNOWN)
        self.domain_ids: dict[str, str | None] = {}  # every domain resolved in this run

    def _facts(self, addresses: pl.Series) -> pl.DataFrame:
        """Address (as written), pseudonym and domain institution of each address, which is
        stripped and lower-cased first; null facts for an empty one."""
        one = self.pseudonymiser.one
        clean = addresses.str.strip_chars().str.to_lowercase()
        domains = pl.select(
            pl.when(clean.str.contains("@", literal=True)).then(clean.str.split("@").list.last())
        ).to_series()
        # Domains are resolved once each: a few per institution, against tens of addresses.
        for domain in domains.drop_nulls().unique().to_list():
            if domain not in self.domain_ids:
                self.domain_ids[domain] = self.mapper.resolve_domain(domain)
        return pl.DataFrame({
            # A copy: a polars string column keeps the buffers of the column it came from, so
            # the addresses as sliced from a file would keep a file's worth of them alive for
            # the whole run (~0.5 GB over 30 daily exports).
            "address": addresses + "",
            "host_hash": pl.Series([one(a) if a else None for a in clean.to_list()], dtype=pl.String),
            "domain_id": domains.replace_strict(self.domain_ids, default=None, return_dtype=pl.String),
        })

    def lookup(self, emails: pl.Series) -> pl.DataFrame:
        """`host_hash` and `domain_id` for each e-mail, in order; null for a null or empty one.
        The pseudonym is taken of the address stripped and lower-cased."""
        probe = pl.DataFrame({"address": emails}).with_columns(
            pl.when(pl.col("address").is_not_null()).then(pl.col("address").hash(seed=_SEED)).alias("key")
        )
        # Addresses the run has not met get their facts first, so that one join serves all
        # (joining again and merging columns cost as much as the join whenever a file brought
        # a few new teachers, which is nearly every file).
        fresh = probe.filter(pl.col("key").is_not_null() & ~pl.col("key").is_in(self.known["key"].implode()))
        if not fresh.is_empty():
            added = fresh.unique("key", keep="first")  # a collision inside the batch: the first one
            facts = self._facts(added["address"]).with_columns(key=added["key"]).select(list(_KNOWN))
            self.known = pl.concat([self.known, facts], rechunk=False)
        joined = _join(probe, self.known)
        collided = joined["address_known"].is_not_null() & (joined["address_known"] != joined["address"])
        if collided.any():
            joined = self._direct(joined, collided)
        return joined.select("host_hash", "domain_id")

    def _direct(self, joined: pl.DataFrame, collided: pl.Series) -> pl.DataFrame:
        """Rows whose address shares a hash with another one: worked out one by one."""
        rows = joined.with_row_index("row").filter(collided)
        fixed = rows.select("row").with_columns(self._facts(rows["address"]).select("host_hash", "domain_id"))
        return joined.with_row_index("row").update(fixed, on="row", include_nulls=True).drop("row")


def _join(probe: pl.DataFrame, known: pl.DataFrame) -> pl.DataFrame:
    """`probe` with the known facts of its keys, in its order; a known address comes back as
    `address_known`."""
    return probe.join(known.rename({"address": "address_known"}), on="key", how="left", maintain_order="left")
