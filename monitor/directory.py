"""The institution directory: CSV import, and mapping meetings to institutions.

Mapping precedence (DESIGN.md section 4): Zoom account, then Zoom group or department, then
the host e-mail domain (exact, or a subdomain of a listed domain).
"""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl

from monitor.errors import DirectoryError
from monitor.regions import KINDS, REGIONS
from monitor.state import transaction


@dataclass(frozen=True)
class Institution:
    institution_id: str
    name: str
    region: str
    kind: str
    zoom_account_id: str = ""
    zoom_group: str = ""
    email_domains: str = ""
    contacts: str = ""

    @property
    def domains(self) -> list[str]:
        return _split(self.email_domains)


COLUMNS = [f.name for f in fields(Institution)]
REQUIRED = ("institution_id", "name", "region", "kind")


def _split(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(";") if part.strip()]


def parse_directory(path: Path) -> list[Institution]:
    """Read and check a directory CSV; any problem raises DirectoryError naming the row."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DirectoryError(f"{path}: no such file; give the path of the directory CSV") from None
    except UnicodeDecodeError:
        raise DirectoryError(f"{path}: not UTF-8 text; save the directory as UTF-8 CSV") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DirectoryError(
            f"{path}: missing column '{missing[0]}'; the header must name {', '.join(COLUMNS)}"
        )
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise DirectoryError(f"{path}: unknown column '{unknown[0]}'; allowed: {', '.join(COLUMNS)}")
    reader.fieldnames = header
    rows: list[Institution] = []
    for line, raw in enumerate(reader, start=2):
        values = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        where = f"{path} line {line}"
        for column in REQUIRED:
            if not values[column]:
                raise DirectoryError(f"{where}: empty {column}; every institution needs one")
        if values["region"] not in REGIONS:
            raise DirectoryError(
                f"{where}: unknown region code '{values['region']}'; "
                "use ISO 3166-2:UA codes such as UA-63 (Kharkiv) or UA-30 (Kyiv city)"
            )
        if values["kind"] not in KINDS:
            raise DirectoryError(
                f"{where}: unknown kind '{values['kind']}'; use one of {', '.join(KINDS)}"
            )
        values["email_domains"] = ";".join(_split(values["email_domains"]))
        rows.append(Institution(**values))
    if not rows:
        raise DirectoryError(f"{path}: no institutions in the file; add rows under the header")
    seen: set[str] = set()
    for inst in rows:
        if inst.institution_id in seen:
            raise DirectoryError(
                f"{path}: duplicate institution_id '{inst.institution_id}'; ids must be unique"
            )
        seen.add(inst.institution_id)
    return rows


def import_directory(conn: sqlite3.Connection, path: Path) -> tuple[int, int]:
    """Upsert the file's institutions. Returns (added, updated). All or nothing."""
    incoming = parse_directory(path)
    existing = {i.institution_id: i for i in load_directory(conn)}
    merged = {**existing, **{i.institution_id: i for i in incoming}}
    Mapper(list(merged.values()), source=str(path))  # raises on conflicting claims
    added = sum(1 for i in incoming if i.institution_id not in existing)
    with transaction(conn):
        conn.executemany(
            f"INSERT OR REPLACE INTO institutions ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in COLUMNS)})",
            [tuple(getattr(i, c) for c in COLUMNS) for i in incoming],
        )
        # Zero-filled daily rows depend on the directory: recompute every stored month.
        conn.execute(
            "INSERT OR IGNORE INTO dirty_months (month) SELECT DISTINCT month FROM parts"
        )
    return added, len(incoming) - added


def load_directory(conn: sqlite3.Connection) -> list[Institution]:
    cursor = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM institutions ORDER BY institution_id")
    return [Institution(*row) for row in cursor]


def directory_frame(conn: sqlite3.Connection) -> pl.DataFrame:
    rows = load_directory(conn)
    return pl.DataFrame(
        {c: [getattr(i, c) for i in rows] for c in COLUMNS}, schema={c: pl.String for c in COLUMNS}
    )


class Mapper:
    """Resolves (account, group, department, host domain) to an institution id."""

    def __init__(self, institutions: list[Institution], source: str = "directory"):
        self.by_account = self._claims(institutions, lambda i: [i.zoom_account_id], "zoom_account_id", source)
        self.by_group = self._claims(institutions, lambda i: [i.zoom_group], "zoom_group", source)
        self.by_domain = self._claims(institutions, lambda i: i.domains, "email domain", source)

    @staticmethod
    def _claims(institutions, keys_of, what: str, source: str) -> dict[str, str]:
        owner: dict[str, str] = {}
        for inst in institutions:
            for key in keys_of(inst):
                key = key.strip()
                if not key:
                    continue
                folded = key.casefold()
                if folded in owner and owner[folded] != inst.institution_id:
                    raise DirectoryError(
                        f"{source}: {what} '{key}' is claimed by both {owner[folded]} and "
                        f"{inst.institution_id}; give each to one institution"
                    )
                owner[folded] = inst.institution_id
        return owner

    def resolve(self, account: str | None, group: str | None, department: str | None,
                domain: str | None) -> str | None:
        if account and (hit := self.by_account.get(account.strip().casefold())):
            return hit
        return self.resolve_unit(group) or self.resolve_unit(department) or self.resolve_domain(domain)

    def resolve_unit(self, unit: str | None) -> str | None:
        """A Zoom group or department: `;`-separated names, the first claimed one wins."""
        for part in (unit or "").split(";"):
            if part.strip() and (hit := self.by_group.get(part.strip().casefold())):
                return hit
        return None

    def resolve_domain(self, domain: str | None) -> str | None:
        """A host e-mail domain, exact or a subdomain of a claimed one."""
        if domain:
            labels = domain.strip().lower().split(".")
            for start in range(len(labels) - 1):
                if hit := self.by_domain.get(".".join(labels[start:])):
                    return hit
        return None

    def column_ids(self, groups: pl.Series, departments: pl.Series, domain_ids: pl.Series) -> pl.Series:
        """`resolve` for columns of meeting records, which carry no account: group, then
        department, then `domain_ids` (the host domains already resolved, once per address,
        by monitor.ingest.hosts)."""
        return pl.coalesce(self._unit_ids(groups), self._unit_ids(departments), domain_ids)

    def _unit_ids(self, units: pl.Series) -> pl.Series:
        """`resolve_unit` of a column, once per distinct value (a handful per export)."""
        if not self.by_group:
            return pl.repeat(None, len(units), dtype=pl.String, eager=True).alias(units.name)
        values = units.drop_nulls().unique()
        ids = pl.Series([self.resolve_unit(v) for v in values], dtype=pl.String)
        return units.replace_strict(values, ids, default=None, return_dtype=pl.String)
