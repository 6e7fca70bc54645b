"""Which of the nine exercises a recording shows, from the pose over time (``--exercise auto``).

``features`` turns frames into per-frame posture measures and per-window
statistics, ``model`` is a small classifier with a "none of these" check
(trained by tools/train_recognizer.py on the scenario corpus's dev seeds,
stored as ``model.json`` beside it), ``segments`` splits a recording into
runs of one exercise, ``run`` analyses a video that way. Pure numpy: no
pixels, a small fraction of the pose model's cost. ``online`` recognises
while a live session goes. See docs/recognition.md.
"""

AUTO = "auto"  # the exercise id that asks for recognition
