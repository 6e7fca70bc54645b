"""formcheck batch: inputs, resumability, a bad file, a killed worker, the overview; local pool and Ray."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import jsonschema
import pytest
from conftest import SAMPLE_VIDEOS

from formcheck.batch.inputs import ManifestError, Recording, collect, read_manifest
from formcheck.batch.job import Settings
from formcheck.batch.overview import collect_rows
from formcheck.batch.runner import MARKER, run_batch
from formcheck.cli import main

SCHEMA = Path(__file__).resolve().parents[1] / "formcheck" / "schemas" / "session_summary.schema.json"


def _clip(src: Path, dst: Path, frames: int) -> Path:
    """The first ``frames`` frames of a sample video, as a short test clip."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    writer = None
    for _ in range(frames):
        ok, image = cap.read()
        if not ok:
            break
        if writer is None:
            h, w = image.shape[:2]
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        writer.write(image)
    writer.release()
    cap.release()
    return dst


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory) -> Path:
    """Two short clips, one damaged file and a manifest naming them."""
    folder = tmp_path_factory.mktemp("inputs")
    _clip(SAMPLE_VIDEOS / "aerobic_march_good.mp4", folder / "march.mp4", 45)
    _clip(SAMPLE_VIDEOS / "nerve_floss_faults.mp4", folder / "floss.mp4", 45)
    (folder / "broken.mp4").write_bytes((SAMPLE_VIDEOS / "bird_dog_good.mp4").read_bytes()[:4000])
    (folder / "manifest.csv").write_text(
        "path,exercise,patient,symptomatic_side\n"
        "march.mp4,aerobic_march,p01,\n"
        "floss.mp4,nerve_floss,p02,left\n"
        "broken.mp4,bird_dog,p03,\n"
        f"{SAMPLE_VIDEOS / 'aerobic_march_good.mp4'},auto,p04,\n"
    )
    return folder


def test_manifest_and_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.mp4").write_bytes(b"")
    (tmp_path / "a" / "notes.txt").write_text("")
    (tmp_path / "m.csv").write_text("Path,Exercise,Session,Side\na/x.mp4,auto,s1,Left\n")
    recs = collect([tmp_path / "a", tmp_path / "m.csv"], exercise="bird_dog")
    assert [(r.path.name, r.exercise, r.patient, r.symptomatic_side) for r in recs] == [
        ("x.mp4", "bird_dog", "", None),
        ("x.mp4", "auto", "s1", "left"),
    ]
    (tmp_path / "bad.csv").write_text("path,symptomatic_side\nx.mp4,middle\n")
    with pytest.raises(ManifestError, match="symptomatic side"):
        read_manifest(tmp_path / "bad.csv")
    with pytest.raises(ManifestError, match="not found"):
        collect([tmp_path / "missing.mp4"])


def test_output_folder_names_stay_inside_the_batch():
    rec = Recording(Path("/data/../x/clip one.mp4"), patient="../../etc/passwd")
    key = rec.key
    assert "/" not in key and not key.startswith(".") and key not in (".", "..")
    assert Recording(Path("/a/clip.mp4")).key != Recording(Path("/b/clip.mp4")).key


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["batch", str(tmp_path / "nothing.mp4"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "input not found" in err
    (tmp_path / "x.mp4").write_bytes(b"")
    assert main(["batch", str(tmp_path / "x.mp4"), "--out", str(tmp_path / "out"), "-e", "squats"]) == 2
    assert "unknown exercise 'squats'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _check_batch(out: Path, results_attempts: dict) -> None:
    rows = {r["file"]: r for r in collect_rows(out)}
    assert rows["march.mp4"]["status"] == "done" and rows["march.mp4"]["exercise"] == "aerobic_march"
    assert rows["floss.mp4"]["status"] == "done" and rows["floss.mp4"]["exercise"] == "nerve_floss"
    assert rows["broken.mp4"]["status"] == "failed" and rows["broken.mp4"]["exit_code"] == 3
    for name in ("march.mp4", "floss.mp4"):
        folder = out / rows[name]["recording"]
        assert {"summary.json", "track.jsonl", "frames.csv", "report.html", MARKER} <= {
            p.name for p in folder.iterdir()
        }
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["ended"] == "completed" and summary["pose"]["frames"] == 45
        assert summary["source"]["name"].endswith(name)  # the recording's own path, not a scratch copy
        marker = json.loads((folder / MARKER).read_text())
        assert marker["model_sha256"] == summary["model"]["sha256"] and marker["worker"]["formcheck"]
    if results_attempts is not None:  # the local pool counts; Ray retries on its own
        assert results_attempts["floss.mp4"] == 2  # its first worker was killed: redone, not lost
    lines = (out / "sessions.csv").read_text().splitlines()
    assert lines[0] == "# formcheck.batch_sessions 1"
    table = list(csv.DictReader(lines[1:]))
    assert len(table) == 4 and {r["patient"] for r in table} == {"p01", "p02", "p03", "p04"}
    page = (out / "index.html").read_text()
    assert page.count("<tr class=") == 4 and 'href="' + rows["march.mp4"]["report"] + '"' in page
    # 'auto' (a whole sample video, 10 s of marching): recognised from the pose, judged by its rules.
    auto = next(r for r in table if r["patient"] == "p04")
    summary = json.loads((out / auto["recording"] / "summary.json").read_text())
    jsonschema.validate(summary, json.loads(SCHEMA.read_text()))
    segments = summary["recognition"]["segments"]
    assert auto["status"] == "done" and [s["exercise"] for s in segments] == ["aerobic_march"]
    assert auto["exercise"] == "aerobic_march" and int(auto["left"]) + int(auto["right"]) > 0
    marker = json.loads((out / auto["recording"] / MARKER).read_text())
    assert marker["recognition"]["segments"] == segments


def _run(small_batch, out, engine, tmp_path):
    recordings = collect([small_batch / "manifest.csv"])
    crash = tmp_path / "crash-once"
    crash.write_text(next(r.key for r in recordings if r.path.name == "floss.mp4"))
    settings = Settings(max_side=480, write_video=False, stills=False, crash_once=str(crash))
    from formcheck.pose.models import ensure_model

    outcome = run_batch(recordings, out, engine, settings, ensure_model("full"), progress=False)
    assert not crash.exists()
    by_name = {Path(json.loads((out / r.key / MARKER).read_text())["input"]["path"]).name: r for r in outcome.results}
    return outcome, recordings, settings, {n: r.attempt for n, r in by_name.items()}


@pytest.mark.model
def test_local_pool_batch_is_resumable_and_survives_bad_file_and_killed_worker(small_batch, tmp_path):
    from formcheck.batch.local import LocalEngine

    out = tmp_path / "out"
    outcome, recordings, settings, attempts = _run(small_batch, out, LocalEngine(2), tmp_path)
    assert (outcome.done, len(outcome.failed), outcome.skipped) == (3, 1, 0)
    _check_batch(out, attempts)
    # A second run skips the finished recordings and retries only the failed one.
    first = (out / recordings[0].key / "summary.json").read_text()
    from formcheck.pose.models import ensure_model

    again = run_batch(recordings, out, LocalEngine(2), settings, ensure_model("full"), progress=False)
    assert (again.done, len(again.failed), again.skipped) == (0, 1, 3)
    assert (out / recordings[0].key / "summary.json").read_text() == first
    # A folder left without its marker (an interrupted job) is redone.
    (out / recordings[0].key / MARKER).unlink()
    (out / recordings[0].key / "leftover.tmp").write_text("")
    third = run_batch(recordings[:1], out, LocalEngine(1), settings, ensure_model("full"), progress=False)
    assert third.done == 1 and not (out / recordings[0].key / "leftover.tmp").exists()


@pytest.mark.model
def test_ray_batch_survives_bad_file_and_killed_worker(small_batch, tmp_path):
    pytest.importorskip("ray")
    from formcheck.batch.ray_engine import RayEngine

    out = tmp_path / "out"
    outcome, _, _, attempts = _run(small_batch, out, RayEngine(2), tmp_path)
    assert (outcome.done, len(outcome.failed)) == (3, 1)
    _check_batch(out, None)  # floss.mp4's first worker was killed (the crash file is gone) and it is done
    assert json.loads(next(out.glob("p01_*/" + MARKER)).read_text())["engine"] == "ray"
