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


@pytest.mark.parametrize("text, message", [
    ("[ingest]\ntimezon = 'Europe/Kyiv'\n", "[ingest]: unknown key 'timezon'; known keys: "),
    ("[ingset]\n", ": unknown section [ingset]; known sections: "),
    ("[ingest]\nmax_file_mb = 'big'\n", "[ingest]: 'max_file_mb' must be an integer, not 'big'"),
    ("[ingest]\ntimezone = 'Mars/Base'\n", "[ingest]: unknown timezone 'Mars/Base'; use an IANA name such as Europe/Kyiv"),
    ("[ingest\n", " is not valid TOML"),
])
def test_bad_settings_are_clear_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(str(path) + message) or message in str(caught.value)


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


def test_docs_list_every_receiver_kind_and_key():
    from monitor.alerts.config import RECEIVER_KEYS

    text = DOCS.read_text(encoding="utf-8")
    for kind, (required, optional) in RECEIVER_KEYS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{kind}` |"))
        for key in required | optional:
            assert f"`{key}`" in row, (kind, key)
