"""Video files as frame sources: phone rotation metadata."""

import subprocess

import cv2
import numpy as np
from conftest import SAMPLE_VIDEOS

from formcheck.video import VideoFileSource

CLIP = SAMPLE_VIDEOS / "bird_dog_good.mp4"


def test_phone_rotation_metadata_gives_upright_frames(tmp_path):
    """A phone stores its picture sideways and a rotation for players to apply: formcheck applies it.

    The clip's frames are stored turned a quarter clockwise, with a display
    rotation that turns them back (what a phone held the other way writes);
    formcheck must deliver the upright picture, as a video player shows it.
    """
    import imageio_ffmpeg

    capture = cv2.VideoCapture(str(CLIP))
    upright = [capture.read()[1] for _ in range(10)]
    capture.release()
    height, width = upright[0].shape[:2]
    stored = tmp_path / "stored.mp4"
    writer = cv2.VideoWriter(str(stored), cv2.VideoWriter_fourcc(*"mp4v"), 30, (height, width))
    for image in upright:
        writer.write(cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE))
    writer.release()
    phone = tmp_path / "phone.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-display_rotation", "90", "-i",
                    str(stored), "-c", "copy", str(phone)], check=True)  # fmt: skip

    source = VideoFileSource(phone)
    frames = [f.image for f in source]
    source.close()
    assert source.size == (width, height) and len(frames) == len(upright)
    for got, want in zip(frames, upright):
        assert got.shape == want.shape
        assert np.abs(got.astype(int) - want).mean() < 6  # the same picture, up to re-encoding
        assert np.abs(got.astype(int) - cv2.rotate(want, cv2.ROTATE_180)).mean() > 20  # and not upside down
