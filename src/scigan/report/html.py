"""``scigan report RUN``: one self-contained HTML page about a run folder.

``RUN/report.html`` shows the run's summary, its latest preview and a few over training,
the scores of ``scigan evaluate`` beside their floors (every score as the metric
registry declares it), loss and score curves (PNG files in ``RUN/report/``) and the full
config. It only reads the run folder (:mod:`scigan.report.data`); every string taken
from its files is HTML-escaped.
"""

from __future__ import annotations

import html
import os
import shlex
import struct
import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scigan.config import section_tables
from scigan.errors import ScienceError
from scigan.metrics.registry import FACTS, Score, find, label
from scigan.metrics.text import QUIET, WORST, plain, used_keys
from scigan.report.data import (
    Metrics,
    Point,
    best_of,
    checkpoint_point,
    declared_scores,
    is_number,
    latest_state,
    read_json,
    read_metrics,
    selection_score,
)
from scigan.report.plots import plot_losses, plot_metrics
from scigan.runs import open_run

#: Most previews in the "over training" strip.
MAX_STRIP = 6
#: Pictures narrower than this are pixel grids, shown enlarged without smoothing.
GRID_WIDTH = 400
#: Nested results the page draws as tables of their own.
DRAWN = frozenset({"fd_per_class", "per_group", "figures", *WORST})

CSS = """
body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.worst td{background:#fde2e1;font-weight:600}
.synthetic{background:#fff4d6;border:1px solid #e0b84c;padding:.5em .8em;border-radius:4px}
.note{color:#555}code{background:#f3f3f3;padding:0 .3em}
img.grid{image-rendering:pixelated;width:min(100%,560px);border:1px solid #ccc}
img.plot{max-width:100%}.strip{display:flex;flex-wrap:wrap;gap:.8em}
.strip figure{margin:0;text-align:center}.strip img{width:160px;border:1px solid #ccc}
.strip img.grid{image-rendering:pixelated}
.cols{display:flex;flex-wrap:wrap;gap:2em}
"""


def write_report(run: str | Path) -> Path:
    """Write ``RUN/report.html`` (its plots into ``RUN/report/``) and return its path.

    Raises ScienceError when ``run`` does not exist or is not a run folder.
    """
    try:
        info = open_run(run)
    except tomllib.TOMLDecodeError as err:
        raise ScienceError(f"{Path(run) / 'config.toml'} is not valid TOML ({err})") from None
    path = info.path
    (path / "report").mkdir(exist_ok=True)
    metrics = read_metrics(path / "metrics.jsonl")
    state = latest_state(path)
    declared = declared_scores(info)
    selection = selection_score(info, declared, state)
    best = best_of(state, metrics.evals, selection)
    has_losses = plot_losses(metrics.losses, path / "report" / "losses.png")
    has_metrics = plot_metrics(metrics.evals, best[0], path / "report" / "metrics.png", declared, selection)

    command = shlex.quote(str(path))
    curves = (
        (
            _img("report/losses.png", "loss curves", "plot")
            if has_losses
            else '<p class="note">No loss terms logged yet (metrics.jsonl is missing or empty).</p>'
        )
        + (
            _img("report/metrics.png", "quick scores over training", "plot")
            if has_metrics
            else '<p class="note">No quick evaluations logged (eval_every = 0, or none reached yet).</p>'
        )
        + (
            f'<p class="note">{metrics.skipped} unreadable line(s) of metrics.jsonl skipped '
            "(a run killed while writing leaves a truncated last line).</p>"
            if metrics.skipped
            else ""
        )
    )
    tables = {**section_tables(info.config), "data": info.data}
    body = "".join(
        [
            f"<h1>scigan run report: {_esc(path.name)}</h1>",
            '<p class="synthetic"><strong>Every sample picture on this page is synthetic</strong>: drawn '
            "by the trained generator, not taken from the real data set.</p>",
            f'<p class="note">Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from {_esc(path)}.</p>',
            "<h2>Summary</h2>",
            summary_table(info.config.steps, metrics, state, best, selection),
            "<h2>Samples (synthetic)</h2>",
            samples_section(path, metrics.points),
            "<h2>Evaluation</h2>",
            evaluation_section(path / "evaluation.json", command, declared),
            "<h2>Training curves</h2>",
            curves,
            '<h2>Configuration</h2><p class="note">From config.toml: every option, defaults included.</p>',
            '<div class="cols">',
            *(
                f"<div><h3>[{_esc(name)}]</h3>"
                + _table(["option", "value"], [[k, _fmt(v, exact=True)] for k, v in table.items()])
                + "</div>"
                for name, table in tables.items()
            ),
            "</div>",
        ]
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>scigan report: {_esc(path.name)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
    out = path / "report.html"
    tmp = out.with_name(f".report.html.tmp-{os.getpid()}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return out


def summary_table(
    planned_steps: int, metrics: Metrics, state: dict[str, Any], best: tuple[int | None, float | None], selection: Score
) -> str:
    """How far the run got: from the newest checkpoint's state, else from the last log line."""
    last = checkpoint_point(state) or max(metrics.points, key=lambda p: p.step, default=None)
    seconds = last and last.seconds
    rows = [
        ["steps", f"{_fmt(last and last.step)} of {_fmt(planned_steps) if planned_steps else 'no step limit'}"],
        ["real samples seen", _fmt(last and last.images)],
        ["training time", _duration(seconds) if isinstance(seconds, (int, float)) else "—"],
        [f"best step (by {selection.label}, {selection.hint})", _fmt(best[0])],
        [f"best quick {selection.label}", _fmt(best[1])],
        ["last quick evaluation", _fmt(metrics.evals[-1].values) if metrics.evals else "—"],
        ["numbers from", "newest checkpoint's state.json" if state else "metrics.jsonl (no checkpoint yet)"],
    ]
    return _table(["", ""], rows)


def picture_class(path: Path) -> str:
    """``"grid"`` for a small picture (pixels to enlarge unsmoothed), else ``"plot"``."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(24)
        width = struct.unpack(">I", head[16:20])[0] if head[:8] == b"\x89PNG\r\n\x1a\n" else GRID_WIDTH
    except OSError:
        width = GRID_WIDTH
    return "grid" if width < GRID_WIDTH else "plot"


def samples_section(run: Path, points: list[Point]) -> str:
    """The latest preview, and a strip of at most MAX_STRIP previews over training."""
    folder = run / "samples"
    found = sorted((int(p.stem), p) for p in folder.glob("*.png") if p.stem.isdigit()) if folder.is_dir() else []
    if not found:
        return '<p class="note">No previews yet (samples/ is empty).</p>'
    seen = {p.step: p.images for p in points}
    step, latest = found[-1]
    out = [
        f"<p>Latest preview, step {step}:</p>",
        _img(f"samples/{latest.name}", f"synthetic samples at step {step}", picture_class(latest)),
    ]
    if len(found) > 1:
        k = min(MAX_STRIP, len(found))
        chosen = [found[round(i * (len(found) - 1) / (k - 1))] for i in range(k)]
        figures = "".join(
            f"<figure>{_img(f'samples/{p.name}', f'synthetic samples at step {s}', picture_class(p))}"
            f"<figcaption>step {s}{f' · {seen[s] / 1000:g}k seen' if s in seen else ''}</figcaption></figure>"
            for s, p in chosen
        )
        out.append(f'<p>Over training (synthetic):</p><div class="strip">{figures}</div>')
    return "".join(out)


def score_rows(ev: dict[str, Any], declared: Sequence[Score]) -> list[list[str]]:
    """One row per declared score in ``ev``: label, value (± spread), what it compares
    with (floor, untrained generator), what it says and which way is good."""
    rows = []
    for s in declared:
        if s.key not in ev:
            continue
        value = _fmt(ev[s.key]) + (f" ± {_fmt(ev[s.spread])}" if ev.get(s.spread) is not None else "")
        beside = [f"{s.floor_label} {_fmt(ev[s.floor])}"] if s.floor in ev else []
        beside += [f"untrained generator {_fmt(ev[s.untrained])}"] if s.untrained in ev else []
        rows.append([s.label, value, "; ".join(beside), f"{s.meaning}; {s.hint}"])
    return rows


def gap_closed(ev: dict[str, Any], declared: Sequence[Score]) -> list[str]:
    """For each score with a floor and an untrained value: the share of the gap closed."""
    out = []
    for s in declared:
        value, floor, untrained = ev.get(s.key), ev.get(s.floor), ev.get(s.untrained)
        if not (s.floor and s.untrained and all(map(is_number, (value, floor, untrained)))):
            continue
        assert value is not None and floor is not None and untrained is not None
        if untrained != floor:
            share = (untrained - value) / (untrained - floor)
            out.append(
                f"<p>{_esc(s.label)} has closed <strong>{share:.0%}</strong> of the gap from the untrained "
                f"generator ({_fmt(untrained)}) to the {_esc(s.floor_label)} ({_fmt(floor)}).</p>"
            )
    return out


def nested_tables(ev: dict[str, Any], declared: Sequence[Score]) -> list[str]:
    """The per-class FD and the per-group scores, the worst row marked."""
    out = []
    per_class = ev.get("fd_per_class")
    if isinstance(per_class, dict) and per_class:
        worst: dict[str, Any] = ev["worst_class"] if isinstance(ev.get("worst_class"), dict) else {}
        fd = find("fd")
        names = list(per_class)
        mark = names.index(worst["name"]) if worst.get("name") in per_class else None
        out.append(f"<h3>{_esc(fd.label if fd else 'FD')} per class</h3>")
        if mark is not None:
            out.append(
                f"<p>Worst class: <strong>{_esc(worst['name'])}</strong> ({_fmt(worst.get('fd'))}, "
                f"{_fmt(worst.get('gap'))} above the best class).</p>"
            )
        out.append(
            _table(
                ["class", fd.label if fd else "FD"], [[n, _fmt(per_class[n])] for n in names], mark=mark, numeric=(1,)
            )
        )
    groups = ev.get("per_group")
    if isinstance(groups, dict) and groups and all(isinstance(g, dict) for g in groups.values()):
        worst = ev["worst_group"] if isinstance(ev.get("worst_group"), dict) else {}
        names, keys = list(groups), list(next(iter(groups.values())))
        labels = [label(k, declared) for k in keys]
        out.append("<h3>Per group</h3>")
        if worst.get("name") in groups:
            out.append(
                f"<p>Worst group: <strong>{_esc(worst['name'])}</strong> "
                f"({_esc(label(str(worst.get('metric')), declared))} {_fmt(worst.get('value'))}, "
                f"{_fmt(worst.get('gap'))} from the best group).</p>"
            )
        out.append(
            _table(
                ["group", *labels],
                [[n, *(_fmt(groups[n].get(k)) for k in keys)] for n in names],
                mark=names.index(worst["name"]) if worst.get("name") in groups else None,
                numeric=tuple(range(1, len(keys) + 1)),
            )
        )
    return out


def evaluation_section(path: Path, command: str, declared: Sequence[Score]) -> str:
    """The scores of ``evaluation.json`` (at ``path``) beside their floors, the pictures
    ``evaluate`` wrote, the per-class and per-group tables and what the scores depend
    on; how to produce them when the file is missing or unreadable."""
    how = (
        f"Run <code>scigan evaluate {_esc(command)}</code> for every score beside its real-vs-real floor, "
        f"then <code>scigan report {_esc(command)}</code> again."
    )
    if not path.exists():
        return f'<p class="note">Not evaluated yet. {how}</p>'
    ev = read_json(path)
    if not isinstance(ev, dict):
        return f'<p class="note">evaluation.json is unreadable. {how}</p>'
    rows = score_rows(ev, declared)
    out = [_table(["score", "value", "compare with", "what it says"], rows, numeric=(1,))] if rows else []
    report = path.parent / "report"
    if (report / "enhance.png").is_file():
        out.append(
            "<p>Held-out crops, side by side: baseline | the network's output (processed, synthetic) | "
            "the real target (CycleGAN: input A | A -> B | back to A):</p>"
            + _img("report/enhance.png", "baseline, output and target crops", "grid")
        )
    if (report / "embedding.png").is_file():
        out.append(
            "<p>Real held-out and synthetic samples in the first two principal components of the "
            "real ones, coloured by label:</p>"
            + _img("report/embedding.png", "PCA of real and synthetic samples", "plot")
        )
    out += figures(ev, report)
    out += gap_closed(ev, declared)
    out += nested_tables(ev, declared)
    out.append(
        '<h3>What the scores depend on</h3><p class="note">Scores compare only under the same '
        "feature extractor (hash), the same n and the same reference split.</p>"
    )
    out.append(_table(["", ""], [[f.label, _fmt(ev[f.key])] for f in FACTS if f.key in ev]))
    shown = used_keys(declared) | {f.key for f in FACTS} | DRAWN | QUIET
    other = [[key, _fmt(value)] for key, value in ev.items() if key not in shown]
    if other:
        out.append("<h3>Other values</h3>" + _table(["key", "value"], other, numeric=(1,)))
    return "".join(out)


def figures(ev: dict[str, Any], report: Path) -> list[str]:
    """The kind's own pictures that ``evaluate`` listed in evaluation.json's ``figures``
    (``{"file": name in RUN/report/, "caption": ...}``), those still on disk."""
    out = []
    for figure in ev.get("figures") or []:
        if not isinstance(figure, dict):
            continue
        name = Path(str(figure.get("file", ""))).name
        if name and (report / name).is_file():
            caption = str(figure.get("caption", name))
            out.append(f"<p>{_esc(caption)}:</p>" + _img(f"report/{name}", caption, "plot"))
    return out


def _table(header: list[str], rows: list[list[str]], *, mark: int | None = None, numeric: tuple[int, ...] = ()) -> str:
    """An HTML table of plain-text cells (all escaped); row ``mark`` gets class "worst",
    columns in ``numeric`` align right. An all-empty ``header`` gives no header row."""
    worst, num = ' class="worst"', ' class="num"'
    head = "".join(f"<th>{_esc(h)}</th>" for h in header) if any(header) else ""
    body = "".join(
        f"<tr{worst if i == mark else ''}>"
        + "".join(f"<td{num if j in numeric else ''}>{_esc(c)}</td>" for j, c in enumerate(row))
        + "</tr>"
        for i, row in enumerate(rows)
    )
    return f"<table>{f'<thead><tr>{head}</tr></thead>' if head else ''}<tbody>{body}</tbody></table>"


def _img(src: str, alt: str, css: str = "") -> str:
    """An <img> with a relative, URL-quoted ``src``."""
    css_attr = f' class="{css}"' if css else ""
    return f'<img src="{_esc(quote(src))}" alt="{_esc(alt)}"{css_attr}>'


def _fmt(value: Any, exact: bool = False) -> str:
    """Plain text for a value from a file: floats to 4 significant digits unless ``exact``."""
    if not exact:
        return plain(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v, exact) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(v, exact)}" for k, v in value.items())
    return plain(value) if value is None or isinstance(value, bool) else str(value)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _duration(seconds: float) -> str:
    """``seconds`` as "1 h 02 min", "3 min 20 s" or "41 s"."""
    minutes, s = divmod(round(seconds), 60)
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m:02d} min" if hours else f"{m} min {s:02d} s" if m else f"{s} s"
