"""Real local receivers for alert tests: HTTP servers on 127.0.0.1 and an aiosmtpd server."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor.home import Home
from monitor.state import connect

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)


class Receiver:
    """Records every POST; can answer 500 or stall to force a client timeout."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.delay = 0.0
        self.answer = b'{"ok": true}'
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body,
                     "status": receiver.status}
                )
                if receiver.delay:
                    time.sleep(receiver.delay)
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(receiver.answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out first, as the test intended

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def json(self, i: int = -1):
        return json.loads(self.requests[i]["body"])

    def accepted(self) -> list[dict]:
        """Requests answered 2xx, de-duplicated on the idempotency key, as a receiver would."""
        seen, unique = set(), []
        for r in self.requests:
            key = r["headers"].get("Idempotency-Key")
            if r["status"] < 300 and key not in seen:
                seen.add(key)
                unique.append(r)
        return unique

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made: dict[str, Receiver] = {}

    def get(name: str) -> Receiver:
        if name not in made:
            made[name] = Receiver()
        return made[name]

    yield get
    for r in made.values():
        r.close()


def toml_value(value) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def write_config(root: Path, sections: dict[str, dict]) -> None:
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    (root / "monitor.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def make_home(tmp_path):
    """A home with a few institutions in two regions and the given config sections."""

    def make(sections: dict[str, dict]) -> Home:
        write_config(tmp_path, sections)
        home = Home.open(tmp_path)
        with connect(home.state_db) as conn:
            conn.executemany(
                "INSERT INTO institutions (institution_id, name, region, kind) VALUES (?,?,?,?)",
                [("khk-001", "Ліцей №1", "UA-63", "school"),
                 ("khk-002", "Гімназія №2", "UA-63", "school"),
                 ("lv-001", "Lviv College", "UA-46", "college")],
            )
        return home

    return make


def put_episode(home: Home, episode_id: str, *, scope: str = "institution",
                institution_id: str | None = "khk-001", region: str | None = "UA-63",
                status: str = "open", parent_id: str | None = None,
                explanation: str = "Participants fell to 5% of the expected level.") -> None:
    """Insert or update an episode row the way detection writes it."""
    conn = connect(home.state_db)
    try:
        conn.execute(
            """INSERT INTO episodes (id, scope, institution_id, region, start, detected_on, "end",
                   status, severity, expected, observed, metric, explanation, parent_id, updated_at)
               VALUES (?,?,?,?, '2026-02-26', '2026-02-27', ?, ?, 0.95, 400, 20, 'participants',
                       ?, ?, '2026-02-27T06:30:00Z')
               ON CONFLICT (id) DO UPDATE SET status = excluded.status, "end" = excluded."end"
            """,
            (episode_id, scope, institution_id, region,
             None if status == "open" else "2026-03-01", status, explanation, parent_id),
        )
    finally:
        conn.close()


@pytest.fixture
def episode():
    return put_episode


@pytest.fixture
def t0():
    return T0
