"""monitor.toml: unknown keys and bad values are clear errors; every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.settings import documented_keys, example_toml, load_settings, reference_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path):
    assert load_settings(tmp_path / "missing.toml").ingest.timezone == "Europe/Kyiv"


SECTIONS = "[ingest], [smtp], [alerts], [routing], [schedule], [report], [calendar]"


@pytest.mark.parametrize("text, message", [
    ("[ingest]\ntimezon = 'Europe/Kyiv'\n", " [ingest]: unknown key 'timezon'; use one of the keys of "
     "[ingest]: timezone, max_file_mb, max_json_mb (did you mean 'timezone'?)"),
    ("[ingset]\n", f": unknown section [ingset]; use one of {SECTIONS} (did you mean [ingest]?)"),
    ("[extras]\n", f": unknown section [extras]; use one of {SECTIONS}"),
    # A key above every section header is a key, not a section.
    ("bogus = 1\n", ": 'bogus' is a key outside any section, and no section has it; delete it, and put "
     f"settings under one of the sections {SECTIONS}"),
    ("timezone = 'Europe/Kyiv'\n[ingest]\n", ": 'timezone' is a key outside any section; move it under "
     "[ingest] or [schedule] (a key belongs to the section header above it)"),
    ("ingest = 5\n", ": 'ingest' is set as a key, but it is a section; put its settings under the "
     "header [ingest] (see `monitor init`)"),
    ("[ingest]\nmax_file_mb = 'big'\n", " [ingest]: 'max_file_mb' must be an integer, not \"big\"; "
     "write e.g. max_file_mb = 8192 (the default)"),
    ("[ingest]\ntimezone = 5\n", " [ingest]: 'timezone' must be a string, not 5; write e.g. "
     "timezone = \"Europe/Kyiv\" (the default)"),
    ("[alerts]\nsend_resolved = 'yes'\n", " [alerts]: 'send_resolved' must be true or false, not "
     "\"yes\"; write e.g. send_resolved = true (the default)"),
    ("[report]\nnational_recipients = [1]\n", " [report]: 'national_recipients' must be a list of "
     "strings, not [1]; see [report] national_recipients in docs/configuration.md"),
    ("[routing]\nteams = { a = 'x' }\n", " [routing]: 'teams' must be a table of lists of strings, "
     "not {a = \"x\"}; see [routing] teams in docs/configuration.md"),
    ("[ingest]\ntimezone = 'Mars/Base'\n", " [ingest]: unknown timezone 'Mars/Base'; use an IANA name "
     "such as Europe/Kyiv"),
    ("[ingest]\nmax_json_mb = 0\n", " [ingest]: max_json_mb must be positive, not 0; give a size in "
     "MiB, e.g. max_json_mb = 512 (the default)"),
    ("[smtp]\nsecurity = 'tls'\n", " [smtp]: security must be none, starttls or ssl, not 'tls'; use "
     "starttls for port 587, ssl for 465, none for a local relay"),
    ("[report]\nlanguage = 'de'\n", ": [report] language: unknown language 'de'; use uk or en"),
    ("[report]\nrecipient_languages = { 'a@example.org' = 'de' }\n",
     ": [report] recipient_languages: unknown language 'de' for a@example.org; use uk or en"),
])
def test_bad_settings_are_clear_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == str(path) + message


def test_unreadable_files_are_clear_errors(tmp_path):
    path = write(tmp_path, "[ingest\n")
    with pytest.raises(ConfigError, match=r" is not valid TOML \(.*line 1.*\); fix the file or delete it$"):
        load_settings(path)
    path.write_bytes(b"[ingest]\ntimezone = '\xff'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == f"{path} is not UTF-8 text; save it as UTF-8"
    path.unlink()
    path.mkdir()
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == f"{path} cannot be read (Is a directory); make it a readable file or delete it"


def test_example_is_valid_and_lists_every_key(tmp_path):
    text = example_toml()
    for key in documented_keys():
        section, name = key.split(".", 1)
        assert f"[{section}]" in text and f"# {name} = " in text
    setting_line = re.compile(r"^# [a-z_]+ = ")
    uncommented = "\n".join(line[2:] if setting_line.match(line) else line for line in text.splitlines())
    load_settings(write(tmp_path, uncommented))


def test_docs_carry_the_current_settings_reference():
    """docs/configuration.md embeds reference_markdown(); regenerate with `make docs`."""
    assert reference_markdown() in DOCS.read_text(encoding="utf-8")


def test_init_writes_the_example_and_cli_reports_config_errors(monitor, home):
    assert monitor("init").exit_code == 0
    assert (home / "monitor.toml").read_text(encoding="utf-8") == example_toml()
    (home / "monitor.toml").write_text("[ingest]\nbogus = 1\n", encoding="utf-8")
    result = monitor("daily")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {home / 'monitor.toml'} [ingest]: unknown key 'bogus'")
    (home / "monitor.toml").write_text("bogus = 1\n", encoding="utf-8")
    result = monitor("daily")
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {home / 'monitor.toml'}: 'bogus' is a key outside any section, and no section has "
        f"it; delete it, and put settings under one of the sections {SECTIONS}\n")


def test_docs_list_every_receiver_kind_and_key():
    from monitor.alerts.config import RECEIVER_KEYS

    text = DOCS.read_text(encoding="utf-8")
    for kind, (required, optional) in RECEIVER_KEYS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{kind}` |"))
        for key in required | optional:
            assert f"`{key}`" in row, (kind, key)
