"""``scigan report RUN``: one self-contained HTML page about a run folder.

``RUN/report.html`` shows the run's summary, its latest preview grid and a few grids
over training, the scores of ``scigan evaluate`` beside their floors, loss and metric
curves (PNG files in ``RUN/report/``) and the full config. It only reads the run folder;
every string taken from its files is HTML-escaped.
"""

from __future__ import annotations

import html
import json
import os
import shlex
import tomllib
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scigan.errors import ScienceError
from scigan.runs import open_run

#: Keys of a metrics.jsonl record that are not loss terms.
RECORD_KEYS = frozenset({"step", "images", "seconds", "eval"})
#: Most preview grids in the "over training" strip.
MAX_STRIP = 6

#: Scores of evaluation.json shown in the main table: key -> (label, what it says).
SCORES = {
    "precision": ("Precision", "share of samples inside the real data's k-NN balls (fidelity)"),
    "recall": ("Recall", "share of real samples reached by the samples' k-NN balls (diversity)"),
    "density": ("Density", "fidelity robust to outliers; about 1 when samples match real data"),
    "coverage": ("Coverage", "share of real neighbourhoods holding at least one sample"),
    "class_coverage": ("Class coverage", "share of classes the samples cover (low: mode collapse)"),
    "label_accuracy": ("Label accuracy", "the extractor predicts the label a sample was generated for"),
}
#: What makes a score interpretable: key -> label.
PROVENANCE = {
    "n": "samples per side (n)", "extractor_hash": "feature extractor hash",
    "extractor_task": "extractor trained for", "extractor_test_accuracy": "extractor test accuracy",
    "reference": "reference split", "n_reference_available": "reference rows available",
    "step": "generator step", "checkpoint": "checkpoint",
}
#: Scores of tables and expression: key -> (label, the real-vs-real key beside it, what it says).
PAIRED = {
    "fidelity": ("Fidelity", "fidelity_real_floor", "tables: mean of per-column and per-pair similarity; 1 is identical"),
    "gene_mean_r": ("Gene means (r)", "gene_mean_r_real_floor", "agreement of per-gene means across genes"),
    "gene_var_r": ("Gene variances (r)", "gene_var_r_real_floor", "agreement of per-gene variances across genes"),
    "corr_of_corr": ("Correlation of correlations", "corr_of_corr_real_floor", "gene–gene correlation structure"),
    "mmd": ("MMD (PCA)", "mmd_real_floor", "kernel distance in principal components; lower is better"),
    "detection_auc": ("Detection AUC", "detection_auc_real", "random forest real vs synthetic; 0.5: indistinguishable"),
    "utility_ratio": ("Utility (TSTR / TRTR)", None, "label predicted on held-out rows, trained on synthetic vs real"),
    "dcr_closer_to_train_share": ("DCR: closer to train", None, "share of synthetic rows nearer a training row; 0.5 ideal"),
    "mia_auc": ("Membership-inference AUC", None, "distance attack on training membership; 0.5 ideal"),
}
_SHOWN = {"fd", "fd_real_floor", "fd_untrained", "kid", "kid_std", "kid_real_floor",
          "fd_per_class", "worst_class", "run", "utility_tstr", "utility_trtr", "per_group", "worst_group",
          *SCORES, *PROVENANCE, *PAIRED, *(floor for _, floor, _ in PAIRED.values() if floor)}

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
.strip figure{margin:0;text-align:center}.strip img{image-rendering:pixelated;width:160px;border:1px solid #ccc}
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
    losses, evals, skipped = read_metrics(path / "metrics.jsonl")
    state = latest_state(path)
    best_step, best_fd = best_of(state, evals)
    has_losses = plot_losses(losses, path / "report" / "losses.png")
    has_metrics = plot_metrics(evals, best_step, path / "report" / "metrics.png")

    command = shlex.quote(str(path))
    curves = (
        (_img("report/losses.png", "loss curves", "plot") if has_losses
         else '<p class="note">No loss terms logged yet (metrics.jsonl is missing or empty).</p>')
        + (_img("report/metrics.png", "FD and KID over training", "plot") if has_metrics
           else '<p class="note">No quick evaluations logged (eval_every = 0, or none reached yet).</p>')
        + (f'<p class="note">{skipped} unreadable line(s) of metrics.jsonl skipped '
           "(a run killed while writing leaves a truncated last line).</p>" if skipped else "")
    )
    body = "".join([
        f"<h1>scigan run report: {_esc(path.name)}</h1>",
        '<p class="synthetic"><strong>Every sample image on this page is synthetic</strong>: drawn '
        "by the trained generator, not taken from the real data set.</p>",
        f'<p class="note">Written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC from {_esc(path)}.</p>',
        "<h2>Summary</h2>", summary_table(info.config.steps, losses + evals, state, (best_step, best_fd)),
        "<h2>Samples (synthetic)</h2>", samples_section(path, losses + evals),
        "<h2>Evaluation</h2>", evaluation_section(path / "evaluation.json", command),
        "<h2>Training curves</h2>", curves,
        '<h2>Configuration</h2><p class="note">From config.toml: every option, defaults included.</p>',
        '<div class="cols"><div><h3>[train]</h3>',
        _table(["option", "value"], [[k, _fmt(v, exact=True)] for k, v in asdict(info.config).items()]),
        "</div><div><h3>[data]</h3>",
        _table(["field", "value"], [[k, _fmt(v, exact=True)] for k, v in info.data.items()]),
        "</div></div>",
    ])
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>scigan report: {_esc(path.name)}</title>\n<style>{CSS}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")
    out = path / "report.html"
    tmp = out.with_name(f".report.html.tmp-{os.getpid()}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return out


def read_metrics(path: Path) -> tuple[list[dict], list[dict], int]:
    """Loss records, evaluation records and the number of unreadable lines of a
    ``metrics.jsonl`` (a missing file gives nothing; a truncated line is counted, not read)."""
    losses: list[dict] = []
    evals: list[dict] = []
    skipped = 0
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.is_file() else []
    for line in filter(str.strip, lines):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            skipped += 1
            continue
        if not (isinstance(record, dict) and _is_number(record.get("step")) and _is_number(record.get("images"))):
            skipped += 1
        elif isinstance(record.get("eval"), dict):
            evals.append(record)
        else:
            losses.append(record)
    return losses, evals, skipped


def latest_state(run: Path) -> dict[str, Any]:
    """``state.json`` of the newest step checkpoint (else of ``best``); {} when none is readable."""
    root = run / "checkpoints"
    steps = sorted((p for p in root.glob("*") if p.name.isdigit()), key=lambda p: int(p.name)) if root.is_dir() else []
    for directory in [*reversed(steps), root / "best"]:
        state = _read_json(directory / "state.json")
        if isinstance(state, dict):
            return state
    return {}


def best_of(state: dict[str, Any], evals: list[dict]) -> tuple[int | None, float | None]:
    """Best step and its quick FD: from the checkpoint's state, else the lowest logged FD."""
    if state.get("best_step") is not None:
        return state["best_step"], state.get("best_score")
    scored = [r for r in evals if _is_number(r["eval"].get("fd"))]
    if not scored:
        return None, None
    best = min(scored, key=lambda r: r["eval"]["fd"])
    return best["step"], best["eval"]["fd"]


def plot_losses(records: list[dict], path: Path) -> bool:
    """Plot every loss term over images seen into ``path`` (PNG); False when there is none."""
    terms = sorted({k for r in records for k, v in r.items() if k not in RECORD_KEYS and _is_number(v)})
    if not terms:
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.8))
    try:
        for term in terms:
            points = [(r["images"] / 1000, r[term]) for r in records if _is_number(r.get(term))]
            ax.plot(*zip(*points), "-o", ms=2, lw=1.2, label=term)
        ax.set(xlabel="images seen (thousands)", ylabel="loss",
               title="Loss terms (they do not tell sample quality: see FD)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        _save(fig, path)
    finally:
        plt.close(fig)
    return True


def plot_metrics(evals: list[dict], best_step: int | None, path: Path) -> bool:
    """Plot FD and KID of the quick evaluations over images seen, the best step starred,
    into ``path`` (PNG); False when there is nothing to plot."""
    keys = [k for k in ("fd", "kid") if any(_is_number(r["eval"].get(k)) for r in evals)]
    if not keys:
        return False
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.6), squeeze=False)
    try:
        for ax, key in zip(axes[0], keys):
            rows = [r for r in evals if _is_number(r["eval"].get(key))]
            xs, ys = [r["images"] / 1000 for r in rows], [r["eval"][key] for r in rows]
            ax.plot(xs, ys, "-o", ms=3, lw=1.2)
            best = [i for i, r in enumerate(rows) if r["step"] == best_step]
            if best:
                ax.axvline(xs[best[0]], ls="--", lw=1, color="tab:green")
                ax.plot(xs[best[0]], ys[best[0]], "*", ms=12, color="tab:green", label=f"best: step {best_step}")
                ax.legend(fontsize=8)
            if min(ys) > 0 and max(ys) > 20 * min(ys):
                ax.set_yscale("log")
            n = rows[-1]["eval"].get("n")
            ax.set(xlabel="images seen (thousands)",
                   title=f"{key.upper()} (lower is better{f', n={n}' if n else ''})")
            ax.grid(alpha=0.3)
        _save(fig, path)
    finally:
        plt.close(fig)
    return True


def summary_table(planned_steps: int, records: list[dict], state: dict[str, Any],
                  best: tuple[int | None, float | None]) -> str:
    """How far the run got: from the newest checkpoint's state, else from the last log line."""
    last = max(records, key=lambda r: r["step"], default={})
    step = state.get("step", last.get("step"))
    seconds = state.get("seconds", last.get("seconds"))
    quick = [r for r in records if "eval" in r]
    rows = [
        ["steps", f"{_fmt(step)} of {_fmt(planned_steps) if planned_steps else 'no step limit'}"],
        ["real images seen", _fmt(state.get("images", last.get("images")))],
        ["training time", _duration(seconds) if _is_number(seconds) else "—"],
        ["best step (lowest quick FD)", _fmt(best[0])],
        ["best quick FD", _fmt(best[1])],
        ["last quick evaluation", _fmt(quick[-1]["eval"]) if quick else "—"],
        ["numbers from", "newest checkpoint's state.json" if state else "metrics.jsonl (no checkpoint yet)"],
    ]
    return _table(["", ""], rows)


def samples_section(run: Path, records: list[dict]) -> str:
    """The latest preview grid, and a strip of at most MAX_STRIP grids over training."""
    folder = run / "samples"
    grids = sorted((int(p.stem), p) for p in folder.glob("*.png") if p.stem.isdigit()) if folder.is_dir() else []
    if not grids:
        return '<p class="note">No preview grids yet (samples/ is empty).</p>'
    images = {r["step"]: r["images"] for r in records}
    step, latest = grids[-1]
    out = [f"<p>Latest preview grid, step {step} (one row per class for conditional runs):</p>",
           _img(f"samples/{latest.name}", f"synthetic samples at step {step}", "grid")]
    if len(grids) > 1:
        k = min(MAX_STRIP, len(grids))
        chosen = [grids[round(i * (len(grids) - 1) / (k - 1))] for i in range(k)]
        figures = "".join(
            f"<figure>{_img(f'samples/{p.name}', f'synthetic samples at step {s}')}"
            f"<figcaption>step {s}{f' · {images[s] / 1000:g}k images' if s in images else ''}</figcaption></figure>"
            for s, p in chosen
        )
        out.append(f'<p>Over training (synthetic):</p><div class="strip">{figures}</div>')
    return "".join(out)


def evaluation_section(path: Path, command: str) -> str:
    """The scores of ``evaluation.json`` (at ``path``) beside their floors, per class, with
    provenance; how to produce them when the file is missing or unreadable."""
    how = (f"Run <code>scigan evaluate {_esc(command)}</code> for FD beside the real-vs-real floor, "
           "KID, precision/recall/density/coverage and per-class FD, "
           f"then <code>scigan report {_esc(command)}</code> again.")
    if not path.exists():
        return f'<p class="note">Not evaluated yet. {how}</p>'
    ev = _read_json(path)
    if not isinstance(ev, dict):
        return f'<p class="note">evaluation.json is unreadable. {how}</p>'
    rows = []
    if "fd" in ev:
        rows.append(["Fréchet distance (FD)", _fmt(ev["fd"]),
                     f"real-vs-real floor {_fmt(ev.get('fd_real_floor'))}; "
                     f"untrained generator {_fmt(ev.get('fd_untrained'))}",
                     "lower is better; the floor is what two real samples of the same n score"])
    if "kid" in ev:
        rows.append(["Kernel distance (KID)", f"{_fmt(ev['kid'])} ± {_fmt(ev.get('kid_std'))}",
                     f"real-vs-real floor {_fmt(ev.get('kid_real_floor'))}", "unbiased at small n; lower is better"])
    rows += [[label, _fmt(ev[key]), "", meaning] for key, (label, meaning) in SCORES.items() if key in ev]
    for key, (label, floor, meaning) in PAIRED.items():
        if key in ev:
            beside = (f"real-vs-real {_fmt(ev.get(floor))}" if floor else
                      f"TSTR {_fmt(ev.get('utility_tstr'))}, TRTR {_fmt(ev.get('utility_trtr'))}"
                      if key == "utility_ratio" else "")
            rows.append([label, _fmt(ev[key]), beside, meaning])
    for key, label, meaning in (("psnr", "PSNR (dB)", "higher is better; 10·log10(1/MSE) on held-out pictures"),
                                ("ssim", "SSIM", "higher is better, 1 = identical structure"),
                                ("cycle_psnr", "cycle PSNR (dB)", "A -> B -> A against A; higher is better"),
                                ("cycle_ssim", "cycle SSIM", "A -> B -> A against A; 1 = identical")):
        if key in ev:  # an enhancement or translation run
            rows.append([label, _fmt(ev[key]), f"{ev.get('baseline')}: {_fmt(ev.get(key + '_baseline'))}", meaning])
    out = [_table(["score", "value", "compare with", "what it says"], rows, numeric=(1,))] if rows else []
    if ("psnr" in ev or "cycle_psnr" in ev) and (path.parent / "report" / "enhance.png").is_file():
        out.append("<p>Held-out crops, side by side: baseline | the network's output (processed, synthetic) | "
                   "the real target (CycleGAN: input A | A -> B | back to A):</p>" + _img("report/enhance.png", "baseline, output and target crops", "grid"))
    if (path.parent / "report" / "embedding.png").is_file():
        out.append("<p>Real held-out and synthetic samples in the first two principal components of the "
                   "real ones, coloured by label:</p>" + _img("report/embedding.png", "PCA of real and synthetic samples", "plot"))
    fd, floor, untrained = ev.get("fd"), ev.get("fd_real_floor"), ev.get("fd_untrained")
    if all(map(_is_number, (fd, floor, untrained))) and untrained > floor:
        share = (untrained - fd) / (untrained - floor)
        out.append(f"<p>FD has closed <strong>{share:.0%}</strong> of the gap from the untrained generator "
                   f"({_fmt(untrained)}) to the real-vs-real floor ({_fmt(floor)}).</p>")
    per_class = ev.get("fd_per_class")
    if isinstance(per_class, dict) and per_class:
        worst = ev.get("worst_class") if isinstance(ev.get("worst_class"), dict) else {}
        names = list(per_class)
        mark = names.index(worst["name"]) if worst.get("name") in per_class else None
        out.append("<h3>FD per class</h3>")
        if mark is not None:
            out.append(f"<p>Worst class: <strong>{_esc(worst['name'])}</strong> (FD {_fmt(worst.get('fd'))}, "
                       f"{_fmt(worst.get('gap'))} above the best class).</p>")
        out.append(_table(["class", "FD"], [[name, _fmt(per_class[name])] for name in names], mark=mark, numeric=(1,)))
    groups = ev.get("per_group")
    if isinstance(groups, dict) and groups and all(isinstance(g, dict) for g in groups.values()):
        worst = ev.get("worst_group") if isinstance(ev.get("worst_group"), dict) else {}
        names, metrics = list(groups), list(next(iter(groups.values())))
        out.append("<h3>Per group</h3>")
        if worst.get("name") in groups:
            out.append(f"<p>Worst group: <strong>{_esc(worst['name'])}</strong> ({_esc(worst.get('metric'))} "
                       f"{_fmt(worst.get('value'))}, {_fmt(worst.get('gap'))} from the best group).</p>")
        out.append(_table(["group", *metrics], [[n, *(_fmt(groups[n].get(m)) for m in metrics)] for n in names],
                          mark=names.index(worst["name"]) if worst.get("name") in groups else None,
                          numeric=tuple(range(1, len(metrics) + 1))))
    out.append("<h3>What the scores depend on</h3><p class=\"note\">Scores compare only under the same "
               "feature extractor (hash), the same n and the same reference split.</p>")
    out.append(_table(["", ""], [[label, _fmt(ev[key])] for key, label in PROVENANCE.items() if key in ev]))
    other = [[key, _fmt(value)] for key, value in ev.items() if key not in _SHOWN]
    if other:
        out.append("<h3>Other scores</h3>" + _table(["score", "value"], other, numeric=(1,)))
    return "".join(out)


def _table(header: list[str], rows: list[list[str]], *, mark: int | None = None,
           numeric: tuple[int, ...] = ()) -> str:
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
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and not exact:
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v, exact) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(v, exact)}" for k, v in value.items())
    return str(value)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _duration(seconds: float) -> str:
    """``seconds`` as "1 h 02 min", "3 min 20 s" or "41 s"."""
    minutes, s = divmod(round(seconds), 60)
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m:02d} min" if hours else f"{m} min {s:02d} s" if m else f"{s} s"


def _read_json(path: Path) -> Any:
    """The JSON in ``path``, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _pyplot():
    """matplotlib.pyplot on the Agg backend (imported here: it is slow to import)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> None:
    """Save ``fig`` as PNG to ``path`` atomically."""
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fig.savefig(tmp, format="png", dpi=110)
    os.replace(tmp, path)
