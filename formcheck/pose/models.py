"""Obtaining and verifying PoseLandmarker model bundles.

A PoseLandmarker ``.task`` bundle is a zip holding ``pose_detector.tflite`` and
``pose_landmarks_detector.tflite``. Two sources are known:

* Google's published bundles (lite, full, heavy), used when reachable.
* For the full model, the BlazePose files inside the ``mediapipe==0.10.21``
  wheel on PyPI (Apache-2.0). The Tasks API refuses them as shipped because
  they lack TFLite metadata, so the metadata (input normalisation mean 0,
  std 255) is added here and the bundle is assembled locally. This path needs
  only the package index, so it works on machines that reach nothing else.

Every bundle is checked when fetched (pinned hashes for the PyPI path, a
structural check for Google's) and again before use against a ``.sha256``
sidecar written at fetch time, so a truncated or swapped file is caught with a
message that says how to fix it.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from formcheck.atomic import write_bytes_atomic, write_text_atomic
from formcheck.errors import ModelError

VARIANTS = ("lite", "full", "heavy")
BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
GOOGLE_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{variant}/float16/1/pose_landmarker_{variant}.task"
)
DOWNLOAD_TIMEOUT_S = 15


@dataclass(frozen=True)
class WheelSource:
    """A model assembled from two ``.tflite`` files inside a pinned wheel."""

    requirement: str
    platform: str
    python_version: str
    filename: str
    sha256: str
    # bundle member name -> (path inside the wheel, sha256 of that file)
    members: dict[str, tuple[str, str]]


PYPI_SOURCES: dict[str, WheelSource] = {
    "full": WheelSource(
        requirement="mediapipe==0.10.21",
        platform="manylinux_2_28_x86_64",
        python_version="3.11",
        filename="mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl",
        sha256="05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3",
        members={
            "pose_detector.tflite": (
                "mediapipe/modules/pose_detection/pose_detection.tflite",
                "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
            ),
            "pose_landmarks_detector.tflite": (
                "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
                "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
            ),
        },
    )
}

Reporter = Callable[[str], None]


def default_models_dir() -> Path:
    """``$FORMCHECK_MODELS_DIR``, else the checkout's ``models/``, else the user cache."""
    env = os.environ.get("FORMCHECK_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    checkout = Path(__file__).resolve().parents[2] / "models"
    if (checkout / "README.md").is_file():
        return checkout
    return Path(platformdirs.user_cache_dir("formcheck")) / "models"


def bundle_path(variant: str, models_dir: Path | None = None) -> Path:
    _check_variant(variant)
    return (models_dir or default_models_dir()) / f"pose_landmarker_{variant}.task"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_bundle(path: Path) -> None:
    """Raise :class:`ModelError` unless ``path`` is an intact pose landmarker bundle."""
    fix = "delete it and run 'formcheck models fetch', or pass a valid --model"
    if not path.is_file():
        raise ModelError(f"model file not found: {path} (run 'formcheck models fetch')")
    data = path.read_bytes()
    try:
        _check_bundle_bytes(data)
    except ModelError as exc:
        raise ModelError(f"{path} is not a usable pose model: {exc}; {fix}") from None
    sidecar = path.with_name(path.name + ".sha256")
    if sidecar.is_file() and sidecar.read_text().split()[0] != sha256_of(data):
        raise ModelError(f"{path} has changed since it was fetched (checksum mismatch); {fix}")


def ensure_model(
    variant: str = "full",
    models_dir: Path | None = None,
    *,
    download: bool = True,
    report: Reporter = lambda msg: print(msg, file=sys.stderr),
) -> Path:
    """Path of a verified bundle for ``variant``, fetching it first if allowed."""
    path = bundle_path(variant, models_dir)
    if path.exists():
        verify_bundle(path)
        return path
    if not download:
        raise ModelError(f"no {variant} pose model at {path} (run 'formcheck models fetch --variant {variant}')")
    return fetch(variant, models_dir, report=report)


def fetch(
    variant: str = "full",
    models_dir: Path | None = None,
    *,
    source: str = "auto",
    report: Reporter = lambda msg: print(msg, file=sys.stderr),
) -> Path:
    """Download (or assemble) the bundle for ``variant``, verify it and store it.

    ``source`` is ``google``, ``pypi`` or ``auto`` (Google first, then PyPI
    where PyPI has that variant).
    """
    _check_variant(variant)
    if source not in ("auto", "google", "pypi"):
        raise ModelError(f"unknown model source {source!r}: use auto, google or pypi")
    errors: list[str] = []
    data: bytes | None = None
    if source in ("auto", "google"):
        url = GOOGLE_URL.format(variant=variant)
        report(f"Downloading the {variant} pose model from {url} ...")
        try:
            data = _download(url)
            _check_bundle_bytes(data)
        except (OSError, ModelError) as exc:
            errors.append(f"Google: {exc}")
            data = None
    if data is None and source in ("auto", "pypi"):
        if variant not in PYPI_SOURCES:
            errors.append(f"PyPI: no {variant} model is published there (only: {', '.join(PYPI_SOURCES)})")
        else:
            wheel = PYPI_SOURCES[variant]
            report(f"Building the {variant} pose model from {wheel.requirement} on the package index ...")
            try:
                data = build_bundle_from_wheel(_pip_download(wheel), wheel)
            except (OSError, ModelError) as exc:
                errors.append(f"PyPI: {exc}")
    if data is None:
        raise ModelError(f"could not obtain the {variant} pose model ({'; '.join(errors)})")
    path = write_bytes_atomic(bundle_path(variant, models_dir), data)  # two processes fetching at once: one wins
    write_text_atomic(path.with_name(path.name + ".sha256"), f"{sha256_of(data)}  {path.name}\n")
    report(f"Saved {path} ({len(data) / 1e6:.1f} MB, sha256 {sha256_of(data)[:12]}...)")
    return path


def build_bundle_from_wheel(wheel_bytes: bytes, wheel: WheelSource) -> bytes:
    """Assemble a ``.task`` bundle from the pinned wheel's ``.tflite`` files."""
    if sha256_of(wheel_bytes) != wheel.sha256:
        raise ModelError(f"{wheel.filename} does not match its pinned checksum")
    with zipfile.ZipFile(io.BytesIO(wheel_bytes)) as zf:
        models = {}
        for member, (inner_path, expected) in wheel.members.items():
            data = zf.read(inner_path)
            if sha256_of(data) != expected:
                raise ModelError(f"{inner_path} in {wheel.filename} does not match its pinned checksum")
            models[member] = add_image_normalization(data, mean=0.0, std=255.0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for member in BUNDLE_MEMBERS:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            zf.writestr(info, models[member])
    return out.getvalue()


def add_image_normalization(tflite: bytes, *, mean: float, std: float) -> bytes:
    """Return ``tflite`` with TFLite model metadata declaring its input normalisation.

    The Tasks API reads NormalizationOptions from the ``TFLITE_METADATA``
    buffer to scale pixels; the legacy graph hard-coded it instead.
    """
    import flatbuffers
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as schema

    norm = meta.NormalizationOptionsT()
    norm.mean, norm.std = [mean], [std]
    unit = meta.ProcessUnitT()
    unit.optionsType = meta.ProcessUnitOptions.NormalizationOptions
    unit.options = norm
    image = meta.TensorMetadataT()
    image.name = "image"
    image.content = meta.ContentT()
    image.content.contentPropertiesType = meta.ContentProperties.ImageProperties
    image.content.contentProperties = meta.ImagePropertiesT()
    image.content.contentProperties.colorSpace = meta.ColorSpaceType.RGB
    image.processUnits = [unit]

    model = schema.ModelT.InitFromObj(schema.Model.GetRootAs(tflite, 0))
    subgraph = meta.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [image]
    subgraph.outputTensorMetadata = [meta.TensorMetadataT() for _ in model.subgraphs[0].outputs]
    model_meta = meta.ModelMetadataT()
    model_meta.name = "BlazePose"
    model_meta.license = "Apache-2.0"
    model_meta.minParserVersion = "1.0.0"
    model_meta.subgraphMetadata = [subgraph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model_meta.Pack(builder), file_identifier=b"M001")
    metadata_bytes = bytes(builder.Output())

    buffer = schema.BufferT()
    buffer.data = list(metadata_bytes)
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = "TFLITE_METADATA"
    entry.buffer = len(model.buffers) - 1
    model.metadata = [m for m in (model.metadata or []) if m.name != b"TFLITE_METADATA"] + [entry]
    builder = flatbuffers.Builder(len(tflite) + len(metadata_bytes) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _check_bundle_bytes(data: bytes) -> None:
    if len(data) < 1024:
        raise ModelError(f"only {len(data)} bytes")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            missing = [m for m in BUNDLE_MEMBERS if m not in names]
            if missing:
                raise ModelError(f"not a pose landmarker bundle (missing {', '.join(missing)})")
            for member in BUNDLE_MEMBERS:
                if zf.read(member)[4:8] != b"TFL3":
                    raise ModelError(f"{member} is not a TFLite model")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise ModelError(f"not a valid .task bundle ({exc})") from None


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
        return response.read()


def _pip_download(wheel: WheelSource) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--platform",
            wheel.platform,
            "--python-version",
            wheel.python_version,
            "--dest",
            tmp,
            wheel.requirement,
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ModelError(f"pip download failed ({exc})") from None
        target = Path(tmp) / wheel.filename
        if done.returncode != 0 or not target.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ModelError(f"pip download of {wheel.requirement} failed ({last})")
        return target.read_bytes()


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ModelError(f"unknown model variant {variant!r}: choose one of {', '.join(VARIANTS)}")
