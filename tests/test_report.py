"""The session report and frames.csv, made from a real analysed output folder (the sample bird dog clip)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.exercises import create
from formcheck.frames import read_csv
from formcheck.report import make_report
from formcheck.report.replay import replay

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO / "sample_videos" / "bird_dog_good.mp4"


def formcheck(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "formcheck", *map(str, args)], capture_output=True, text=True, timeout=300, **kwargs
    )


@pytest.fixture(scope="session")
def analysed(tmp_path_factory, model_path) -> tuple[Path, Path]:
    """One real run of ``formcheck analyze`` (report and history included); (output folder, history db)."""
    base = tmp_path_factory.mktemp("analysed")
    out, db = base / "out", base / "history.sqlite3"
    result = formcheck(
        "analyze",
        CLIP,
        "-e",
        "bird_dog",
        "-o",
        out,
        "-q",
        "--db",
        db,
        "--pain-before",
        2,
        "--pain-after",
        5,
        "--no-tingling-before",
        "--tingling-after",
    )
    assert result.returncode == 0, result.stderr
    return out, db


@pytest.fixture(scope="session")
def with_faults(analysed, tmp_path_factory) -> Path:
    """The same track re-judged with strict thresholds (back within 3 degrees of its rest, leg below -5): faults."""
    folder = tmp_path_factory.mktemp("faulty")
    shutil.copy(analysed[0] / "track.jsonl", folder / "track.jsonl")
    result = formcheck(
        "rerun",
        folder / "track.jsonl",
        "-e",
        "bird_dog",
        "--threshold",
        "back_tilt_max=3",
        "--threshold",
        "leg_high_elevation=-5",
        "-o",
        folder / "summary.json",
    )
    assert result.returncode == 0, result.stderr
    result = formcheck("report", folder)
    assert result.returncode == 0, result.stderr
    return folder


def assert_self_contained(html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
    assert "<script" not in html.lower() and "<link" not in html.lower() and "@import" not in html


def card(html: str, label: str) -> str:
    return re.search(rf"<div class='n[^']*'>([^<]*)</div><div class=l>{label}</div>", html).group(1)


def test_analyze_writes_a_report_with_the_runs_counts(analysed):
    out, _ = analysed
    summary = json.loads((out / "summary.json").read_text())
    ex = summary["exercises"][0]
    html = (out / "report.html").read_text()
    assert "<h1>Bird dog</h1>" in html and 'name="viewport"' in html
    assert card(html, "holds") == str(ex["reps"]) == "4"
    assert card(html, "good form") == str(ex["good_reps"]) == "4"
    assert card(html, "with faults") == "0"
    for side, s in ex["per_side"].items():  # per-side table: side, holds, good, with faults, held
        held = ", ".join(f"{h:.1f}" for h in s["hold_s"])
        assert (
            f"<td>{side}</td><td class=num>{s['reps']}</td><td class=num>{s['good']}</td>"
            f"<td class=num>{s['with_faults']}</td><td>{held}</td>" in html
        )
    assert "Each hold against its target" in html and "Reaching arm elevation" in html
    assert html.count("<svg") == 3  # holds chart, arm and leg angle plots (no fault timeline: no faults)
    assert "No faults: good form throughout." in html
    # the check-in given on the command line: pain 2 -> 5, tingling no -> yes, flagged
    assert summary["checkin"] == {"pain_before": 2, "pain_after": 5, "tingling_before": False, "tingling_after": True}
    assert "<td>Pain (0-10)</td><td class=num>2</td><td class=num>5</td>" in html
    assert "Symptoms were worse after the session" in html
    assert html.count("data:image/jpeg;base64,") == 2  # best and worst hold stills
    assert_self_contained(html)


def test_frames_csv_has_a_row_per_frame_with_the_angles(analysed):
    out, _ = analysed
    summary = json.loads((out / "summary.json").read_text())
    assert (out / "frames.csv").read_text().startswith("# formcheck.frames 1\n")
    assert summary["outputs"]["frames"] == "frames.csv"
    rows = read_csv(out / "frames.csv")
    assert len(rows) == summary["pose"]["frames"] == 394
    assert [int(r["frame"]) for r in rows] == list(range(394))
    assert {"t_s", "phase", "side", "reps_done", "hold_s", "signal", "angle_arm", "angle_leg", "faults"} <= set(rows[0])
    times = [float(r["t_s"]) for r in rows]
    assert times == sorted(times)
    assert rows[-1]["reps_done"] == "4"
    holding = [r for r in rows if r["phase"] == "hold"]
    legs = sorted(float(r["angle_leg"]) for r in holding)
    assert holding and -20 < legs[len(legs) // 2] < 20  # the leg near horizontal while held


def test_replay_reproduces_the_runs_summary_and_frames(analysed):
    out, _ = analysed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conditioning"]["min_visibility"] == 0.5  # recorded, so a replay conditions the same way
    again = replay(out / "track.jsonl", "bird_dog", summary)
    assert again.exercise.summary() == summary["exercises"][0]
    assert again.frames.angle_names == ["arm", "leg"]
    # frames.csv is what the run wrote as it went; the replay judges the saved track, whose coordinates are
    # rounded to 5 digits, so its angles may differ in the last decimal and in nothing else
    written = read_csv(out / "frames.csv")
    assert len(written) == len(again.frames.rows)
    for run_row, replayed in zip(written, again.frames.rows):
        assert set(run_row) == {*again.frames.rows[0], "angle_arm", "angle_leg", "ok_arm", "ok_leg"}
        for column, text in run_row.items():
            value = replayed.get(column)
            if column.startswith("angle_") or column == "signal":
                assert (text == "") == (value is None) and (value is None or abs(float(text) - value) < 0.05)
            else:
                assert text == ("" if value is None else str(value)), column


def test_faults_are_shown_with_their_cues_and_timeline(with_faults):
    summary = json.loads((with_faults / "summary.json").read_text())
    ex = summary["exercises"][0]
    assert ex["reps_with_faults"] >= 1 and ex["faults"]
    html = (with_faults / "report.html").read_text()
    assert card(html, "with faults") == str(ex["reps_with_faults"])  # the card shows the summary's count
    assert "Fault timeline" in html and html.count("<svg") == 4
    for fault in ex["faults"]:
        assert fault["cue"] in html
    assert "data:image" not in html  # a rerun's folder has no video: no stills
    rows = read_csv(with_faults / "frames.csv")  # a rerun's folder: frames.csv re-made from the track
    assert {f["id"] for f in ex["faults"]} <= {i for r in rows for i in r["faults"].split()}
    assert_self_contained(html)


def test_report_command_remakes_the_report_without_stills(analysed, tmp_path):
    out, _ = analysed
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "report.html").unlink()
    result = formcheck("report", copy, "--no-stills")
    assert result.returncode == 0, result.stderr
    html = (copy / "report.html").read_text()
    assert "data:image" not in html and card(html, "holds") == "4"


def test_report_of_a_folder_without_a_summary_is_one_clear_error(tmp_path):
    result = formcheck("report", tmp_path)
    assert (
        result.returncode != 0 and result.stderr.startswith("formcheck: error: ") and "Traceback" not in result.stderr
    )


def test_analyze_recorded_the_session_in_the_history(analysed):
    from formcheck import history

    out, db = analysed
    sessions = history.list_sessions(db=db)
    assert len(sessions) == 1
    s = sessions[0]
    assert s["out_dir"] == str(out.resolve()) and s["mode"] == "analyze"
    assert [(e["exercise"], e["reps"], e["good_reps"]) for e in s["exercises"]] == [("bird_dog", 4, 4)]
    assert s["checkin"]["pain_before"] == 2 and s["checkin"]["tingling_after"] == 1


def test_make_report_is_a_pure_function_of_the_folder(analysed, tmp_path):
    out, _ = analysed
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    first = make_report(copy, with_stills=False).read_text()
    assert make_report(copy, with_stills=False).read_text() == first
    assert create("bird_dog")  # the catalogue is importable without the model
