"""TEMPORARY: evaluate's text output until the metric registry's formatter lands."""

from __future__ import annotations


def format_scores(s: dict) -> str:
    """A short human-readable table of ``evaluate``'s scores."""
    if "detection_auc" in s:
        return format_table_scores(s)
    lines = [
        f"n = {s['n']} samples against the {s['reference']} (extractor {s['extractor_hash'][:12]}, "
        f"accuracy {s['extractor_test_accuracy'] if s['extractor_test_accuracy'] is None else round(s['extractor_test_accuracy'], 3)})",
        f"FD        {s['fd']:10.3f}   real-vs-real floor {s['fd_real_floor']:.3f}"
        + (f"   untrained G {s['fd_untrained']:.3f}" if "fd_untrained" in s else ""),
        f"KID       {s['kid']:10.5f} ± {s['kid_std']:.5f}   floor {s['kid_real_floor']:.5f}",
        f"precision {s['precision']:10.3f}   recall {s['recall']:.3f}",
        f"density   {s['density']:10.3f}   coverage {s['coverage']:.3f}",
    ]
    if "class_coverage" in s:
        lines.append(f"class coverage {s['class_coverage']:.3f}"
                     + (f"   label accuracy {s['label_accuracy']:.3f}" if "label_accuracy" in s else ""))
    if "worst_class" in s:
        w = s["worst_class"]
        lines.append(f"worst class {w['name']!r}: FD {w['fd']:.3f} (gap to best {w['gap']:.3f})")
    return "\n".join(lines)


def format_table_scores(s: dict) -> str:
    """The scores of a table or expression run, each beside its real-vs-real value."""

    def num(key: str) -> str:
        value = s.get(key)
        return "—" if value is None else f"{value:.3f}"

    lines = [f"n = {s['n']} synthetic rows against {s['n_reference']} rows of the {s['reference']}"]
    for key, label in (("fidelity", "fidelity"), ("gene_mean_r", "gene mean r"), ("gene_var_r", "gene var r"),
                       ("corr_of_corr", "corr of corr"), ("mmd", "MMD (PCA)")):
        if key in s:
            lines.append(f"{label:<16}{num(key):>8}   real-vs-real {num(key + '_real_floor')}")
    lines += [
        f"FD (features)   {num('fd'):>8}   real-vs-real {num('fd_real_floor')}   untrained G {num('fd_untrained')}",
        f"detection AUC   {num('detection_auc'):>8}   real-vs-real {num('detection_auc_real')}   (0.5: indistinguishable)",
        f"utility (TSTR)  {num('utility_tstr'):>8}   train on real {num('utility_trtr')}   ratio {num('utility_ratio')}",
        f"DCR closer to train {num('dcr_closer_to_train_share')}   membership AUC {num('mia_auc')}   (0.5 ideal)",
    ]
    worst = s.get("worst_group")
    if isinstance(worst, dict):
        lines.append(f"worst group {worst['name']!r}: {worst['metric']} {worst['value']:.3f} (gap to best {worst['gap']:.3f})"
                     + (f", n = {worst['n']} held-out" if worst.get("n") is not None else "")
                     + ("" if worst.get("trusted", True) else ", no group is large enough to trust"))
        if worst.get("small"):
            lines.append(f"too few held-out rows (< {worst['min_rows']}) to trust: {', '.join(map(str, worst['small']))}")
    return "\n".join(lines)
