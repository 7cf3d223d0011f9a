"""Shared fixtures: a fresh home directory and a CLI runner that returns exit code,
stdout and stderr separately."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MONITOR_HOME", raising=False)
    monkeypatch.delenv("MONITOR_SECRET_KEY", raising=False)
    return tmp_path / "home"


@pytest.fixture
def monitor(home: Path):
    """monitor(*args) runs the CLI against the test home, in-process."""

    def run(*args: str) -> Ran:
        result = CliRunner().invoke(main, ["--home", str(home), *args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Ran(result.exit_code, result.stdout, result.stderr, result.exception)

    return run


DIRECTORY_CSV = """institution_id,name,region,kind,zoom_account_id,zoom_group,email_domains,contacts
UA63-0007,Ліцей №7,UA-63,school,,Ліцей №7,lyceum7.example.org,+380 57 000 0007
UA30-0001,Університет,UA-30,university,,,uni.example.org;kpi.example.org,rector@uni.example.org
"""


@pytest.fixture
def directory_csv(tmp_path: Path) -> Path:
    path = tmp_path / "institutions.csv"
    path.write_text(DIRECTORY_CSV, encoding="utf-8")
    return path


@dataclass
class Mailbox:
    """What a real local SMTP server (aiosmtpd) received."""

    port: int = 0
    envelopes: list = field(default_factory=list)  # aiosmtpd envelopes: rcpt_tos, content

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1, on a free port."""
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mailbox = Mailbox(port=port)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox
    controller.stop()
