"""Store the official full model's landmarks on formcheck's test image (formcheck/data/known_pose.json).

    python tools/known_pose.py [--model models/pose_landmarker_full.task]

A user's ``--model`` is tried on that image first (formcheck.pose.landmarker.
check_on_known_image): it must find the person where this model does. Re-run
after changing the test image or the official model.
"""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from formcheck.pose.landmarker import KNOWN_IMAGE, KNOWN_POSE, PoseLandmarker
from formcheck.pose.models import ensure_model, sha256_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    model = args.model or ensure_model("full")
    data = np.frombuffer(resources.files("formcheck").joinpath(KNOWN_IMAGE).read_bytes(), np.uint8)
    rgb = cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    with PoseLandmarker(model) as landmarker:
        pose = landmarker.detect(rgb, 0.0)
    if not pose.has_person:
        raise SystemExit(f"{model} finds no person in {KNOWN_IMAGE}")
    path = Path(str(resources.files("formcheck").joinpath(KNOWN_POSE)))
    record = {
        "model_sha256": sha256_of(Path(model).read_bytes()),
        "landmarks": np.round(pose.landmarks[:, :2], 4).tolist(),
    }
    path.write_text(json.dumps(record) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
