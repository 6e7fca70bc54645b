"""Whether this machine can show a window, asked of a throw-away process.

OpenCV's GUI backend (Qt in the pip wheels) aborts the whole process when it
finds no display or no platform plugin for the one asked for (for example
``QT_QPA_PLATFORM=offscreen`` with a wheel that ships only ``xcb``): no
exception reaches Python, so the only safe question is one put to a child
that may die instead of us.
"""

from __future__ import annotations

import subprocess
import sys

_PROBE = "import cv2; cv2.namedWindow('formcheck-probe'); cv2.waitKey(1); cv2.destroyAllWindows()"


def window_problem(timeout_s: float = 20.0) -> str | None:
    """None when a window can be opened here, else a short reason why not."""
    try:
        probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the window check did not finish ({type(exc).__name__})"
    if probe.returncode == 0:
        return None
    lines = probe.stderr.decode(errors="replace").strip().splitlines()
    reason = next((line for line in lines if "plugin" in line.lower() or "display" in line.lower()), "")
    return reason[:120] or f"the GUI backend stopped with code {probe.returncode}"
