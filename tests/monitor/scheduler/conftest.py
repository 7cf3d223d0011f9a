"""A recording webhook on 127.0.0.1 and a home configured to alert it, for scheduler tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from monitor.home import Home
from monitor.state import connect


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append({"key": self.headers.get("Idempotency-Key"),
                                          "body": json.loads(body)})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def recorder():
    r = Recorder()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def hook_config(recorder):
    """write(folder, schedule) puts a monitor.toml there that routes every alert to the
    recorder's Slack-style hook, with the given [schedule] lines."""

    def write(folder, schedule: str, language: str = "uk") -> None:
        (folder / "monitor.toml").write_text(f"""
[alerts]
language = "{language}"
[alerts.receivers.hook]
kind = "slack"
url = "{recorder.url}"
[routing]
default_team = "all"
teams = {{ all = ["hook"] }}
[schedule]
{schedule}
""", encoding="utf-8")

    return write


@pytest.fixture
def fast_home(tmp_path, hook_config):
    """Dispatch every second to a Slack-style hook; ingest on, detect and weekly off."""
    hook_config(tmp_path, """ingest_interval_seconds = 1
dispatch_interval_seconds = 1
detect_time = ""
weekly_report_time = ""
misfire_grace_seconds = 30""", language="en")
    home = Home.open(tmp_path)
    with connect(home.state_db) as conn:
        conn.execute("INSERT INTO institutions (institution_id, name, region, kind) "
                     "VALUES ('sch-1', 'School 1', 'UA-63', 'school')")
        conn.execute(
            """INSERT INTO episodes (id, scope, institution_id, region, start, detected_on,
                   status, severity, expected, observed, metric, explanation, updated_at)
               VALUES ('ep-1', 'institution', 'sch-1', 'UA-63', '2026-02-26', '2026-02-27',
                       'open', 0.9, 100, 10, 'participants', 'Participants fell.',
                       '2026-02-27T06:30:00Z')""")
    return home
