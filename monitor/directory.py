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
    """Read and check a directory CSV; any problem raises DirectoryError naming the line."""
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []  # (line the record starts on, cells)
    start = 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DirectoryError(_malformed(path, text, start, reader.line_num, exc)) from None
    if not records:
        raise DirectoryError(f"{path}: the file is empty; put the header ({', '.join(COLUMNS)}) "
                             "on line 1 and one institution per line below it")
    header = _check_header(path, [h.strip() for h in records[0][1]])
    rows: list[Institution] = []
    first_line: dict[str, int] = {}
    for line, cells in records[1:]:
        if not cells:  # a blank line
            continue
        where = f"{path} line {line}"
        if any("\n" in c or "\r" in c for c in cells):
            raise DirectoryError(
                f"{where}: malformed CSV, a quoted cell opens on this line and runs on to line "
                f"{line + len(_lines(''.join(cells))) - 1}; close its quote on the same line "
                "(no directory cell holds a line break)"
            )
        if len(cells) != len(header):
            raise DirectoryError(
                f"{where}: malformed CSV, {len(cells)} cells but the header has {len(header)}; "
                "give every row one cell per column (empty cells are fine) and quote cells "
                "that contain commas"
            )
        values = dict.fromkeys(COLUMNS, "") | {k: v.strip() for k, v in zip(header, cells)}
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
        if (seen := first_line.setdefault(values["institution_id"], line)) != line:
            raise DirectoryError(
                f"{where}: duplicate institution_id '{values['institution_id']}' (also on line "
                f"{seen}); ids must be unique"
            )
        values["email_domains"] = ";".join(_split(values["email_domains"]))
        rows.append(Institution(**values))
    if not rows:
        raise DirectoryError(f"{path}: no institutions in the file; add rows under the header")
    return rows


def _read_text(path: Path) -> str:
    """The file as text; encodings and bytes that cannot be CSV text are errors with a line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DirectoryError(f"{path}: no such file; give the path of the directory CSV") from None
    except IsADirectoryError:
        raise DirectoryError(
            f"{path}: is a directory; give the path of the directory CSV"
        ) from None
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot be read ({exc.strerror}); check the path and its "
                             "permissions") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DirectoryError(f"{path} line 1: UTF-16 text, not UTF-8; save the directory as "
                             "CSV UTF-8")
    try:
        text = data.decode("utf-8-sig")  # one leading byte-order mark is allowed
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DirectoryError(f"{path} line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                             "save the directory as CSV UTF-8") from None
    for char, what, fix in (
        ("\0", "a NUL byte, so this is not CSV text (a spreadsheet or UTF-16 file?)",
         "export the directory again as CSV UTF-8"),
        ("\ufeff", "a byte-order mark (BOM) inside the file",
         "files were probably joined: remove it, or join the files without their BOMs"),
    ):
        if (at := text.find(char)) >= 0:
            raise DirectoryError(f"{path} line {len(_lines(text[:at] + '.'))}: {what}; {fix}")
    return text


def _check_header(path: Path, header: list[str]) -> list[str]:
    where = f"{path} line 1"
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DirectoryError(
            f"{where}: missing column '{missing[0]}'; the header must name {', '.join(COLUMNS)}"
        )
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise DirectoryError(f"{where}: unknown column '{unknown[0]}'; allowed: {', '.join(COLUMNS)}")
    twice = [c for c in COLUMNS if header.count(c) > 1]
    if twice:
        raise DirectoryError(f"{where}: column '{twice[0]}' appears twice; keep one of them")
    return header


def _malformed(path: Path, text: str, start: int, failed: int, exc: csv.Error) -> str:
    """The message for a record the csv module refused, naming the line its quote opens on."""
    opened = _quote_line(text, start, failed)
    if opened is None:
        return f"{path} line {start}: malformed CSV ({exc}); fix the line or export the file again"
    if opened == failed and "expected after" in str(exc):
        return (f"{path} line {opened}: malformed CSV, text after the closing quote of a cell; "
                'quote the whole cell and double quotes inside it ("")')
    return (f"{path} line {opened}: malformed CSV, unclosed quote (a quoted cell opens here and "
            'never ends); close the quote, or double quotes inside a quoted cell ("")')


def _lines(text: str) -> list[str]:
    """Lines as the csv reader counts them (\n, \r\n or a lone \r ends one)."""
    return io.StringIO(text, newline="").readlines()


def _quote_line(text: str, start: int, failed: int) -> int | None:
    """The line on which the quoted cell that broke the record from line `start` to `failed`
    opens: the CSV quoting rules, walked over that record only (an error path)."""
    rest = "".join(_lines(text)[start - 1:failed])
    line, opened, quoted, field_start, i = start, None, False, True, 0
    while i < len(rest):
        char = rest[i]
        if quoted:
            if char == '"' and rest[i + 1:i + 2] == '"':
                i += 1  # an escaped quote
            elif char == '"':
                quoted = False
                if rest[i + 1:i + 2] not in (",", "\r", "\n", ""):
                    return opened  # text after the closing quote
        elif char == '"' and field_start:
            quoted, opened = True, line
        field_start = not quoted and char in ",\r\n"
        line += char == "\n" or (char == "\r" and rest[i + 1:i + 2] != "\n")
        i += 1
    return opened if quoted else None


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
