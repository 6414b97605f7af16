"""Helpers of the web app's tests: a CSRF-aware client, field lookup in pages."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient


class Client:
    """A TestClient that knows its CSRF token and follows no redirect unless asked."""

    def __init__(self, tc: TestClient) -> None:
        self.tc = tc
        self.csrf = ""
        self.refresh()

    def refresh(self) -> None:
        r = self.tc.get("/")
        m = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
        assert m, "no CSRF token on the library page"
        self.csrf = m.group(1)

    def get(self, url: str, **kw: Any) -> Any:
        return self.tc.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf)
        return self.tc.post(url, data=data, **kw)

    def open_builtin(self, builtin: str = "japan-russia-2016") -> int:
        r = self.post("/scenarios/builtin", {"builtin": builtin})
        assert r.status_code == 303, r.text
        return int(r.headers["location"].rsplit("/", 1)[1])

    def run(self, sid: int, kind: str = "forecast", **params: Any) -> int:
        r = self.post(f"/scenarios/{sid}/run", {"kind": kind, **{k: str(v) for k, v in params.items()}})
        assert r.status_code == 303, r.text
        return int(r.headers["location"].rsplit("/", 1)[1])

    def wait(
        self, rid: int, timeout: float = 120.0, until: tuple[str, ...] = ("done", "failed", "cancelled")
    ) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while True:
            j: dict[str, Any] = self.get(f"/api/runs/{rid}").json()
            if j["status"] in until or time.monotonic() > end:
                return j
            time.sleep(0.2)


def field_html(html: str, name: str) -> str:
    """The ``<label>`` that holds the field ``name`` (with its inline problems)."""
    m = re.search(
        r'<label class="fld[^"]*">(?:(?!</label>).)*name="'
        + re.escape(name)
        + r'"(?:(?!</label>).)*</label>',
        html,
        re.S,
    )
    assert m, f"no field {name}"
    return m.group(0)


def data_file(*parts: str) -> Path:
    return Path(__file__).resolve().parents[1].joinpath("data", *parts)
