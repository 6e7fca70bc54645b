"""Named base poses shared by the exercise scripts (joint angles in degrees,
see body.POSE_KEYS). A script may add poses or override these in its own
``poses:`` section; ``base:`` inherits from another pose."""

LIBRARY = {
    "stand": {"hip_abd_l": 2, "hip_abd_r": 2, "elbow_l": 8, "elbow_r": 8},
    # hands and knees: trunk level, thighs and arms vertical, shins on the floor
    "quadruped": {
        "root_pitch": 90,
        "hip_flex_l": 90,
        "hip_flex_r": 90,
        "knee_l": 90,
        "knee_r": 90,
        "ankle_l": -45,
        "ankle_r": -45,
        "shoulder_flex_l": 88,
        "shoulder_flex_r": 88,
        "pron_l": -80,
        "pron_r": -80,
        "wrist_l": 75,
        "wrist_r": 75,
        "neck_flex": -45,
        "hip_abd_l": 3,
        "hip_abd_r": 3,
    },
    # lying on the back, legs straight, arms by the sides
    "supine": {
        "root_pitch": -90,
        "ankle_l": -20,
        "ankle_r": -20,
        "hip_abd_l": 3,
        "hip_abd_r": 3,
        "shoulder_abd_l": 12,
        "shoulder_abd_r": 12,
        "neck_flex": 8,
    },
    # lying on the stomach, forehead near the floor, hands beside the shoulders
    "prone": {
        "root_pitch": 90,
        "ankle_l": -60,
        "ankle_r": -60,
        "hip_abd_l": 3,
        "hip_abd_r": 3,
        "shoulder_abd_l": 75,
        "shoulder_abd_r": 75,
        "shoulder_rot_l": -90,
        "shoulder_rot_r": -90,
        "elbow_l": 100,
        "elbow_r": 100,
        "neck_flex": 10,
    },
}
