#!/usr/bin/env python3
"""Render report pages to PNG in headless Chromium, at a laptop and a phone width (a development tool).

    python tools/screenshot_report.py PAGE.html [PAGE.html ...] --out shots/

Needs Debian's ``chromium`` (apt-get install chromium); the tests never call it.
Each page gives PAGE-laptop.png (1280 wide) and PAGE-phone.png (390 wide, a
phone's CSS width); both are tall enough to show the whole page.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTHS = {"laptop": (1280, 4200), "phone": (390, 7000)}


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    sys.exit("chromium not found: apt-get install -y chromium")


def shoot(page: Path, png: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            page.resolve().as_uri(),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("shots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for page in args.pages:
        for name, (w, h) in WIDTHS.items():
            png = args.out / f"{page.stem}-{name}.png"
            shoot(page, png, w, h)
            print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
