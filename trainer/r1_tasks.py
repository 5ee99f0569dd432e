"""The two R1 rewards the arithmetic run does not use, each in a miniature run against a running service.

``python3 -m trainer r1-lang``: language consistency, ablated (:mod:`trainer.task_lang`).

1. Cold start: a small transformer from random init trained on a teacher that works in English words and slips
   into Russian on a share of its columns (and drops carries, as in the arithmetic run).
2. Two GRPO runs from the same cold-start weights, with the same seeds (the same prompts each step) and the same
   number of steps: rewards format + accuracy (the language component asked for with weight 0, so it is
   measured but does not count), and format + accuracy + language (target ``en``, weight ``--lang-weight``).
3. Held-out evaluation before and after each: accuracy, format rate, the mixed share (1 - the service's language
   component, and the share of Cyrillic words counted here), and the chain of thought's length in words.

``python3 -m trainer r1-code``: code accuracy in the loop (:mod:`trainer.task_code`).

1. Cold start on a flawed teacher's JavaScript programs.
2. GRPO with rewards format + accuracy, where accuracy is the share of hidden call tests the program passes in the
   service's sandbox; the sandbox's per-test verdicts are counted every step.
3. Held-out pass rate (every test passed) before and after, and an SFT control from the same cold start with as
   many optimizer steps as GRPO took.

Each writes ``metrics.json``, ``log.jsonl`` and ``plot.png`` to ``--out``. Nothing is scored in Python: the
Cyrillic count of the language run is a check on the service's component, reported beside it, never trained on.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import statistics
import sys
import time
from typing import Any, Callable, Optional

import torch

from .client import RewardClient
from .grpo import GRPOConfig
from .model import ModelConfig, TinyGPT, count_parameters
from .sft import SFTConfig, sft_train
from .task import ProblemSource
from .task_code import FAMILIES, VERDICTS, CodeSource, code_tokenizer, code_trace, held_out_code, verdict_counts
from .task_lang import held_out_lang, lang_tokenizer, lang_trace, sample_lang_problem, script_share, think_words
from .worker import GRPOWorker, WorkerConfig

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "lang": {
        # a 2-step loop per arm on a CPU, for local checks before any device time
        "cpu": dict(d_model=64, n_layer=2, n_head=4, sft_steps=30, sft_batch=32, prompts=4, group=4, grpo_steps=2,
                    budget=60, eval_n=16, eval_k=2, eval_every=1, lr=1e-4),
        # the committed run: 260 GRPO steps per arm (200 s cap each), about 6 minutes on one H200 with the service
        "full": dict(d_model=256, n_layer=6, n_head=8, sft_steps=600, sft_batch=256, prompts=64, group=16, grpo_steps=260,
                     budget=200, eval_n=512, eval_k=4, eval_every=20, lr=1e-4),
    },
    "code": {
        "cpu": dict(d_model=64, n_layer=2, n_head=4, sft_steps=30, sft_batch=32, prompts=4, group=4, grpo_steps=2,
                    budget=60, eval_n=4, eval_k=2, eval_every=1, lr=1e-4),
        # eval_n is per family (three families)
        "full": dict(d_model=256, n_layer=6, n_head=8, sft_steps=600, sft_batch=256, prompts=64, group=16, grpo_steps=100000,
                     budget=180, eval_n=32, eval_k=8, eval_every=20, lr=1e-4),
    },
}


def parse_args(task: str, argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog=f"python -m trainer r1-{task}", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=os.environ.get("REWARD_URL", "http://127.0.0.1:8080"), help="reward service base URL")
    ap.add_argument("--out", required=True, help="output folder (metrics.json, log.jsonl, plot.png)")
    ap.add_argument("--name", default=None, help="run name (default: the output folder's name)")
    ap.add_argument("--preset", choices=sorted(PRESETS[task]), default="full")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--seed", type=int, default=0)
    for key, typ in [("d_model", int), ("n_layer", int), ("n_head", int), ("sft_steps", int), ("sft_batch", int),
                     ("sft_lr", float), ("flaw", float), ("prompts", int), ("group", int), ("grpo_steps", int),
                     ("budget", float), ("lr", float), ("beta", float), ("epsilon", float), ("epsilon_high", float),
                     ("loss_type", str), ("num_iterations", int), ("max_grad_norm", float), ("eval_n", int),
                     ("eval_k", int), ("eval_every", int), ("lang_weight", float), ("mix_hi", float), ("mix_lo", float)]:
        ap.add_argument("--" + key.replace("_", "-"), dest=key, type=typ, default=None)
    ap.add_argument("--no-control", action="store_true", help="code: skip the SFT control")
    return ap.parse_args(argv)


def resolve(task: str, args: argparse.Namespace) -> dict[str, Any]:
    cfg: dict[str, Any] = dict(sft_lr=1e-3, flaw=0.5 if task == "lang" else 1.0, lr=1e-4, beta=0.01, epsilon=0.2,
                               epsilon_high=0.28, loss_type="grpo", num_iterations=2, max_grad_norm=1.0,
                               lang_weight=0.5, mix_hi=0.8, mix_lo=0.05)
    cfg.update(PRESETS[task][args.preset])
    for k, v in vars(args).items():
        if k in cfg and v is not None:
            cfg[k] = v
    return cfg


class Run:
    """What both experiments share: the log, the client, the device, the model and the evaluation."""

    def __init__(self, task: str, argv: list[str]) -> None:
        self.task = task
        self.args = parse_args(task, argv)
        self.argv = argv
        self.c = resolve(task, self.args)
        os.makedirs(self.args.out, exist_ok=True)
        self.name = self.args.name or os.path.basename(os.path.normpath(self.args.out))
        self.log_file = open(os.path.join(self.args.out, "log.jsonl"), "w", encoding="utf-8")
        self.t_start = time.monotonic()
        self.device = self.args.device
        self.autocast = self.device.startswith("cuda")
        random.seed(self.args.seed)
        torch.manual_seed(self.args.seed)
        if self.autocast:
            torch.backends.cuda.matmul.allow_tf32 = True
        self.client = RewardClient(self.args.url)
        # the code task needs the sandboxes; the others score math and language only
        ready = self.client.wait_ready(timeout=120, needs=("math", "sandboxes") if task == "code" else ("math",))
        self.log({"phase": "start", "name": self.name, "task": task, "preset": self.args.preset, "config": self.c,
                  "device": self.device, "gpu": torch.cuda.get_device_name(0) if self.autocast else None,
                  "torch": torch.__version__, "python": platform.python_version(), "service": ready, "argv": argv})

    def log(self, row: dict) -> None:
        row = {"t": round(time.monotonic() - self.t_start, 2), **row}
        line = json.dumps(row, ensure_ascii=False)
        print(line, flush=True)
        self.log_file.write(line + "\n")
        self.log_file.flush()

    def model(self, vocab_size: int, max_len: int) -> tuple[TinyGPT, ModelConfig]:
        c = self.c
        mcfg = ModelConfig(vocab_size=vocab_size, n_layer=c["n_layer"], n_head=c["n_head"], d_model=c["d_model"], max_len=max_len)
        return TinyGPT(mcfg).to(self.device), mcfg

    def grpo_config(self, max_new: int) -> GRPOConfig:
        c = self.c
        return GRPOConfig(lr=c["lr"], beta=c["beta"], epsilon=c["epsilon"], epsilon_high=c["epsilon_high"],
                          loss_type=c["loss_type"], num_iterations=c["num_iterations"], max_grad_norm=c["max_grad_norm"],
                          max_completion_length=max_new)

    def generate(self, model: TinyGPT, tok: Any, problems: list, n: int, greedy: bool, max_new: int,
                 generator: Optional[torch.Generator] = None, batch: int = 8192) -> list[list[str]]:
        """``n`` completions per problem, as text."""
        prompts = [[tok.bos_id] + tok.encode(p.prompt) for p in problems for _ in range(n)]
        outs: list[list[int]] = []
        for i in range(0, len(prompts), batch):
            outs += model.generate(prompts[i:i + batch], max_new, tok.eos_id, tok.pad_id, greedy=greedy, generator=generator,
                                   autocast=self.autocast, bos_id=tok.bos_id)
        texts = [tok.decode(o) for o in outs]
        return [texts[i * n:(i + 1) * n] for i in range(len(problems))]

    def score(self, problems: list, texts: list[list[str]], rewards: dict, tag: str) -> list[list[dict]]:
        """Results (per problem, per completion) from POST /v1/score, in chunks of 256 groups."""
        groups = [{"id": f"{tag}-{i}", "prompt": p.prompt, "reference": p.reference(), "completions": t}
                  for i, (p, t) in enumerate(zip(problems, texts))]
        out: list[list[dict]] = []
        for i in range(0, len(groups), 256):
            reply = self.client.score(groups[i:i + 256], rewards=rewards)
            out += [g["results"] for g in reply["groups"]]
        return out

    def evaluate(self, model: TinyGPT, tok: Any, problems: list, k: int, max_new: int, rewards: dict,
                 extras: Callable[[list, list[list[str]], list[list[dict]], str], dict], seed: int = 1) -> dict:
        """Greedy (and ``k`` samples at temperature 1) on ``problems``, scored by the service. ``accuracy`` counts an
        accuracy component of exactly 1 (all tests passed, for code); ``extras`` adds the task's measures."""
        model.eval()
        t0 = time.monotonic()
        greedy = self.generate(model, tok, problems, 1, True, max_new)
        res_g = self.score(problems, greedy, rewards, "greedy")
        out: dict[str, Any] = {"n": len(problems), "k": k}
        out.update(_rates(res_g, "greedy"))
        out.update(extras(problems, greedy, res_g, "greedy"))
        if k > 0:
            gen = torch.Generator(device=self.device)
            gen.manual_seed(seed)
            sampled = self.generate(model, tok, problems, k, False, max_new, gen)
            res_s = self.score(problems, sampled, rewards, "sample")
            out.update(_rates(res_s, "sampled"))
            out.update(extras(problems, sampled, res_s, "sampled"))
        out["examples"] = [{"prompt": p.prompt, "completion": t[0]} for p, t in zip(problems[:6], greedy[:6])]
        out["eval_s"] = round(time.monotonic() - t0, 2)
        return out

    def finish(self, metrics: dict, plot: Callable[[dict, str], None]) -> None:
        metrics["wall_s"]["total"] = round(time.monotonic() - self.t_start, 1)
        metrics["command"] = f"python3 -m trainer r1-{self.task} " + " ".join(self.argv)
        with open(os.path.join(self.args.out, "metrics.json"), "w", encoding="utf-8") as f:
            json.dump(metrics, f, indent=1, ensure_ascii=False)
        try:
            plot(metrics, os.path.join(self.args.out, "plot.png"))
        except ImportError as err:  # matplotlib missing (local CPU checks)
            self.log({"phase": "plot_skipped", "reason": str(err)})
        self.log({"phase": "done", **{k: v for k, v in metrics.items() if k.startswith(("headline", "wall_s"))}})
        self.log_file.close()


def _comp(result: dict, name: str) -> dict:
    return result.get("components", {}).get(name) or {}


def _rates(results: list[list[dict]], prefix: str) -> dict:
    """Accuracy (component exactly 1), mean accuracy component (null as 0), format rate over all completions."""
    flat = [r for rs in results for r in rs]
    n = max(1, len(flat))
    return {
        f"{prefix}_accuracy": sum(1 for r in flat if _comp(r, "accuracy").get("score") == 1) / n,
        f"{prefix}_accuracy_mean": sum(_comp(r, "accuracy").get("score") or 0 for r in flat) / n,
        f"{prefix}_accuracy_null": sum(1 for r in flat if _comp(r, "accuracy").get("score") is None),
        f"{prefix}_format_rate": sum(1 for r in flat if _comp(r, "format").get("score") == 1) / n,
    }


def _mean(xs: list[float]) -> Optional[float]:
    return sum(xs) / len(xs) if xs else None


def wait_share(series: list[dict]) -> Optional[float]:
    """Share of GRPO step time spent from POST /v1/rollouts until every group of the step was leased."""
    total = sum(r["step_s"] for r in series)
    return round(sum(r["score_s"] for r in series) / total, 4) if total else None


def step_time_stats(series: list[dict]) -> dict:
    if not series:
        return {}
    return {k: round(statistics.median(r[k] for r in series), 4) for k in ("step_s", "gen_s", "score_s", "update_s")}


# ------------------------------------------------------------------------------------------------- language
def lang_extras(problems: list, texts: list[list[str]], results: list[list[dict]], prefix: str) -> dict:
    """Mixed share by the service (1 - language component; unscorable ones left out and counted), by script
    (Cyrillic words over words, per completion, then the mean; and pooled over all words), their mean absolute
    difference, and the chain of thought's length in words."""
    svc: list[float] = []
    scr: list[float] = []
    diff: list[float] = []
    words: list[int] = []
    cyr = allw = unscorable = 0
    for ts, rs in zip(texts, results):
        for t, r in zip(ts, rs):
            lang = _comp(r, "language")
            s = script_share(t)
            ws = think_words(t)
            words.append(len(ws))
            allw += len(ws)
            cyr += sum(1 for w in ws if any("\u0400" <= ch <= "\u04ff" for ch in w))
            if s is not None:
                scr.append(s)
            if lang.get("score") is None:
                unscorable += 1
            else:
                svc.append(1 - lang["score"])
                if s is not None:
                    diff.append(abs((1 - lang["score"]) - s))
    return {f"{prefix}_mixed_service": _mean(svc), f"{prefix}_mixed_script": _mean(scr),
            f"{prefix}_mixed_script_words": cyr / allw if allw else None,
            f"{prefix}_mixed_abs_diff": _mean(diff), f"{prefix}_language_unscorable": unscorable,
            f"{prefix}_cot_words": _mean([float(w) for w in words])}


def lang_step_metrics(scored: list[dict], submitted: list[dict]) -> dict:
    """Per training step: the mixed share of the sampled completions, by the service and by script."""
    svc: list[float] = []
    scr: list[float] = []
    words: list[int] = []
    for g, sub in zip(scored, submitted):
        for r, t in zip(g["results"], sub["completions"]):
            s = _comp(r, "language").get("score")
            if s is not None:
                svc.append(1 - s)
            x = script_share(t)
            if x is not None:
                scr.append(x)
            words.append(len(think_words(t)))
    return {"mixed_service": _mean(svc), "mixed_script": _mean(scr), "cot_words": _mean([float(w) for w in words])}


def lang_main(argv: list[str]) -> int:
    run = Run("lang", argv)
    c, args = run.c, run.args
    tok = lang_tokenizer()
    max_new = 64
    policy, mcfg = run.model(tok.vocab_size, max_len=96)
    held = held_out_lang(c["eval_n"], seed=10_000 + args.seed)

    def teacher(p: Any, rng: random.Random) -> str:
        return lang_trace(p, rng, c["flaw"], c["mix_hi"], c["mix_lo"])

    def source(seed: int) -> ProblemSource:
        return ProblemSource(seed, held, sampler=sample_lang_problem)

    sft_cfg = SFTConfig(steps=c["sft_steps"], batch_size=c["sft_batch"], lr=c["sft_lr"],
                        warmup=min(50, max(1, c["sft_steps"] // 10)), flaw=c["flaw"])
    t0 = time.monotonic()
    sft_series = sft_train(policy, source(args.seed + 1), sft_cfg, run.device, seed=args.seed + 2, autocast=run.autocast,
                           log=lambda r: run.log({"phase": "cold_start_sft", **r}), tok=tok, teacher=teacher)
    cold_s = time.monotonic() - t0
    cold_state = copy.deepcopy(policy.state_dict())

    eval_rewards = {"format": {"mode": "strict"}, "accuracy": {}, "language": {"weight": 0, "target": "en"}}
    before = run.evaluate(policy, tok, held, c["eval_k"], max_new, eval_rewards, lang_extras)
    run.log({"phase": "eval_before", **before})

    arms: dict[str, dict] = {}
    gcfg = run.grpo_config(max_new)
    for arm, weight in (("without_language", 0.0), ("with_language", c["lang_weight"])):
        policy.load_state_dict(cold_state)
        ref = copy.deepcopy(policy).eval()
        for p in ref.parameters():
            p.requires_grad_(False)
        # the language component is asked for in both arms (weight 0 here: measured, not rewarded)
        rewards = {"format": {"mode": "strict"}, "accuracy": {}, "language": {"weight": weight, "target": "en"}}
        wcfg = WorkerConfig(run=f"{run.name}-{arm}-{int(time.time())}", prompts_per_step=c["prompts"], group_size=c["group"],
                            max_steps=c["grpo_steps"], time_budget_s=c["budget"], eval_every=c["eval_every"], rewards=rewards)
        # the same seeds in both arms: the same prompts at every step
        worker = GRPOWorker(policy, ref, tok, run.client, source(args.seed + 3), gcfg, wcfg, run.device, run.autocast,
                            lambda r, arm=arm: run.log({"phase": "grpo", "arm": arm, **r}), seed=args.seed + 4,
                            step_metrics=lang_step_metrics)

        def quick(step: int) -> dict:
            r = run.evaluate(policy, tok, held, 0, max_new, eval_rewards, lang_extras)
            return {"heldout_accuracy": r["greedy_accuracy"], "heldout_format": r["greedy_format_rate"],
                    "heldout_mixed_service": r["greedy_mixed_service"], "heldout_mixed_script": r["greedy_mixed_script"],
                    "heldout_cot_words": r["greedy_cot_words"]}

        t0 = time.monotonic()
        series = worker.run(on_eval=quick)
        grpo_s = time.monotonic() - t0
        after = run.evaluate(policy, tok, held, c["eval_k"], max_new, eval_rewards, lang_extras)
        run.log({"phase": "eval_after", "arm": arm, **after})
        arms[arm] = {"language_weight": weight, "rewards": rewards, "after": after, "grpo_steps": len(series),
                     "optimizer_steps": worker.optimizer_steps, "grpo_wall_s": round(grpo_s, 1),
                     "wait_share": wait_share(series), "median_step": step_time_stats(series),
                     "worker": wcfg.to_dict(), "series": series}
        del ref, worker

    wo, wi = arms["without_language"]["after"], arms["with_language"]["after"]
    ratio = (wi["greedy_mixed_service"] / wo["greedy_mixed_service"]) if wo["greedy_mixed_service"] else None
    metrics: dict[str, Any] = {
        "name": run.name, "task": "lang",
        "headline": {
            "mixed_share_before": before["greedy_mixed_service"],
            "mixed_share_after_without_language": wo["greedy_mixed_service"],
            "mixed_share_after_with_language": wi["greedy_mixed_service"],
            "mixed_ratio_with_over_without": ratio,
            "mixed_script_before": before["greedy_mixed_script"],
            "mixed_script_after_without_language": wo["greedy_mixed_script"],
            "mixed_script_after_with_language": wi["greedy_mixed_script"],
            "accuracy_before": before["greedy_accuracy"],
            "accuracy_after_without_language": wo["greedy_accuracy"],
            "accuracy_after_with_language": wi["greedy_accuracy"],
            "format_rate_before": before["greedy_format_rate"],
            "format_rate_after_without_language": wo["greedy_format_rate"],
            "format_rate_after_with_language": wi["greedy_format_rate"],
            "cot_words_before": before["greedy_cot_words"],
            "cot_words_after_without_language": wo["greedy_cot_words"],
            "cot_words_after_with_language": wi["greedy_cot_words"],
            "grpo_steps": {a: arms[a]["grpo_steps"] for a in arms},
            "wait_share": {a: arms[a]["wait_share"] for a in arms},
        },
        "heldout_problems": len(held), "k": c["eval_k"],
        "eval_before": before, "arms": arms,
        "wall_s": {"cold_start_sft": round(cold_s, 1), **{f"grpo_{a}": arms[a]["grpo_wall_s"] for a in arms}},
        "config": {"experiment": c, "model": mcfg.to_dict(), "parameters": count_parameters(policy), "vocab": tok.itos,
                   "grpo": gcfg.to_dict(), "cold_start_sft": sft_cfg.to_dict(), "seed": args.seed, "device": run.device,
                   "gpu": torch.cuda.get_device_name(0) if run.autocast else None, "torch": torch.__version__},
        "series": {"cold_start_sft": sft_series},
    }
    from .plot_tasks import plot_lang
    run.finish(metrics, plot_lang)
    return 0


# ------------------------------------------------------------------------------------------------- code
def code_extras(problems: list, texts: list[list[str]], results: list[list[dict]], prefix: str) -> dict:
    """Pass rate by family and the sandbox's per-test verdicts."""
    fam: dict[str, list[float]] = {f: [] for f in FAMILIES}
    for p, rs in zip(problems, results):
        for r in rs:
            fam[p.family].append(1.0 if _comp(r, "accuracy").get("score") == 1 else 0.0)
    groups = [{"results": rs} for rs in results]
    return {f"{prefix}_pass_by_family": {f: _mean(v) for f, v in fam.items()}, f"{prefix}_verdicts": verdict_counts(groups)}


def code_step_metrics(scored: list[dict], submitted: list[dict]) -> dict:
    return {"verdicts": verdict_counts(scored)}


def verdict_table(series: list[dict], windows: int = 5) -> list[dict]:
    """The sandbox's per-test verdicts over training, summed over ``windows`` equal spans of GRPO steps."""
    out: list[dict] = []
    if not series:
        return out
    n = len(series)
    for w in range(windows):
        lo, hi = w * n // windows, (w + 1) * n // windows
        if hi <= lo:
            continue
        counts: dict[str, int] = {}
        for r in series[lo:hi]:
            for k, v in r["verdicts"].items():
                counts[k] = counts.get(k, 0) + v
        tests = sum(v for k, v in counts.items() if k != "unscored")
        out.append({"steps": f"{series[lo]['step']}-{series[hi - 1]['step']}", "tests": tests, **counts,
                    "shares": {k: round(counts.get(k, 0) / tests, 4) if tests else None for k in VERDICTS}})
    return out


def code_main(argv: list[str]) -> int:
    run = Run("code", argv)
    c, args = run.c, run.args
    tok = code_tokenizer()
    max_new = 48
    policy, mcfg = run.model(tok.vocab_size, max_len=80)
    held = held_out_code(c["eval_n"], seed=10_000 + args.seed)

    def teacher(p: Any, rng: random.Random) -> str:
        return code_trace(p, rng, c["flaw"])

    sft_cfg = SFTConfig(steps=c["sft_steps"], batch_size=c["sft_batch"], lr=c["sft_lr"],
                        warmup=min(50, max(1, c["sft_steps"] // 10)), flaw=c["flaw"])
    t0 = time.monotonic()
    sft_series = sft_train(policy, CodeSource(args.seed + 1, held), sft_cfg, run.device, seed=args.seed + 2,
                           autocast=run.autocast, log=lambda r: run.log({"phase": "cold_start_sft", **r}), tok=tok, teacher=teacher)
    cold_s = time.monotonic() - t0
    cold_state = copy.deepcopy(policy.state_dict())

    rewards = {"format": {"mode": "strict"}, "accuracy": {}}
    before = run.evaluate(policy, tok, held, c["eval_k"], max_new, rewards, code_extras)
    run.log({"phase": "eval_before", **before})

    ref = copy.deepcopy(policy).eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    gcfg = run.grpo_config(max_new)
    wcfg = WorkerConfig(run=f"{run.name}-{int(time.time())}", prompts_per_step=c["prompts"], group_size=c["group"],
                        max_steps=c["grpo_steps"], time_budget_s=c["budget"], eval_every=c["eval_every"], rewards=rewards)
    worker = GRPOWorker(policy, ref, tok, run.client, CodeSource(args.seed + 3, held), gcfg, wcfg, run.device, run.autocast,
                        lambda r: run.log({"phase": "grpo", **r}), seed=args.seed + 4, step_metrics=code_step_metrics)

    def quick(step: int) -> dict:
        r = run.evaluate(policy, tok, held, 0, max_new, rewards, code_extras)
        return {"heldout_pass_rate": r["greedy_accuracy"], "heldout_tests_passed": r["greedy_accuracy_mean"],
                "heldout_format": r["greedy_format_rate"]}

    t0 = time.monotonic()
    series = worker.run(on_eval=quick)
    grpo_s = time.monotonic() - t0
    after = run.evaluate(policy, tok, held, c["eval_k"], max_new, rewards, code_extras)
    run.log({"phase": "eval_after", **after})

    control: Optional[dict] = None
    control_series: list[dict] = []
    control_s = 0.0
    if not args.no_control and worker.optimizer_steps > 0:
        ctrl, _ = run.model(tok.vocab_size, max_len=80)
        ctrl.load_state_dict(cold_state)
        ccfg = SFTConfig(steps=worker.optimizer_steps, batch_size=c["prompts"] * c["group"], lr=c["sft_lr"],
                         warmup=min(20, max(1, worker.optimizer_steps // 10)), flaw=c["flaw"])
        t0 = time.monotonic()
        control_series = sft_train(ctrl, CodeSource(args.seed + 5, held), ccfg, run.device, seed=args.seed + 6,
                                   autocast=run.autocast, log=lambda r: run.log({"phase": "sft_control", **r}), tok=tok, teacher=teacher)
        control_s = time.monotonic() - t0
        control = run.evaluate(ctrl, tok, held, c["eval_k"], max_new, rewards, code_extras)
        run.log({"phase": "eval_sft_control", **control})
        del ctrl

    metrics: dict[str, Any] = {
        "name": run.name, "task": "code",
        "headline": {
            "pass_rate_before": before["greedy_accuracy"], "pass_rate_after": after["greedy_accuracy"],
            "pass_rate_sft_control": control["greedy_accuracy"] if control else None,
            "pass1_sampled_before": before.get("sampled_accuracy"), "pass1_sampled_after": after.get("sampled_accuracy"),
            "pass1_sampled_sft_control": control.get("sampled_accuracy") if control else None,
            "tests_passed_before": before["greedy_accuracy_mean"], "tests_passed_after": after["greedy_accuracy_mean"],
            "tests_passed_sft_control": control["greedy_accuracy_mean"] if control else None,
            "format_rate_before": before["greedy_format_rate"], "format_rate_after": after["greedy_format_rate"],
            "grpo_steps": len(series), "optimizer_steps": worker.optimizer_steps, "wait_share": wait_share(series),
            "median_step": step_time_stats(series),
        },
        "verdicts_over_training": verdict_table(series),
        "heldout_problems": len(held), "k": c["eval_k"],
        "eval": {"before": before, "after": after, "sft_control": control},
        "wall_s": {"cold_start_sft": round(cold_s, 1), "grpo": round(grpo_s, 1), "sft_control": round(control_s, 1)},
        "config": {"experiment": c, "model": mcfg.to_dict(), "parameters": count_parameters(policy), "vocab": tok.itos,
                   "grpo": gcfg.to_dict(), "worker": wcfg.to_dict(), "cold_start_sft": sft_cfg.to_dict(), "seed": args.seed,
                   "device": run.device, "gpu": torch.cuda.get_device_name(0) if run.autocast else None,
                   "torch": torch.__version__},
        "series": {"grpo": series, "cold_start_sft": sft_series, "sft_control": control_series},
    }
    from .plot_tasks import plot_code
    run.finish(metrics, plot_code)
    return 0


if __name__ == "__main__":
    sys.exit(lang_main(sys.argv[1:]))
