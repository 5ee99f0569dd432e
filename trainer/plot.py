"""The run's plot: reward, held-out accuracy, response length and KL per GRPO step (PNG, matplotlib Agg)."""
from __future__ import annotations

from typing import Any


def _rolling(xs: list[float], n: int) -> list[float]:
    """Trailing mean over up to ``n`` values, NaNs skipped."""
    out: list[float] = []
    for i in range(len(xs)):
        window = [x for x in xs[max(0, i - n + 1):i + 1] if x == x]
        out.append(sum(window) / len(window) if window else float("nan"))
    return out


def plot_run(metrics: dict[str, Any], path: str) -> None:
    """Write a 2x2 figure of the per-step series in ``metrics`` to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = metrics["series"]["grpo"]
    steps = [r["step"] for r in series]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    ax = axes[0][0]
    ax.plot(steps, [r["reward"] for r in series], label="reward (format + accuracy)", lw=1.2)
    ax.plot(steps, [r["accuracy"] for r in series], label="accuracy component", lw=1)
    ax.plot(steps, [r["format"] for r in series], label="format component", lw=1)
    ax.set_title("training reward per step (mean over the step's completions)")
    ax.set_xlabel("GRPO step")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)

    ax = axes[0][1]
    # step 0 is the cold start (accuracy_before, the same held-out problems when quick_eval_n == eval_n)
    ev = [(0, metrics["accuracy_before"])] + [(r["step"] + 1, r["heldout_accuracy"]) for r in series if r.get("heldout_accuracy") is not None]
    if ev:
        ax.plot([s for s, _ in ev], [a for _, a in ev], marker="o", label="GRPO policy (greedy)")
    ax.axhline(metrics["accuracy_before"], color="gray", ls="--", label=f"cold start {metrics['accuracy_before']:.3f}")
    if metrics.get("accuracy_sft_control") is not None:
        ax.axhline(metrics["accuracy_sft_control"], color="tab:red", ls=":", label=f"SFT control {metrics['accuracy_sft_control']:.3f}")
    ax.set_ylim(0, 1)
    ax.set_title("held-out accuracy (service's math verifier)")
    ax.set_xlabel("GRPO step")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)

    ax = axes[1][0]
    ax.plot(steps, [r["response_tokens"] for r in series], lw=1.2)
    ax.set_title("mean response length (tokens)")
    ax.set_xlabel("GRPO step")
    ax.grid(alpha=0.3)

    ax = axes[1][1]
    kl = [r["kl"] if r["kl"] is not None else float("nan") for r in series]
    ax.plot(steps, kl, lw=0.8, alpha=0.6, label="per step (trained groups only)")
    ax.plot(steps, _rolling(kl, 20), lw=1.6, label="20-step mean")
    ax.legend(fontsize=8)
    ax.set_title("KL(policy || cold start), token mean")
    ax.set_xlabel("GRPO step")
    ax.grid(alpha=0.3)

    fig.suptitle(f"miniature R1: {metrics.get('name', '')}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
