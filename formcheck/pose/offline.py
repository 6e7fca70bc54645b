"""Keep a process that runs the pose model off the network.

MediaPipe's native library sends usage logs to Google on its own threads
(google-ai-edge/mediapipe#6291: connections to play.googleapis.com) and has
no switch to stop it. formcheck promises that no video or landmark data,
nor anything else, leaves the machine at run time, and a process that only
runs the model needs no sockets at all: it forbids itself to create any. A
seccomp filter (loaded for every thread, present and future) makes
``socket()`` fail with EACCES, so no connection and no name lookup can be
made, while the pipes and shared memory that carry frames and landmarks to
and from it (``socketpair``, ``pipe``, files) work as before.
"""

from __future__ import annotations

import errno
import sys

WHY_NOT = "formcheck could not cut the pose model off the network on this system"


def forbid_network() -> str | None:
    """Forbid this process, all its threads included, to open sockets; call before the model is loaded.

    Returns ``None`` when done, else why it could not be (not Linux, no
    libseccomp, a kernel without seccomp filters).
    """
    if sys.platform != "linux":
        return f"{WHY_NOT} (only Linux can do it)"
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError, OSError):
        return f"{WHY_NOT} (the system library libseccomp is missing)"
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket")
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # the threads already running too
        rules.load()
    except (OSError, RuntimeError, ValueError) as exc:
        return f"{WHY_NOT} ({exc})"
    return None
