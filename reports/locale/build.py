"""Rebuild the report catalogs: extract msgids, write uk/en messages.po, compile .mo.

Run from the repository root: `.venv/bin/python reports/locale/build.py`. The .mo files are
committed (they are package data), so installing the project needs no build step; a test
checks that they match the templates and the translation table.
"""

from __future__ import annotations

import io
import runpy
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


def main() -> int:
    pot = HERE / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(HERE / "babel.cfg"),
         "--no-location", "--omit-header", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    template = read_po(io.BytesIO(pot.read_bytes()))
    uk = runpy.run_path(str(HERE / "uk_translations.py"))["UK"]
    missing = [m.id for m in template if m.id and m.id not in uk]
    if missing:
        print("missing Ukrainian translations:", *missing, sep="\n  ")
        return 1
    for lang in ("uk", "en"):
        catalog = Catalog(locale=lang, project="continuity-monitor", fuzzy=False)
        for message in template:
            if message.id:
                catalog.add(message.id, uk[message.id] if lang == "uk" else message.id,
                            flags=message.flags)
        out = HERE / lang / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "messages.po", "wb") as f:
            write_po(f, catalog, omit_header=False, no_location=True)
        with open(out / "messages.mo", "wb") as f:
            write_mo(f, catalog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
