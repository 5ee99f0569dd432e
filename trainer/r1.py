"""The miniature R1 experiment, end to end against a running reward service.

1. A small transformer from random init is trained on the flawed teacher's traces (cold-start SFT, short).
2. Held-out evaluation of the cold start (greedy accuracy, format rate, pass@1 of k samples, maj@k).
3. GRPO through the real pipeline (POST /v1/rollouts -> lease -> update -> ack), rewards = the service's
   strict R1 format + math accuracy, until a time budget runs out; held-out greedy accuracy every few steps.
4. Evaluation after GRPO.
5. The SFT control: from the same cold-start weights, as many optimizer steps as GRPO took, on the same
   teacher's traces, with as many sequences per step as a GRPO batch holds; evaluated the same way.
6. ``metrics.json``, ``log.jsonl`` and ``plot.png`` in the output folder.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import sys
import time
from typing import Any

import torch

from .client import RewardClient
from .evaluate import evaluate
from .grpo import GRPOConfig
from .model import ModelConfig, TinyGPT, count_parameters
from .sft import SFTConfig, sft_train
from .task import ProblemSource, held_out_set
from .tokenizer import CharTokenizer
from .worker import GRPOWorker, WorkerConfig

PRESETS: dict[str, dict[str, Any]] = {
    # a 2-step loop on a CPU (torch 1.13 is enough), for local checks before any device time
    "cpu": dict(d_model=64, n_layer=2, n_head=4, sft_steps=30, sft_batch=32, prompts=4, group=4, grpo_steps=2,
                budget=60, eval_n=16, eval_k=2, eval_every=1, quick_eval_n=8, format_mode="partial"),
    # about a minute on the H200: the whole path, with numbers to calibrate the full run
    "smoke": dict(d_model=256, n_layer=6, n_head=8, sft_steps=600, sft_batch=256, prompts=64, group=16, grpo_steps=1000,
                  budget=40, eval_n=256, eval_k=4, eval_every=10, quick_eval_n=256, lr=1e-4),
    # the committed run
    # the committed run: a shorter cold start than the smoke's (250 steps), GRPO for 5.5 minutes
    "full": dict(d_model=256, n_layer=6, n_head=8, sft_steps=250, sft_batch=256, prompts=64, group=16, grpo_steps=100000,
                 budget=330, eval_n=512, eval_k=8, eval_every=20, quick_eval_n=512, lr=1e-4),
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m trainer r1", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=os.environ.get("REWARD_URL", "http://127.0.0.1:8080"), help="reward service base URL")
    ap.add_argument("--out", required=True, help="output folder (metrics.json, log.jsonl, plot.png)")
    ap.add_argument("--name", default=None, help="run name (default: the output folder's name)")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="full")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--seed", type=int, default=0)
    for key, typ in [("d_model", int), ("n_layer", int), ("n_head", int), ("sft_steps", int), ("sft_batch", int),
                     ("sft_lr", float), ("flaw", float), ("prompts", int), ("group", int), ("grpo_steps", int),
                     ("budget", float), ("lr", float), ("beta", float), ("epsilon", float), ("epsilon_high", float),
                     ("loss_type", str), ("num_iterations", int), ("max_grad_norm", float), ("eval_n", int),
                     ("eval_k", int), ("eval_every", int), ("quick_eval_n", int), ("control_lr", float), ("control_batch", int),
                     ("format_mode", str)]:
        ap.add_argument("--" + key.replace("_", "-"), dest=key, type=typ, default=None)
    ap.add_argument("--no-control", action="store_true", help="skip the SFT control")
    return ap.parse_args(argv)


def resolve(args: argparse.Namespace) -> dict[str, Any]:
    """Preset values overridden by the flags given; defaults for the rest."""
    cfg: dict[str, Any] = dict(sft_lr=1e-3, flaw=0.5, lr=5e-5, beta=0.01, epsilon=0.2, epsilon_high=0.28, loss_type="grpo",
                               num_iterations=2, max_grad_norm=1.0, control_lr=None, control_batch=None, format_mode="strict")
    cfg.update(PRESETS[args.preset])
    for k, v in vars(args).items():
        if k in cfg and v is not None:
            cfg[k] = v
    if cfg["control_lr"] is None:
        cfg["control_lr"] = cfg["sft_lr"]
    if cfg["control_batch"] is None:
        cfg["control_batch"] = cfg["prompts"] * cfg["group"]
    return cfg


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    c = resolve(args)
    os.makedirs(args.out, exist_ok=True)
    name = args.name or os.path.basename(os.path.normpath(args.out))
    log_path = os.path.join(args.out, "log.jsonl")
    log_file = open(log_path, "w", encoding="utf-8")
    t_start = time.monotonic()

    def log(row: dict) -> None:
        row = {"t": round(time.monotonic() - t_start, 2), **row}
        line = json.dumps(row)
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    device = args.device
    autocast = device.startswith("cuda")
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    if autocast:
        torch.backends.cuda.matmul.allow_tf32 = True
    client = RewardClient(args.url)
    ready = client.wait_ready(timeout=120, needs=("math",))  # arithmetic only: no code sandbox is needed
    log({"phase": "start", "name": name, "preset": args.preset, "config": c, "device": device,
         "gpu": torch.cuda.get_device_name(0) if autocast else None, "torch": torch.__version__,
         "python": platform.python_version(), "service": ready, "argv": argv})

    tok = CharTokenizer()
    mcfg = ModelConfig(vocab_size=tok.vocab_size, n_layer=c["n_layer"], n_head=c["n_head"], d_model=c["d_model"], max_len=96)
    policy = TinyGPT(mcfg).to(device)
    held = held_out_set(c["eval_n"], seed=10_000 + args.seed)
    quick = held[:c["quick_eval_n"]]
    max_new = 48

    # 1. cold start
    sft_cfg = SFTConfig(steps=c["sft_steps"], batch_size=c["sft_batch"], lr=c["sft_lr"], warmup=min(50, max(1, c["sft_steps"] // 10)), flaw=c["flaw"])
    t0 = time.monotonic()
    sft_series = sft_train(policy, ProblemSource(args.seed + 1, held), sft_cfg, device, seed=args.seed + 2, autocast=autocast,
                           log=lambda r: log({"phase": "cold_start_sft", **r}))
    cold_s = time.monotonic() - t0
    cold_state = copy.deepcopy(policy.state_dict())

    # 2. before
    t0 = time.monotonic()
    before = evaluate(policy, tok, held, client, c["eval_k"], max_new, autocast, seed=1, device=device)
    log({"phase": "eval_before", "eval_s": round(time.monotonic() - t0, 2), **before})

    # 3. GRPO through the service
    ref = copy.deepcopy(policy).eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    gcfg = GRPOConfig(lr=c["lr"], beta=c["beta"], epsilon=c["epsilon"], epsilon_high=c["epsilon_high"], loss_type=c["loss_type"],
                      num_iterations=c["num_iterations"], max_grad_norm=c["max_grad_norm"], max_completion_length=max_new)
    wcfg = WorkerConfig(run=f"{name}-{int(time.time())}", prompts_per_step=c["prompts"], group_size=c["group"],
                        max_steps=c["grpo_steps"], time_budget_s=c["budget"], eval_every=c["eval_every"],
                        rewards={"format": {"mode": c["format_mode"]}, "accuracy": {}})
    worker = GRPOWorker(policy, ref, tok, client, ProblemSource(args.seed + 3, held), gcfg, wcfg, device, autocast, log, seed=args.seed + 4)

    def quick_eval(step: int) -> dict:
        r = evaluate(policy, tok, quick, client, 0, max_new, autocast, device=device)
        return {"heldout_accuracy": r["accuracy"], "heldout_format": r["format_rate"]}

    t0 = time.monotonic()
    grpo_series = worker.run(on_eval=quick_eval)
    grpo_s = time.monotonic() - t0

    # 4. after
    t0 = time.monotonic()
    after = evaluate(policy, tok, held, client, c["eval_k"], max_new, autocast, seed=1, device=device)
    log({"phase": "eval_after", "eval_s": round(time.monotonic() - t0, 2), **after})

    # 5. SFT control from the same cold start, same number of optimizer steps
    control = None
    control_series: list[dict] = []
    control_s = 0.0
    if not args.no_control and worker.optimizer_steps > 0:
        ctrl = TinyGPT(mcfg).to(device)
        ctrl.load_state_dict(cold_state)
        ccfg = SFTConfig(steps=worker.optimizer_steps, batch_size=c["control_batch"], lr=c["control_lr"],
                         warmup=min(20, max(1, worker.optimizer_steps // 10)), flaw=c["flaw"])
        t0 = time.monotonic()
        control_series = sft_train(ctrl, ProblemSource(args.seed + 5, held), ccfg, device, seed=args.seed + 6, autocast=autocast,
                                   log=lambda r: log({"phase": "sft_control", **r}))
        control_s = time.monotonic() - t0
        control = evaluate(ctrl, tok, held, client, c["eval_k"], max_new, autocast, seed=1, device=device)
        log({"phase": "eval_sft_control", **control})
        del ctrl

    first_rewards = [r["reward"] for r in grpo_series[:10] if r["reward"] is not None]
    last_rewards = [r["reward"] for r in grpo_series[-10:] if r["reward"] is not None]
    metrics: dict[str, Any] = {
        "name": name,
        "accuracy_before": before["accuracy"], "accuracy_after": after["accuracy"],
        "accuracy_sft_control": control["accuracy"] if control else None,
        "format_rate_before": before["format_rate"], "format_rate_after": after["format_rate"],
        "format_rate_sft_control": control["format_rate"] if control else None,
        "pass1_sampled_before": before["pass1_sampled"], "pass1_sampled_after": after["pass1_sampled"],
        "pass1_sampled_sft_control": control["pass1_sampled"] if control else None,
        "maj_k_before": before["maj_k"], "maj_k_after": after["maj_k"], "maj_k_sft_control": control["maj_k"] if control else None,
        "k": c["eval_k"], "heldout_problems": len(held),
        "grpo_steps": len(grpo_series), "optimizer_steps": worker.optimizer_steps,
        "reward_first10_mean": sum(first_rewards) / len(first_rewards) if first_rewards else None,
        "reward_last10_mean": sum(last_rewards) / len(last_rewards) if last_rewards else None,
        "wall_s": {"cold_start_sft": round(cold_s, 1), "grpo": round(grpo_s, 1), "sft_control": round(control_s, 1),
                   "total": round(time.monotonic() - t_start, 1)},
        "config": {"experiment": c, "model": mcfg.to_dict(), "parameters": count_parameters(policy), "grpo": gcfg.to_dict(),
                   "worker": wcfg.to_dict(), "cold_start_sft": sft_cfg.to_dict(), "seed": args.seed, "device": device,
                   "gpu": torch.cuda.get_device_name(0) if autocast else None, "torch": torch.__version__},
        "eval": {"before": before, "after": after, "sft_control": control},
        "series": {"grpo": grpo_series, "cold_start_sft": sft_series, "sft_control": control_series},
        "command": "python3 -m trainer r1 " + " ".join(argv),
    }
    with open(os.path.join(args.out, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=1)
    try:
        from .plot import plot_run
        plot_run(metrics, os.path.join(args.out, "plot.png"))
    except ImportError as err:  # matplotlib missing (local CPU checks)
        log({"phase": "plot_skipped", "reason": str(err)})
    log({"phase": "done", **{k: metrics[k] for k in ("accuracy_before", "accuracy_after", "accuracy_sft_control",
                                                      "format_rate_before", "format_rate_after", "grpo_steps",
                                                      "optimizer_steps", "reward_first10_mean", "reward_last10_mean")},
         "wall_s": metrics["wall_s"]})
    log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
