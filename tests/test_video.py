"""Video files as frame sources: containers, real timestamps, phone rotation metadata."""

import subprocess

import cv2
import imageio_ffmpeg
import numpy as np
import pytest
from conftest import SAMPLE_VIDEOS

from formcheck.video import Thinning, VideoFileSource, frame_step

CLIP = SAMPLE_VIDEOS / "bird_dog_good.mp4"  # 640x480, 15 frames/s


def ffmpeg(*args) -> None:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", *map(str, args)], check=True)


def upright_frames(n: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(CLIP))
    frames = [capture.read()[1] for _ in range(n)]
    capture.release()
    return frames


@pytest.mark.parametrize(
    "name, codec",
    [
        ("clip.avi", ["-c:v", "mjpeg", "-q:v", "4"]),
        ("clip.mov", ["-c:v", "libx264"]),
        ("clip.webm", ["-c:v", "libvpx", "-b:v", "2M"]),
    ],
)
def test_common_containers_decode_with_their_timestamps(tmp_path, name, codec):
    path = tmp_path / name
    ffmpeg("-i", CLIP, "-frames:v", 20, *codec, path)
    source = VideoFileSource(path)
    frames = list(source)
    source.close()
    assert source.size == (640, 480) and len(frames) == 20
    assert [round(f.t_ms) for f in frames] == [round(k * 1000 / 15) for k in range(20)]
    for got, want in zip(frames, upright_frames(20)):
        assert np.abs(got.image.astype(int) - want).mean() < 8


def test_a_variable_frame_rate_file_keeps_its_real_times(tmp_path):
    """A recording that paused for a second (as phones do when they drop frames) keeps the gap."""
    path = tmp_path / "vfr.mp4"
    ffmpeg(
        "-i",
        CLIP,
        "-frames:v",
        20,
        "-vf",
        "setpts=N/(15*TB)+gte(N\\,10)/TB",
        "-fps_mode",
        "vfr",
        "-video_track_timescale",
        1000,
        "-c:v",
        "libx264",
        path,
    )
    source = VideoFileSource(path)
    times = [f.t_ms for f in source]
    source.close()
    want = [k * 1000 / 15 + (1000 if k >= 10 else 0) for k in range(20)]
    assert np.allclose(times, want, atol=1.0)


def test_phone_rotation_metadata_gives_upright_frames(tmp_path):
    """A phone stores its picture sideways and a rotation for players to apply: formcheck applies it.

    The clip's frames are stored turned a quarter clockwise, with a display
    rotation that turns them back (what a phone held the other way writes);
    formcheck must deliver the upright picture, as a video player shows it.
    """
    upright = upright_frames(10)
    height, width = upright[0].shape[:2]
    stored = tmp_path / "stored.mp4"
    writer = cv2.VideoWriter(str(stored), cv2.VideoWriter_fourcc(*"mp4v"), 30, (height, width))
    for image in upright:
        writer.write(cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE))
    writer.release()
    phone = tmp_path / "phone.mp4"
    ffmpeg("-display_rotation", 90, "-i", stored, "-c", "copy", phone)

    source = VideoFileSource(phone)
    frames = [f.image for f in source]
    source.close()
    assert source.size == (width, height) and len(frames) == len(upright)
    for got, want in zip(frames, upright):
        assert got.shape == want.shape
        assert np.abs(got.astype(int) - want).mean() < 6  # the same picture, up to re-encoding
        assert np.abs(got.astype(int) - cv2.rotate(want, cv2.ROTATE_180)).mean() > 20  # and not upside down


@pytest.mark.parametrize("max_fps, step", [(None, 1), (30, 2), (24, 3), (15, 4), (61, 1)])
def test_a_fast_file_is_thinned_to_the_analysis_rate_with_its_real_times(tmp_path, max_fps, step):
    path = tmp_path / "clip60.mp4"
    ffmpeg("-i", CLIP, "-frames:v", 48, "-vf", "fps=60", "-c:v", "libx264", "-preset", "ultrafast", path)
    source = VideoFileSource(path, max_fps=max_fps)
    frames = list(source)
    source.close()
    assert source.step == step and source.frames_decoded == 48 and source.damage() is None
    assert [f.index for f in frames] == list(range(0, 48, step)) == [round(f.t_ms * 60 / 1000) for f in frames]
    assert source.analysis_fps == pytest.approx(60 / step, rel=0.02) and source.analysis_count == len(frames)


def test_thinning_ignores_timing_jitter_and_a_slightly_wrong_stated_rate():
    rng = np.random.default_rng(3)
    times = np.arange(600) * 1000 / 60 + rng.normal(0, 1.5, 600)  # 60 fps, 1.5 ms of jitter
    thinning = Thinning(frame_step(59.886, 30), 59.886)  # the rate a container states for a 60 fps file
    kept = [k for k, t in enumerate(times) if thinning.keep(t)]
    assert kept == list(range(0, 600, 2))
    assert frame_step(30.3, 30) == 1 and frame_step(50, 30) == 2 and frame_step(120, 30) == 4
    assert frame_step(None, 30) == 1 and frame_step(60, None) == 1
