"""Live coaching: camera -> pose -> rules -> large overlay and sound, for one exercise or a guided plan.

The pose model runs in a process of its own, one frame ahead of the drawing,
and a reader thread keeps only a camera's newest frame (formcheck.feed), so
the overlay shown is always drawn from the landmarks of the frame it sits on
and the delay never builds up, however slow the model is; a computer too
slow to keep up is told so once. Each exercise goes through:

    setup (where to put the camera, "get in frame" hints) -> 3-2-1 countdown
    -> active (counting, cues) -> rest -> the next exercise

With ``--exercise auto`` there is no setup or countdown: the person starts
exercising and the exercise is recognised from the last seconds of poses
(formcheck.recognition.online); the reps done meanwhile are judged then, so
none is lost. A set that reaches its target, or a different exercise
recognised, ends the current exercise; the next one is recognised the same way.

Keys: space pauses and resumes (and skips a rest), n moves to the next
exercise, r goes back to the setup check, f shows frames/s and latency, q or
Esc quits. Quitting, closing the window, Ctrl-C or a camera that stops
delivering frames all end with the summary written; nothing recorded is lost.
A video file can stand in for the camera, and headless runs write frames as
PNG and sound as a WAV, so all of this is testable without a camera, a
display or speakers.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np

from formcheck import overlay, signals
from formcheck import summary as summary_mod
from formcheck.audio import make_coach
from formcheck.display import window_problem
from formcheck.exercises import catalogue, create
from formcheck.exercises.base import Exercise, Profile
from formcheck.feed import FrameReader, Pace
from formcheck.frames import FramesWriter
from formcheck.landmarks import PoseFrame
from formcheck.pipeline import Options, ending, resolve_model
from formcheck.plans import Plan, PlanItem
from formcheck.pose.models import bundle_path
from formcheck.pose.process import PosePool
from formcheck.pose.spans import free_cores
from formcheck.pose.track import TrackHeader, TrackWriter
from formcheck.recognition import AUTO
from formcheck.recognition.online import OnlineRecognizer
from formcheck.recognition.segments import Segment, recognition_section
from formcheck.rules import Interpreter, Judged
from formcheck.summary import input_section, model_info, run_summary, source_info
from formcheck.video import Frame, VideoWriter

WINDOW = "formcheck"
CHECKPOINT_S = 10.0  # the summary is rewritten this often, so a crash loses little
KEYS = {
    27: "quit",
    ord("q"): "quit",
    ord("Q"): "quit",
    ord(" "): "pause",
    ord("n"): "next",
    ord("r"): "setup",
    ord("f"): "readout",
}


@dataclass
class LiveConfig:
    window: bool = True
    frames_dir: Path | None = None
    mute: bool = False
    sound_file: Path | None = None  # headless: write the sound here instead of playing it
    readout: bool = False  # frames/s and latency on screen (toggled with f)
    countdown_s: int = 3
    settle_s: float = 1.0  # the view must be right this long before the countdown starts
    keys: list[tuple[float, str]] = field(default_factory=list)  # scripted (t_s, action) presses, for headless runs
    every_frame: bool | None = None  # judge every frame (None: a video file's yes, a camera's no; see formcheck.feed)
    model_processes: int | None = None  # pose model processes taking frames in turn (None: one per free core, up to 2)


class Coaching:
    """The stage machine of a live run; :meth:`step` takes one frame and its pose and returns the image to show."""

    def __init__(self, plan: Plan, profile: Profile, interpreter: Interpreter, coach, config: LiveConfig):
        self.plan, self.profile, self.interpreter, self.coach, self.config = plan, profile, interpreter, coach, config
        self.index = 0
        self.auto = plan.items[0].exercise == AUTO
        self.stage = "recognising" if self.auto else "setup"
        self.stage_since: float | None = None
        self.settled_since: float | None = None
        self.exercise: Exercise | None = None if self.auto else self._make(plan.items[0])
        self.recognizer = OnlineRecognizer() if self.auto else None
        self.kept: deque[tuple[int, PoseFrame]] = deque()  # auto: the raw poses the recogniser looks at
        self.segments: list[Segment] = []  # auto: each exercise recognised, in turn
        self.started = False  # has the current exercise been judged yet
        self.completed: list[str] = []
        self.skipped: list[str] = []
        self.readout = config.readout
        self.finished = False
        self._announced: str | None = None
        self.fps: float | None = None  # measured by the run loop, shown with the readout
        self.latency_ms = 0.0

    def recognised(self) -> list[Segment]:
        """Auto: the segments recognised so far, the one being judged ending now."""
        if self.exercise is None or not self.segments:
            return list(self.segments)
        return [*self.segments[:-1], replace(self.segments[-1], end_s=self.interpreter.last_ms / 1000.0)]

    def _make(self, item: PlanItem) -> Exercise:
        profile = Profile(
            **{
                **vars(self.profile),
                "target_reps": item.reps or self.profile.target_reps,
                "target_hold_s": item.hold_s or self.profile.target_hold_s,
            }
        )
        return create(item.exercise, profile)

    def _enter(self, stage: str, t_ms: float) -> None:
        self.stage, self.stage_since, self.settled_since = stage, t_ms, None

    def _speak(self, text: str, t_ms: float) -> None:
        if self.coach is not None:
            self.coach.say(text, t_ms)

    def key(self, action: str, t_ms: float) -> None:
        if action == "quit":
            self.finished = True
        elif action == "readout":
            self.readout = not self.readout
        elif action == "pause":
            if self.stage == "active":
                self._enter("paused", t_ms)
            elif self.stage == "paused":
                self._enter("active", t_ms)
            elif self.stage == "rest":
                self._next_item(t_ms)
        elif action == "next" or (action == "setup" and self.auto and self.stage in ("active", "paused")):
            self._finish_item(t_ms, skipped=True)  # auto: the camera check is recognising afresh
        elif action == "setup" and self.stage in ("active", "paused", "countdown"):
            self._enter("setup", t_ms)

    def _finish_item(self, t_ms: float, skipped: bool = False) -> None:
        if self.auto:
            self._finish_recognised(t_ms, skipped)
            return
        item = self.plan.items[self.index]
        if self.started:
            self.interpreter.finish()
        (self.skipped if skipped else self.completed).append(item.exercise)
        if self.index + 1 >= len(self.plan.items):
            self.finished = True
        elif skipped or not item.rest_s:
            self._next_item(t_ms)
        else:
            self._enter("rest", t_ms)

    def _next_item(self, t_ms: float) -> None:
        self.index += 1
        self.exercise = self._make(self.plan.items[self.index])
        self.started = False
        self._announced = None
        self._enter("setup", t_ms)

    def _finish_recognised(self, t_ms: float, skipped: bool) -> None:
        """Auto: close the exercise being judged (if any) and look for the next one afresh."""
        if self.exercise is not None and self.stage in ("active", "paused"):
            self.interpreter.finish()
            self.segments[-1] = replace(self.segments[-1], end_s=t_ms / 1000.0)
            (self.skipped if skipped else self.completed).append(self.exercise.info.id)
        self.exercise, self.started = None, False
        self.recognizer.forget()
        self.kept.clear()
        self._enter("recognising", t_ms)

    def _recognised(self, seg: Segment, t_ms: float) -> Judged | None:
        """Auto: judge ``seg``'s exercise from the segment's start, on the poses kept; returns the newest judged."""
        if self.exercise is not None:
            self.interpreter.finish()
            self.segments[-1] = replace(self.segments[-1], end_s=max(seg.start_s, self.segments[-1].start_s))
            self.completed.append(self.exercise.info.id)
        self.exercise = self._make(PlanItem(seg.exercise))
        self.interpreter.next_exercise(self.exercise)
        self.started = True
        self.segments.append(seg)
        judged = None
        for index, raw in self.kept:
            if raw.t_ms >= seg.start_s * 1000.0:
                judged = self.interpreter.judge_recorded(raw, index)
        info = self.exercise.info
        self._speak(f"{info.title}. {info.warning}" if info.warning else info.title, t_ms)  # as its setup card would
        self._enter("active", t_ms)
        return judged

    def at_end(self) -> None:
        """Auto: a session that ends before its exercise was settled is judged with the likeliest one, if any."""
        seg = self.recognizer.final() if self.auto and self.stage == "recognising" else None
        if seg is not None:
            self._recognised(seg, self.interpreter.last_ms)

    def _auto_step(self, frame: Frame, raw: PoseFrame) -> Judged:
        """Auto: keep and look at the pose, judged when an exercise is being judged; an exercise newly
        recognised is judged from its start. Returns the frame as last judged (or only recorded)."""
        index = self.interpreter.frames
        if self.stage == "active":
            judged = self.interpreter(raw)
        else:
            judged = Judged(self.interpreter.record(raw), None, [])
        self.kept.append((index, raw))
        while self.kept and self.kept[0][1].t_ms < frame.t_ms - self.recognizer.keep_s * 1000.0:
            self.kept.popleft()
        self.recognizer.add(raw)
        seg = self.recognizer.settled()
        current = self.exercise.info.id if self.exercise is not None else None
        if seg is not None and seg.exercise != current and self.stage in ("recognising", "active"):
            judged = self._recognised(seg, frame.t_ms) or judged
        return judged

    def _recognising_card(self, frame: Frame, pose: PoseFrame) -> np.ndarray:
        latest, unknown = self.recognizer.latest, self.recognizer.unknown()
        if not pose.has_person:
            guess = "Step into the camera's view: the whole body, side-on."
        elif unknown is not None:
            closest = catalogue()[unknown.closest].info.title
            guess = f"This is not one of the exercises formcheck knows (closest: {closest})."
        elif latest is not None and latest.exercise is not None:
            guess = f"Looks like {catalogue()[latest.exercise].info.title}..."
        else:
            guess = "Watching..."
        lines = ["Start your exercise: formcheck recognises it in a few seconds.", guess]
        return overlay.card(frame.image, lines, "Your exercise?", pose)

    def step(self, frame: Frame, raw) -> np.ndarray:
        t = frame.t_ms
        if self.stage_since is None:
            self.stage_since = t
        judged = self._auto_step(frame, raw) if self.auto else None
        if self.stage == "recognising":
            return self._recognising_card(frame, judged.pose)
        info = self.exercise.info
        if self.stage == "active":
            item = judged if judged is not None else self.interpreter(raw)
            if self.coach is not None:
                self.coach.handle(item.events, t)
            readout = None
            if self.readout and self.fps is not None:
                readout = f"{self.fps:.1f} fps, latency {self.latency_ms:.0f} ms"
            shown = overlay.render(
                frame.image, item.pose, item.status, info.title, self.exercise.side_label, overlay.COACH, readout
            )
            if self.exercise.targets_met():
                self._speak("Well done", t)
                self._finish_item(t)
            return shown
        pose = judged.pose if judged is not None else self.interpreter.record(raw)
        if self.stage == "setup":
            return self._setup(frame, pose, t)
        if self.stage == "countdown":
            left = self.config.countdown_s - int((t - self.stage_since) / 1000)
            if left <= 0:
                if self.coach is not None:
                    self.coach.sound("go", t)
                if not self.started:
                    self.interpreter.next_exercise(self.exercise)
                    self.started = True
                self._enter("active", t)
                return overlay.card(frame.image, ["Go!"], "Go", pose)
            if self._announced != f"count{left}":
                self._announced = f"count{left}"
                if self.coach is not None:
                    self.coach.sound("countdown", t)
            return overlay.card(frame.image, [info.title], str(left), pose)
        if self.stage == "paused":
            return overlay.card(
                frame.image,
                ["Press space to carry on.", "n: next exercise   r: check the camera", "q: finish"],
                "Paused",
                pose,
            )
        # rest
        item = self.plan.items[self.index]
        left = item.rest_s - (t - self.stage_since) / 1000
        if left <= 0:
            self._next_item(t)
            return overlay.card(frame.image, [], "Next", pose)
        upcoming = catalogue()[self.plan.items[self.index + 1].exercise].info.title
        return overlay.card(
            frame.image, [f"Next: {upcoming}", "Press space to skip the rest."], f"Rest {left:.0f}", pose
        )

    def _setup(self, frame: Frame, pose, t: float) -> np.ndarray:
        info = self.exercise.info
        if self._announced is None:
            self._announced = "setup"
            words = f"{info.title}. {info.camera}"
            if info.warning:
                words += f" {info.warning}"
            self._speak(words, t)
        view = self.exercise.check_view(pose)
        lines = [info.camera, f"Start: {info.start_position}"]
        if info.warning:
            lines.append(f"Safety: {info.warning}")
        if view.ok and not view.message:
            self.settled_since = t if self.settled_since is None else self.settled_since
            lines.append("Good: hold still...")
            if t - self.settled_since >= self.config.settle_s * 1000:
                self._enter("countdown", t)
        else:
            self.settled_since = None
            lines.append(view.message or "Get into the camera's view")
        return overlay.card(frame.image, lines, info.title, pose)


def _scripted_keys(keys: list[tuple[float, str]]):
    pending = sorted(keys)

    def poll(t_ms: float) -> list[str]:
        due = [k for t, k in pending if t * 1000 <= t_ms]
        del pending[: len(due)]
        return due

    return poll


def _too_slow_note(options: Options, shown_fps: float, coming_fps: float) -> str:
    """The one line that tells the user the computer cannot keep up, offering the lighter model where it applies."""
    lighter = ""
    if options.model_path is None and options.model_variant != "lite":
        fetched = "" if bundle_path("lite").is_file() else ", downloaded on first use"
        lighter = f" or use the lighter pose model (--model-variant lite{fetched})"
    return (
        f"this computer is too slow for smooth video ({shown_fps:.0f} of {coming_fps:.0f} frames a second "
        f"shown); counts and holds stay right. For smoother video close other programs{lighter}."
    )


def run_live(
    source, out_dir: Path, options: Options, plan: Plan, config: LiveConfig, checkin: dict | None = None
) -> dict:
    """Run a live session until the plan is done, the source ends or the user quits; always writes the summary.

    The model runs in processes of its own (formcheck.pose.process), two
    where two cores are free, taking the frames in turn: while they find the
    poses in the newest frames, this process judges, draws and shows the
    one before.
    """
    for item in plan.items:
        if item.exercise != AUTO:
            create(item.exercise)  # an unknown id fails before the camera opens
    model = resolve_model(options)
    out_dir = Path(out_dir)
    frames_dir = Path(config.frames_dir) if config.frames_dir else None

    def report(message: str) -> None:
        print(f"formcheck: {message}", file=sys.stderr)

    every_frame = config.every_frame if config.every_frame is not None else source_info(source)["kind"] == "file"
    started = datetime.now(timezone.utc)
    outputs = {
        "summary": "summary.json",
        "track": "track.jsonl",
        "video": None,
        "sound": config.sound_file.name if config.sound_file else None,
        "frames": "frames.csv" if options.write_frames else None,
    }
    header = TrackHeader(
        source=source.name,
        width=source.size[0],
        height=source.size[1],
        fps=source.fps,
        model=options.model_variant,
        extra={"mode": "live", "plan": plan.name, "conditioning": dataclasses.asdict(options.conditioning)},
    )
    source_section = source_info(source)
    model_section = model_info(model, options)
    # a user's model is tried on a known image (in the pose process) before the camera is blamed
    processes = config.model_processes or min(2, free_cores())
    with PosePool(model, source.size, processes, slots=2, check_model=options.model_path is not None) as poses:
        out_dir.mkdir(parents=True, exist_ok=True)
        if frames_dir:
            frames_dir.mkdir(parents=True, exist_ok=True)
        coach = make_coach(mute=config.mute, wav_path=config.sound_file, report=report)
        sound = (
            "muted"
            if coach is None
            else "wav"
            if config.sound_file
            else ("device" if getattr(coach.player, "available", False) else "silent")
        )
        with TrackWriter(out_dir / "track.jsonl", header) as track:
            video = None
            if options.write_video:
                video = VideoWriter(out_dir / "annotated.mp4", source.size, source.fps or 30.0)
                outputs["video"] = "annotated.mp4"
            window = config.window
            if window:
                problem = window_problem()
                if problem is None:
                    cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL)
                else:
                    report(f"no display ({problem}): carrying on without a window")
                    window = False
            rows = FramesWriter(out_dir / "frames.csv") if options.write_frames else None
            interpreter = Interpreter(None, options.conditioning, track, rows)
            coaching = Coaching(plan, options.profile, interpreter, coach, config)
            run = _Run(poses, processes, FrameReader(source, every_frame), coaching, source.fps or 30.0)

            def summary_now(mode: str, state: str, more: dict | None = None) -> dict:
                extra = {
                    "live": {**run.figures(), "sound": sound},
                    "plan": {
                        "name": plan.name,
                        "items": [i.exercise for i in plan.items],
                        "completed": coaching.completed,
                        "skipped": coaching.skipped,
                    },
                    "checkin": checkin,
                    **({"recognition": recognition_section(coaching.recognised())} if coaching.auto else {}),
                    **(more or {}),
                }
                summary = run_summary(
                    mode, source_section, model_section, options, interpreter, started, state, outputs, extra
                )
                for entry, seg in zip(summary["exercises"], coaching.recognised()):  # auto: each entry's segment
                    entry["recognition"] = seg.as_dict()
                return summary

            poll_script = _scripted_keys(config.keys)
            last_checkpoint = time.monotonic()
            try:
                with ending() as end:
                    for frame, raw in run:
                        for action in poll_script(frame.t_ms):
                            coaching.key(action, frame.t_ms)
                        shown = coaching.step(frame, raw)
                        if run.notice_until is not None and frame.t_ms <= run.notice_until:
                            overlay.notice(shown, "Computer too slow for smooth video: counts stay right")
                        if video is not None:
                            video.write(shown)
                        if frames_dir:
                            cv2.imwrite(str(frames_dir / f"frame_{frame.index:06d}.png"), shown)
                        if window:
                            cv2.imshow(WINDOW, shown)
                            key = cv2.waitKey(1) & 0xFF
                            if key in KEYS:
                                coaching.key(KEYS[key], frame.t_ms)
                            if cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) < 1:
                                break  # the window was closed
                        if run.shown(frame):
                            report(_too_slow_note(options, run.shown_fps, run.coming_fps))
                        if time.monotonic() - last_checkpoint > CHECKPOINT_S:
                            last_checkpoint = time.monotonic()
                            summary_mod.write(summary_now("live", "running"), out_dir / "summary.json")
                    run.check()
            finally:
                with signals.shielded("saving what was recorded first"):
                    run.reader.stop()
                    coaching.at_end()
                    interpreter.finish()
                    if video is not None:
                        video.close()
                    if window:
                        cv2.destroyAllWindows()
                    if coach is not None:
                        coach.close()
                    source.close()
                    if rows is not None:
                        rows.close()
                    summary = summary_now(
                        "live" if len(plan.items) == 1 else "session", end.state, input_section(source)
                    )
                    summary_mod.write(summary, out_dir / "summary.json")
    return summary


class _Run:
    """The frames of a live run with their poses, the model a frame ahead; and how well it keeps up.

    Iterating gives each frame read with its raw pose: the frames that have
    come (up to one per model process) are sent to the model before the
    current one is handed out, so the model works while the caller judges,
    draws and shows. A camera's frames that came while the model was busy
    are skipped (:class:`FrameReader`).
    """

    NOTICE_MS = 6000.0  # the on-screen notice that the computer is too slow stays this long

    def __init__(self, poses: PosePool, ahead: int, reader: FrameReader, coaching: Coaching, fps: float):
        self.poses, self.ahead, self.reader, self.coaching, self.fps = poses, ahead, reader, coaching, fps
        self.latencies: list[float] = []
        self.frames_shown = 0
        self.start = time.monotonic()
        self.pace = Pace()
        self.notice_until: float | None = None
        self.shown_fps = self.coming_fps = 0.0

    def __iter__(self):
        sent: deque = deque()  # frames with the model, oldest first
        while not self.coaching.finished:
            self._send(sent)
            if not sent:
                return  # the source has ended
            raw = self.poses.receive()
            frame = sent.popleft()
            self._send(sent)
            yield frame, raw

    def _send(self, sent: deque) -> None:
        """Send the frames that have come, up to ``ahead`` with the model; wait for one when none is there."""
        while len(sent) < self.ahead:
            frame = self.reader.next(wait=not sent)
            if frame is None:
                return
            self.poses.submit(frame)
            sent.append(frame)

    def _come(self, now: float) -> float:
        """Frames that have come by now: read from a camera, or due by the file's own rate."""
        return (now - self.start) * self.fps if self.reader.every_frame else float(self.reader.read)

    def shown(self, frame) -> bool:
        """Note a frame shown; True the one time the computer is found too slow to keep up."""
        now = time.monotonic()
        self.latencies.append((now - frame.read_at) * 1000.0)
        self.frames_shown += 1
        self.coaching.latency_ms = self.latencies[-1]
        elapsed = now - self.start
        self.coaching.fps = self.frames_shown / elapsed if elapsed > 0 else None
        if not self.pace.update(now, self.frames_shown, self._come(now)):
            return False
        self.shown_fps, self.coming_fps = self.pace.rates()
        self.notice_until = frame.t_ms + self.NOTICE_MS
        return True

    def check(self) -> None:
        """Raise what stopped the frame reader, if anything did."""
        if self.reader.error is not None:
            raise self.reader.error

    def figures(self) -> dict:
        lat = np.array(self.latencies) if self.latencies else None
        wall = time.monotonic() - self.start
        return {
            "fps": round(self.frames_shown / wall, 2) if wall > 0 and self.frames_shown else None,
            "latency_ms_mean": None if lat is None else round(float(lat.mean()), 1),
            "latency_ms_p95": None if lat is None else round(float(np.percentile(lat, 95)), 1),
            "frames_shown": self.frames_shown,
            "frames_read": self.reader.read,
            "too_slow": self.pace.too_slow,
            "model_processes": self.ahead,
        }
