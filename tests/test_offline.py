"""The pose model's process is cut off the network (MediaPipe would send usage logs to Google)."""

import multiprocessing
import os
import socket
import sys
import threading
from pathlib import Path

import pytest

from formcheck.pose.offline import forbid_network
from formcheck.pose.process import PoseProcess

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="seccomp filters are Linux's")


def seccomp_mode(pid: int) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Seccomp:"):
            return line.split()[1]
    return "?"


def _try_the_network(conn) -> None:
    """In a child: a thread started before the filter, then what the process can still do."""
    go, done = threading.Event(), threading.Event()
    results = {}

    def earlier_thread():
        go.wait()
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
            results["thread"] = "opened"
        except OSError:
            results["thread"] = "refused"
        done.set()

    threading.Thread(target=earlier_thread).start()
    results["why_not"] = forbid_network()
    go.set()
    done.wait()
    for name, family in (("inet", socket.AF_INET), ("inet6", socket.AF_INET6), ("unix", socket.AF_UNIX)):
        try:
            socket.socket(family, socket.SOCK_DGRAM).close()
            results[name] = "opened"
        except OSError:
            results[name] = "refused"
    try:
        socket.getaddrinfo("play.googleapis.com", 443)
        results["lookup"] = "answered"
    except OSError:
        results["lookup"] = "failed"
    a, b = multiprocessing.Pipe()  # how frames and landmarks travel still works
    a.send("still talking")
    results["pipe"] = b.recv()
    conn.send(results)


def test_a_process_cut_off_the_network_opens_no_socket_in_any_thread_but_keeps_its_pipes():
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_try_the_network, args=(child,))
    process.start()
    results = parent.recv()
    process.join()
    assert results == {
        "why_not": None,
        "thread": "refused",
        "inet": "refused",
        "inet6": "refused",
        "unix": "refused",
        "lookup": "failed",
        "pipe": "still talking",
    }
    assert seccomp_mode(os.getpid()) == "0"  # the caller is untouched


def test_the_model_process_runs_cut_off_the_network(model_path):
    with PoseProcess(model_path, (64, 48)) as poses:
        assert seccomp_mode(poses._child.pid) == "2"
    assert seccomp_mode(os.getpid()) == "0"
