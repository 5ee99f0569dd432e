"""Plots of the language ablation and the code run (PNG, matplotlib Agg)."""
from __future__ import annotations

from typing import Any

from .plot import _rolling

ARM_STYLE = {"without_language": ("tab:red", "format + accuracy"),
             "with_language": ("tab:blue", "format + accuracy + language")}


def _nan(x: Any) -> float:
    return float("nan") if x is None else float(x)


def plot_lang(metrics: dict[str, Any], path: str) -> None:
    """2x2: held-out mixed share, held-out accuracy, training mixed share, chain-of-thought words; both arms."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    before = metrics["eval_before"]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    panels = [
        (axes[0][0], "held-out greedy mixed share (1 - language component)", "heldout_mixed_service", "greedy_mixed_service", True),
        (axes[0][1], "held-out greedy accuracy (service's math verifier)", "heldout_accuracy", "greedy_accuracy", True),
        (axes[1][1], "held-out greedy chain of thought, words", "heldout_cot_words", "greedy_cot_words", False),
    ]
    for ax, title, key, before_key, unit in panels:
        for arm, data in metrics["arms"].items():
            color, label = ARM_STYLE[arm]
            pts = [(0, before[before_key])] + [(r["step"] + 1, r[key]) for r in data["series"] if r.get(key) is not None]
            ax.plot([s for s, _ in pts], [_nan(v) for _, v in pts], marker="o", ms=3, color=color, label=label)
            if key == "heldout_mixed_service":
                pts = [(0, before["greedy_mixed_script"])] + [(r["step"] + 1, r["heldout_mixed_script"]) for r in data["series"]
                                                               if r.get("heldout_mixed_script") is not None]
                ax.plot([s for s, _ in pts], [_nan(v) for _, v in pts], ls="--", lw=1, color=color, alpha=0.7,
                        label=label + " (Cyrillic word count)")
        if unit:
            ax.set_ylim(-0.02, 1.02)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("GRPO step")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    ax = axes[1][0]
    for arm, data in metrics["arms"].items():
        color, label = ARM_STYLE[arm]
        steps = [r["step"] for r in data["series"]]
        ax.plot(steps, _rolling([_nan(r.get("mixed_service")) for r in data["series"]], 10), color=color, label=label + ": mixed share")
        ax.plot(steps, _rolling([_nan(r.get("accuracy")) for r in data["series"]], 10), color=color, ls=":", label=label + ": accuracy")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("training samples (10-step mean): mixed share and accuracy component", fontsize=10)
    ax.set_xlabel("GRPO step")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.suptitle(f"miniature R1, language consistency ablated: {metrics.get('name', '')}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_code(metrics: dict[str, Any], path: str) -> None:
    """2x2: training reward, held-out pass rate (with cold start and SFT control), verdict shares, KL."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = metrics["series"]["grpo"]
    h = metrics["headline"]
    steps = [r["step"] for r in series]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    ax = axes[0][0]
    ax.plot(steps, [_nan(r["reward"]) for r in series], label="reward (format + tests passed)")
    ax.plot(steps, [_nan(r["accuracy"]) for r in series], label="accuracy component (share of tests passed)")
    ax.set_title("training reward per step", fontsize=10)
    ax.set_xlabel("GRPO step")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)

    ax = axes[0][1]
    pts = [(0, h["pass_rate_before"])] + [(r["step"] + 1, r["heldout_pass_rate"]) for r in series if r.get("heldout_pass_rate") is not None]
    ax.plot([s for s, _ in pts], [v for _, v in pts], marker="o", label="GRPO policy (greedy)")
    ax.axhline(h["pass_rate_before"], color="gray", ls="--", label=f"cold start {h['pass_rate_before']:.3f}")
    if h.get("pass_rate_sft_control") is not None:
        ax.axhline(h["pass_rate_sft_control"], color="tab:red", ls=":", label=f"SFT control {h['pass_rate_sft_control']:.3f}")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("held-out pass rate (every hidden test passed, service's JS sandbox)", fontsize=10)
    ax.set_xlabel("GRPO step")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)

    ax = axes[1][0]
    for v in ("passed", "wrong_answer", "runtime_error", "timeout", "compile_error"):
        shares = []
        for r in series:
            tot = sum(x for k, x in r["verdicts"].items() if k != "unscored")
            shares.append(r["verdicts"].get(v, 0) / tot if tot else float("nan"))
        ax.plot(steps, _rolling(shares, 5), label=v)
    ax.set_title("sandbox verdicts of the training samples' tests (5-step mean share)", fontsize=10)
    ax.set_xlabel("GRPO step")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)

    ax = axes[1][1]
    kl = [_nan(r["kl"]) for r in series]
    ax.plot(steps, kl, lw=0.8, alpha=0.6, label="per step")
    ax.plot(steps, _rolling(kl, 20), lw=1.6, label="20-step mean")
    ax.set_title("KL(policy || cold start), token mean", fontsize=10)
    ax.set_xlabel("GRPO step")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.suptitle(f"miniature R1, code accuracy in the loop: {metrics.get('name', '')}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
