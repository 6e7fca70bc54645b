"""HTML building blocks shared by the session report and the progress page: one self-contained file."""

from __future__ import annotations

from html import escape

CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d1d1f;
 background:#f4f5f7}
main{max-width:920px;margin:0 auto;padding:16px}
h1{font-size:1.6rem;margin:.2em 0}
h2{font-size:1.25rem;margin:1.6em 0 .5em;border-bottom:2px solid #dde;padding-bottom:.2em}
h3{font-size:1.05rem;margin:1.2em 0 .4em}
.meta{color:#555;margin:.2em 0 1em}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px;margin:10px 0}
.card{background:#fff;border-radius:10px;padding:10px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .n{font-size:1.7rem;font-weight:700;line-height:1.2}
.card .l{color:#555;font-size:.9rem}
.good{color:#2e7d32}.bad{color:#c62828}.warn{background:#fff4e5;border-left:5px solid #ef6c00;padding:10px 12px;
 border-radius:6px;margin:10px 0}
.ok{background:#e8f5e9;border-left:5px solid #2e7d32;padding:10px 12px;border-radius:6px;margin:10px 0}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:12px}
figure{margin:12px 0;background:#fff;border-radius:10px;padding:8px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
figure svg{width:100%;height:auto;display:block}
figcaption{color:#555;font-size:.9rem;padding:4px 6px}
figcaption b{color:#1d1d1f;font-size:1rem;display:block}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;background:#fff;min-width:100%;font-size:.95rem}
th,td{padding:6px 8px;border-bottom:1px solid #e3e3e8;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}
td:first-child{white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.stills{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.stills img{width:100%;height:auto;border-radius:8px;display:block}
ul{padding-left:1.2em}
footer{color:#666;font-size:.85rem;margin:2em 0 1em}
.safety{border-left:4px solid #c77c02;background:#fff8e6;padding:.5em .8em;margin:1em 0}
@media (max-width:520px){main{padding:10px}.plots{display:block}h1{font-size:1.35rem}
body{font-size:15px}th,td{padding:5px 6px}}
"""


def document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def table(headers: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{escape(str(h))}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in numeric else ''}>{cell_html(c)}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<div class=scroll><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def cell_html(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return escape(str(value))


def card(number, label: str, cls: str = "") -> str:
    return f"<div class=card><div class='n {cls}'>{escape(str(number))}</div><div class=l>{escape(label)}</div></div>"


def figure(svg: str | None, title: str = "", caption: str = "") -> str:
    """A plot with its title above (HTML text, so it stays readable on a phone) and a caption below."""
    if not svg:
        return ""
    head = f"<figcaption><b>{escape(title)}</b></figcaption>" if title else ""
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{head}{svg}{cap}</figure>"


def plots(*figures: str) -> str:
    """Figures side by side where the screen is wide, one under the other on a phone."""
    inner = "".join(f for f in figures if f)
    return f"<div class=plots>{inner}</div>" if inner else ""
