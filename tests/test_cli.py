"""The command line as a user runs it: outputs of a real analysis, and one clear line for every bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import imageio_ffmpeg
import jsonschema
import numpy as np
import pytest
from conftest import SAMPLE_VIDEOS, shared_clip

from formcheck.pose.track import read_track

SCHEMAS = Path(__file__).resolve().parents[1] / "formcheck" / "schemas"


def formcheck(*args, timeout=300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "formcheck", *map(str, args)], capture_output=True, text=True, timeout=timeout, **kwargs
    )


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("formcheck: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def write_video(path: Path, frames: list[np.ndarray], fps: float = 15.0) -> Path:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()
    return path


def test_missing_video(tmp_path):
    assert_one_line_error(formcheck("analyze", tmp_path / "nope.mp4", "-e", "bird_dog"), 3, "not found")


def test_corrupt_video(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + np.random.default_rng(0).bytes(5000))
    assert_one_line_error(formcheck("analyze", bad, "-e", "bird_dog"), 3, "cannot decode")


def test_not_a_video(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a video\n")
    assert_one_line_error(formcheck("analyze", text, "-e", "bird_dog"), 3, "cannot decode")
    assert_one_line_error(formcheck("analyze", tmp_path, "-e", "bird_dog"), 3, "folder")


def test_no_camera():
    assert_one_line_error(formcheck("live", "-e", "bird_dog", "--camera", "9", "--no-window"), 3, "no camera")


def test_unknown_exercise_and_bad_threshold(tmp_path):
    clip = write_video(tmp_path / "grey.mp4", [np.full((120, 160, 3), 128, np.uint8)] * 3)
    out = tmp_path / "out"
    assert_one_line_error(formcheck("analyze", clip, "-e", "yoga", "-o", out), 2, "unknown exercise", "bird_dog")
    assert_one_line_error(
        formcheck("analyze", clip, "-e", "bird_dog", "--threshold", "wobble=3", "-o", out), 2, "wobble"
    )
    assert_one_line_error(formcheck("analyze", clip, "-e", "bird_dog", "--threshold", "x", "-o", out), 2, "NAME=NUMBER")
    assert not out.exists()  # a refused run writes nothing


def test_no_person_in_view(tmp_path, model_path):
    rng = np.random.default_rng(1)
    frames = [cv2.GaussianBlur(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), (9, 9), 0) for _ in range(20)]
    clip = write_video(tmp_path / "empty_room.mp4", frames)
    result = formcheck("analyze", clip, "-e", "bird_dog", "-o", tmp_path / "out", "-q")
    assert_one_line_error(result, 5, "no person")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["pose"]["frames_with_person"] == 0  # what was seen is still written


def test_body_cut_off_by_the_frame(tmp_path, model_path):
    """Only the upper body of a standing person is in the picture: the exercise cannot be judged."""
    source = cv2.VideoCapture(str(shared_clip("fallback_squat_side_shutterstock.mp4")))
    frames = []
    while len(frames) < 40:
        ok, image = source.read()
        if not ok:
            break
        frames.append(np.ascontiguousarray(image[: image.shape[0] // 2]))
    source.release()
    clip = write_video(tmp_path / "top_half.mp4", frames, fps=25)
    result = formcheck("analyze", clip, "-e", "lumbar_extension", "-o", tmp_path / "out", "-q")
    assert_one_line_error(result, 5, "could not be judged")
    assert "off the bottom" in result.stderr


def test_wrong_model_file(tmp_path):
    clip = write_video(tmp_path / "grey.mp4", [np.full((120, 160, 3), 128, np.uint8)] * 3)
    junk = tmp_path / "pose.task"
    junk.write_bytes(b"this is not a model" * 200)
    out = tmp_path / "out"
    assert_one_line_error(formcheck("analyze", clip, "--model", junk, "-o", out), 4, "not a usable pose model")
    assert_one_line_error(formcheck("analyze", clip, "--model", tmp_path / "none.task", "-o", out), 4, "not found")
    assert not out.exists()


def test_truncated_model_file(tmp_path, model_path):
    clip = write_video(tmp_path / "grey.mp4", [np.full((120, 160, 3), 128, np.uint8)] * 3)
    cut = tmp_path / "cut.task"
    cut.write_bytes(model_path.read_bytes()[:3_000_000])
    assert_one_line_error(formcheck("analyze", clip, "--model", cut, "-o", tmp_path / "out"), 4, "cut.task")
    assert_one_line_error(formcheck("models", "verify", cut), 4, "cut.task")


@pytest.fixture(scope="module")
def cobra_run(tmp_path_factory, model_path):
    """``formcheck analyze`` on a real prone press-up clip (1280x720), once for the tests that read its outputs."""
    out = tmp_path_factory.mktemp("cobra") / "out"
    result = formcheck("analyze", shared_clip("cobra_side_viggleAI_02.mp4"), "-e", "lumbar_extension", "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    return out


def test_analyze_writes_video_track_and_summary_that_agree(tmp_path, cobra_run):
    out = cobra_run
    summary = json.loads((out / "summary.json").read_text())
    jsonschema.validate(summary, json.loads((SCHEMAS / "session_summary.schema.json").read_text()))
    assert summary["ended"] == "completed" and summary["pose"]["frames"] == 168
    assert summary["pose"]["frames_with_person"] == 168
    video = cv2.VideoCapture(str(out / "annotated.mp4"))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == 168
    ok, first = video.read()
    assert ok and first.shape[:2] == (540, 960)  # 1280x720 scaled to the default --max-side of 960
    header, frames = read_track(out / "track.jsonl")
    frames = list(frames)
    assert len(frames) == 168 and header.width == 960
    track_schema = json.loads((SCHEMAS / "pose_track.schema.json").read_text())
    lines = (out / "track.jsonl").read_text().splitlines()
    jsonschema.validate(json.loads(lines[0]), {**track_schema, **track_schema["$defs"]["header"]})
    jsonschema.validate(json.loads(lines[1]), {**track_schema, **track_schema["$defs"]["frame"]})
    # the rules re-run on the saved track, without the model, give the same result
    rerun = formcheck("rerun", out / "track.jsonl", "-e", "lumbar_extension", "-o", tmp_path / "rerun.json")
    assert rerun.returncode == 0, rerun.stderr
    again = json.loads((tmp_path / "rerun.json").read_text())
    assert again["exercises"] == summary["exercises"]
    jsonschema.validate(again, json.loads((SCHEMAS / "session_summary.schema.json").read_text()))
    assert again["conditioning"] == summary["conditioning"] == header.extra["conditioning"]
    assert again["pose"]["frames"] == 168


def test_a_60_fps_video_is_analysed_at_30_frames_a_second_unless_told(tmp_path, model_path):
    clip = tmp_path / "phone60.mp4"
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    args = ["-i", SAMPLE_VIDEOS / "bird_dog_good.mp4", "-t", 3, "-vf", "fps=60", "-c:v", "libx264", clip]
    subprocess.run([ffmpeg, "-loglevel", "error", *map(str, args)], check=True)
    for flags, step in (([], 2), (["--fps", "source"], 1), (["--fps", "15"], 4)):
        out = tmp_path / f"out{step}"
        result = formcheck("analyze", clip, "-e", "bird_dog", "-o", out, "-q", "--no-report", "--no-history", *flags)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        summary = json.loads((out / "summary.json").read_text())
        analysis = summary["analysis"]
        assert analysis["frame_step"] == step and analysis["fps"] == pytest.approx(60 / step, rel=0.02)
        frames = list(read_track(out / "track.jsonl")[1])
        assert len(frames) == summary["pose"]["frames"] == -(-180 // step)
        assert [round(f.t_ms * 60 / 1000) for f in frames] == list(range(0, 180, step))  # the source's own times
        video = cv2.VideoCapture(str(out / "annotated.mp4"))
        assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == len(frames)
        assert video.get(cv2.CAP_PROP_FPS) == pytest.approx(60 / step, rel=0.02)


def test_rerun_conditions_the_track_as_its_header_says(tmp_path, cobra_run):
    out = cobra_run
    lines = (out / "track.jsonl").read_text().splitlines()
    header = json.loads(lines[0])
    header["conditioning"]["min_visibility"] = 1.01  # no landmark trusted: nothing can be judged
    (tmp_path / "strict.jsonl").write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    rerun = formcheck("rerun", tmp_path / "strict.jsonl", "-e", "lumbar_extension", "-o", tmp_path / "s.json")
    assert rerun.returncode == 0, rerun.stderr
    strict = json.loads((tmp_path / "s.json").read_text())
    assert strict["conditioning"]["min_visibility"] == 1.01
    assert strict["pose"]["frames_judged"] == 0
    assert json.loads((out / "summary.json").read_text())["pose"]["frames_judged"] > 100  # the run's own settings


def default_sigint() -> None:
    """Undo an ignored SIGINT inherited from a background shell (as in CI), as a terminal session has it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def group_alive(pgid: int) -> bool:
    """Whether a process (not a zombie waiting to be reaped) of the process group ``pgid`` is still running."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(group) == pgid and state != "Z":
            return True
    return False


def test_ctrl_c_keeps_what_was_recorded(tmp_path, model_path):
    """Ctrl-C in a terminal signals the whole process group: formcheck and its pose process."""
    clip = shared_clip("birddog_high-oblique_home_02.mp4")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "formcheck", "analyze", str(clip), "-e", "bird_dog", "-o", str(out), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=default_sigint,
    )
    deadline, track = time.monotonic() + 120, out / "track.jsonl"
    while time.monotonic() < deadline and not (track.exists() and len(track.read_bytes().splitlines()) > 12):
        time.sleep(0.2)  # a dozen frames recorded, however fast the machine
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and group_alive(proc.pid):
        time.sleep(0.1)
    assert not group_alive(proc.pid), "a process of the run outlived it"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ended"] == "interrupted"
    frames = list(read_track(out / "track.jsonl")[1])
    assert 10 < len(frames) < 2765 and summary["pose"]["frames"] == len(frames)
    assert cv2.VideoCapture(str(out / "annotated.mp4")).get(cv2.CAP_PROP_FRAME_COUNT) > 0


def test_live_with_a_video_as_camera_headless(tmp_path, model_path):
    clip = shared_clip("cobra_side_viggleAI_02.mp4")
    out, shots = tmp_path / "out", tmp_path / "frames"
    result = formcheck(
        "live", "-e", "lumbar_extension", "--camera", clip, "--no-window", "--save-frames", shots, "-o", out
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["mode"] == "live" and summary["ended"] == "completed"
    saved = sorted(shots.glob("*.png"))
    assert len(saved) == summary["pose"]["frames"] > 0
    assert cv2.imread(str(saved[-1])).shape[:2] == (540, 960)


def test_exercises_lists_the_catalogue_with_camera_placement():
    result = formcheck("exercises")
    assert result.returncode == 0
    assert "bird_dog" in result.stdout and "camera:" in result.stdout


@pytest.mark.parametrize("command", ["analyze", "live", "session", "rerun", "exercises", "models"])
def test_help_everywhere(command):
    result = formcheck(command, "--help")
    assert result.returncode == 0 and "usage: formcheck" in result.stdout
