"""Report plots drawn with matplotlib and returned as inline SVG (no files, no network)."""

from __future__ import annotations

import io
import math
import re
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

GOOD, FAULTY, BAND, LINE, FAULT = "#2e7d32", "#d84315", "#66bb6a", "#1f4e79", "#c62828"
MAX_POINTS = 2500  # longer series are thinned before plotting, so the page stays small
FIGSIZE = (5.2, 2.8)  # inches; shown about 370 px wide on a phone, so text stays near 11 px
STYLE = {
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "formcheck",
    "svg.fonttype": "path",
}


def to_svg(fig) -> str:
    """The figure as an <svg> element that scales with its container."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 role="img"', svg, count=1)


def _thin(times: list[float], values: list[float]) -> tuple[list[float], list[float]]:
    step = max(1, math.ceil(len(times) / MAX_POINTS))
    return times[::step], values[::step]


def _spans(ax, records: list[dict]) -> None:
    for r in records:
        if r.get("start_s") is None or r.get("end_s") is None:
            continue
        color = GOOD if r.get("good") else FAULTY
        ax.axvspan(r["start_s"], r["end_s"], color=color, alpha=0.10, lw=0)
        ax.text(
            (r["start_s"] + r["end_s"]) / 2,
            0.98,
            str(r["index"] + 1),
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=10.5,
            color=color,
            fontweight="bold",
        )


def angle_plot(times, values, key, records: list[dict], faults: list[dict], duration: float) -> str:
    """One key angle over time: target band shaded, reps/holds as numbered spans, faults as red bars below."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=FIGSIZE)
        t, v = _thin(times, values)
        finite = [x for x in v if x == x]
        lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
        for a, b in key.bands:
            lo = min(lo, a) if a is not None else lo
            hi = max(hi, b) if b is not None else hi
        pad = (hi - lo) * 0.12 or 5.0
        bottom, top = lo - pad * 2.2, hi + pad * 1.8
        for a, b in key.bands:
            ax.axhspan(
                bottom if a is None else a,
                top if b is None else b,
                color=BAND,
                alpha=0.18,
                lw=0,
            )
        _spans(ax, records)
        ax.plot(t, v, color=LINE, lw=1.5)
        y_fault = lo - pad * 1.4
        for f in faults:
            end = f["end_s"] if f.get("end_s") is not None else duration
            ax.plot(
                [f["start_s"], max(end, f["start_s"] + 0.15)],
                [y_fault, y_fault],
                color=FAULT,
                lw=5,
                solid_capstyle="butt",
            )
        ax.set_ylim(bottom, top)
        ax.set_xlim(0, max(duration, t[-1] if t else 1.0))
        ax.set_xlabel("time (s)")
        ax.set_ylabel("degrees" if key.unit == "°" else key.unit or "value")
        return to_svg(fig)


def records_chart(ex: dict) -> str | None:
    """Each hold against its target (holds), or each rep's peak (reps), good in green, with faults in red."""
    records = ex.get("records") or []
    if not records:
        return None
    holds = ex.get("kind") == "holds"
    values = [(r.get("hold_s") if holds else r.get("peak")) for r in records]
    if all(v is None for v in values):
        return None
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=FIGSIZE)
        labels = [f"{r['index'] + 1}\n{(r.get('side') or '?')[0].upper()}" for r in records]
        colors = [GOOD if r.get("good") else FAULTY for r in records]
        x = list(range(len(records)))
        ax.bar(x, [v or 0 for v in values], color=colors, width=0.7)
        for xi, v in zip(x, values):
            if v is not None:
                ax.text(xi, v, f"{v:.1f}" if holds else f"{v:.0f}", ha="center", va="bottom", fontsize=10)
        target = (ex.get("targets") or {}).get("hold_s") if holds else None
        if target:
            ax.axhline(target, color="#333", ls="--", lw=1.2)
            ax.text(1.0, target, f" target {target:g} s", transform=ax.get_yaxis_transform(), va="center", fontsize=10)
        ax.set_xticks(x, labels)
        ax.set_ylabel("held (s)" if holds else "peak")
        ax.margins(y=0.18)
        return to_svg(fig)


def fault_timeline(ex: dict, duration: float) -> str | None:
    """One row per fault type (labelled with its cue), a bar for each time it was active."""
    faults = ex.get("faults") or []
    if not faults:
        return None
    cues: dict[str, str] = {}
    for f in faults:
        cues.setdefault(f["id"], f.get("cue") or f["id"])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(FIGSIZE[0], 0.9 + 0.5 * len(cues)))
        _spans(ax, ex.get("records") or [])
        for row, fid in enumerate(cues):
            bars = [
                (f["start_s"], max((f["end_s"] if f.get("end_s") is not None else duration) - f["start_s"], 0.15))
                for f in faults
                if f["id"] == fid
            ]
            ax.broken_barh(bars, (row - 0.3, 0.6), color=FAULT)
        ax.set_yticks(range(len(cues)), ["\n".join(textwrap.wrap(c, 26)[:2]) for c in cues.values()])
        ax.set_ylim(len(cues) - 0.4, -0.6)
        ax.set_xlim(0, max(duration, 1.0))
        ax.set_xlabel("time (s)")
        return to_svg(fig)


def trend_plot(ylabel: str, series: dict[str, tuple[list, list]], *, ylim=None) -> str:
    """Values over days, one line per series (progress page); x values are datetime.date."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=FIGSIZE)
        for name, (days, values) in series.items():
            ax.plot(days, values, marker="o", lw=1.6, label=name)
        if ylim:
            ax.set_ylim(*ylim)
        ax.set_ylabel(ylabel)
        import matplotlib.dates as mdates

        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=6, interval_multiples=True))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        if len({d for days, _ in series.values() for d in days}) == 1:  # one day: a lone tick, not hours
            only = next(iter(series.values()))[0][0]
            ax.set_xticks([only])
        fig.autofmt_xdate()
        if len(series) > 1:
            ax.legend(frameon=False, fontsize=10, loc="best")
        ax.grid(axis="y", alpha=0.3)
        return to_svg(fig)
