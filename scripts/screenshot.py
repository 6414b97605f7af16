"""Render a report in headless Chromium (Debian's package) and save full-page screenshots.

.venv/bin/python scripts/screenshot.py realpolitik-out/japan-russia-2016/report.html out.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(html: str, png: str, width: int = 1366, height: int = 800) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(Path(html).resolve().as_uri())
        page.screenshot(path=png, full_page="--full" in sys.argv)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
