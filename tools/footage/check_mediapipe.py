"""Sanity check of rendered clips: does MediaPipe's PoseLandmarker find the
person, and how far are its landmarks from the ground truth?

    python tools/footage/check_mediapipe.py sample_videos/*.mp4 [--model models/pose_landmarker_full.task]

Runs in an environment with mediapipe and opencv (formcheck's, not the render
stack). Prints per clip: frames with a detection, median pixel error of the
landmarks that the ground truth marks visible (near side), the same for the
occluded ones, and the frames with no detection.
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np


def check(mp4, model):
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions
    from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerOptions, RunningMode

    with open(os.path.splitext(mp4)[0] + ".json") as fh:
        gt = json.load(fh)
    opts = PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=model), running_mode=RunningMode.VIDEO, num_poses=1
    )
    cap = cv2.VideoCapture(mp4)
    missed, vis_err, occ_err = [], [], []
    n = 0
    with PoseLandmarker.create_from_options(opts) as lm:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            fr = gt["frames"][n]
            img = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            res = lm.detect_for_video(img, int(round(fr["t_ms"])))
            if not res.pose_landmarks:
                missed.append(n)
            else:
                h, w = frame.shape[:2]
                p = np.array([[q.x * w, q.y * h] for q in res.pose_landmarks[0]])
                t = np.array(fr["keypoints_2d"])
                e = np.linalg.norm(p - t, axis=1)
                occ = np.array(fr["occluded"]) | np.array(fr["out_of_frame"])
                vis_err.extend(e[11:][~occ[11:]])  # body landmarks only
                occ_err.extend(e[11:][occ[11:]])
            n += 1
    return {
        "clip": os.path.basename(mp4),
        "frames": n,
        "detected": n - len(missed),
        "median_px_visible": round(float(np.median(vis_err)), 1) if vis_err else None,
        "p90_px_visible": round(float(np.percentile(vis_err, 90)), 1) if vis_err else None,
        "median_px_occluded": round(float(np.median(occ_err)), 1) if occ_err else None,
        "missed_frames": missed,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("videos", nargs="+")
    ap.add_argument("--model", default="models/pose_landmarker_full.task")
    a = ap.parse_args()
    for v in a.videos:
        print(json.dumps(check(v, a.model)), flush=True)


if __name__ == "__main__":
    main()
