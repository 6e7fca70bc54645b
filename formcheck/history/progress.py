"""The progress page: trends over days from the history, and the program view, as one self-contained HTML file."""

from __future__ import annotations

from datetime import date
from html import escape

from formcheck.history.program import PROGRAM, ProgramView
from formcheck.report import plots as charts
from formcheck.report.page import card, document, figure, plots, table


def daily(sessions: list[dict], exercise: str | None = None) -> dict[str, dict[str, dict]]:
    """exercise id -> day -> totals: reps, good, hold_s (total seconds held), sessions."""
    out: dict[str, dict[str, dict]] = {}
    for s in sessions:
        for e in s["exercises"]:
            if exercise and e["exercise"] != exercise:
                continue
            d = out.setdefault(e["exercise"], {}).setdefault(
                s["day"], {"reps": 0, "good": 0, "hold_s": 0.0, "sessions": 0, "title": e["title"]}
            )
            d["reps"] += e["reps"]
            d["good"] += e["good_reps"]
            d["hold_s"] += sum(e["hold_s"])
            d["sessions"] += 1
    return out


def _dates(days) -> list[date]:
    return [date.fromisoformat(d) for d in days]


def render(sessions: list[dict], checkins: list[dict], program: ProgramView, exercise: str | None = None) -> str:
    per = daily(sessions, exercise)
    title = "formcheck progress" + (f": {exercise}" if exercise else "")
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p class=meta>{len(sessions)} session(s) over {len({s['day'] for s in sessions})} day(s)"
        + (f", {sessions[0]['day']} to {sessions[-1]['day']}" if sessions else "")
        + "</p>",
    ]
    parts.append(_program_html(program))
    parts.append("<h2>Symptoms</h2>" + _symptoms_html(checkins))
    for ex_id, days in sorted(per.items(), key=lambda kv: (kv[0] not in PROGRAM, kv[0])):
        ds = sorted(days)
        x = _dates(ds)
        name = days[ds[-1]]["title"] or ex_id
        figs = [
            figure(
                charts.trend_plot(
                    "reps / holds",
                    {"all": (x, [days[d]["reps"] for d in ds]), "good form": (x, [days[d]["good"] for d in ds])},
                    ylim=(0, None),
                ),
                "Reps or holds per day",
                "All, and those with good form.",
            ),
            figure(
                charts.trend_plot(
                    "% good",
                    {"good": (x, [100 * days[d]["good"] / days[d]["reps"] if days[d]["reps"] else None for d in ds])},
                    ylim=(-5, 105),
                ),
                "Share of good reps",
                "Per day, in percent.",
            ),
        ]
        if any(days[d]["hold_s"] for d in ds):
            figs.append(
                figure(
                    charts.trend_plot("seconds", {"held": (x, [days[d]["hold_s"] for d in ds])}),
                    "Time held per day",
                    "Sum of all holds that day.",
                )
            )
        parts.append(f"<h2>{escape(name)}</h2>" + plots(*figs))
    if not per:
        parts.append("<p>No sessions recorded yet" + (f" for {escape(exercise)}" if exercise else "") + ".</p>")
    parts.append(
        "<h2>Sessions</h2>"
        + table(
            ["#", "day", "exercises", "reps", "good", "pain before → after"],
            [
                [
                    s["id"],
                    s["day"],
                    ", ".join(e["exercise"] for e in s["exercises"]) or "–",
                    sum(e["reps"] for e in s["exercises"]),
                    sum(e["good_reps"] for e in s["exercises"]),
                    _pain(s["checkin"]),
                ]
                for s in reversed(sessions)
            ],
            {0, 3, 4},
        )
    )
    parts.append(
        "<footer>formcheck is not medical advice. Stop on stabbing pain, numbness or tingling, and see a "
        "health professional if there is no improvement.</footer>"
    )
    return document(title, "".join(parts))


def _pain(c: dict | None) -> str | None:
    if not c or (c.get("pain_before") is None and c.get("pain_after") is None):
        return None
    show = lambda v: "?" if v is None else str(v)  # noqa: E731
    return f"{show(c.get('pain_before'))} → {show(c.get('pain_after'))}"


def _program_html(p: ProgramView) -> str:
    out = [
        "<h2>The physiotherapist's program</h2><div class=cards>",
        card(f"day {p.program_day}" if p.program_day else "–", "program day (exercises in use)"),
        card(p.next_to_add or "all five", "next to add"),
        "</div>",
    ]
    out.append(
        f"<div class={'warn' if p.flagged and p.flagged[-1] is _last_added(p) else 'ok'}>{escape(p.advice)}</div>"
    )
    for d in p.flagged:
        out.append(f"<div class=warn><b>{escape(d.day)}</b>: " + escape("; ".join(d.flags)) + "</div>")
    rows = [
        [
            d.day[5:],
            len(d.done),
            ", ".join(d.added) or None,
            _arrow(d.pain_before, d.pain_after),
            _arrow(_yn(d.tingling_before), _yn(d.tingling_after)),
            "⚠" if d.flags else None,
        ]
        for d in p.days
    ]
    if rows:  # narrow columns, so it fits a phone without scrolling
        out.append(table(["day", "done", "added", "pain", "tingling", ""], rows, {1}))
    return "".join(out)


def _last_added(p: ProgramView):
    return next((d for d in reversed(p.days) if d.added), None)


def _arrow(before, after) -> str | None:
    if before is None and after is None:
        return None
    return f"{'?' if before is None else before}→{'?' if after is None else after}"


def _yn(v) -> str | None:
    return None if v is None else ("yes" if v else "no")


def _symptoms_html(checkins: list[dict]) -> str:
    by_day: dict[str, dict] = {}
    for c in checkins:
        d = by_day.setdefault(c["day"], {"before": None, "after": None})
        if c.get("pain_before") is not None and d["before"] is None:
            d["before"] = c["pain_before"]
        if c.get("pain_after") is not None:
            d["after"] = c["pain_after"]
    days = sorted(d for d, v in by_day.items() if v["before"] is not None or v["after"] is not None)
    if not days:
        return "<p>No pain check-ins yet: add --pain-before/--pain-after to a run, or use 'formcheck checkin'.</p>"
    x = _dates(days)
    svg = charts.trend_plot(
        "pain 0-10",
        {"before": (x, [by_day[d]["before"] for d in days]), "after": (x, [by_day[d]["after"] for d in days])},
        ylim=(-0.5, 10.5),
    )
    return plots(figure(svg, "Pain before and after", "First check-in of each day before, last one after."))
