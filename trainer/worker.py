"""The GPU trainer worker: sample prompts -> generate G completions each -> POST /v1/rollouts -> lease the
scored groups -> GRPO update -> ack -> metrics, until a step count or a time budget runs out.

Policy versions: step ``s`` submits its rollout with ``policy_version = s`` and leases with
``min_policy_version = s`` (strictly on-policy: an older group that comes back after a crash is dropped by the
service and counted in ``dropped_stale``). The rewards are the service's (format + accuracy by default, or the
``rewards`` options given); the advantages are the service's too (see :mod:`trainer.grpo`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, asdict, field
from typing import Callable, Optional

import torch

from .client import RewardClient
from .exchange import RolloutExchange, group_skip_reason, summarize_groups
from .grpo import GRPOConfig, build_batch, grpo_update, make_optimizer
from .task import ProblemSource
from .tokenizer import CharTokenizer


@dataclass
class WorkerConfig:
    """What one worker does per step, and when it stops."""

    run: str = "r1-mini"
    prompts_per_step: int = 64
    group_size: int = 16
    temperature: float = 1.0
    max_steps: int = 100_000
    time_budget_s: float = 420.0
    lease_ms: int = 300_000
    wait_ms: int = 2_000
    collect_timeout_s: float = 300.0
    rewards: dict = field(default_factory=lambda: {"format": {"mode": "strict"}, "accuracy": {}})
    advantages: dict = field(default_factory=lambda: {"scale": "group"})
    eval_every: int = 25

    def to_dict(self) -> dict:
        return asdict(self)


class GRPOWorker:
    """Owns the policy's optimizer; ``run()`` loops ``step()``."""

    def __init__(self, policy: torch.nn.Module, ref: Optional[torch.nn.Module], tok: CharTokenizer, client: RewardClient,
                 source: ProblemSource, grpo: GRPOConfig, cfg: WorkerConfig, device: str, autocast: bool,
                 log: Callable[[dict], None] = print, seed: int = 0,
                 step_metrics: Optional[Callable[[list[dict], list[dict]], dict]] = None) -> None:
        self.policy, self.ref, self.tok, self.client = policy, ref, tok, client
        self.source, self.grpo, self.cfg = source, grpo, cfg
        self.device, self.autocast, self.log = device, autocast, log
        self.optimizer = make_optimizer(policy, grpo)
        self.exchange = RolloutExchange(client, cfg.run, lease_ms=cfg.lease_ms, wait_ms=cfg.wait_ms,
                                        rewards=cfg.rewards, advantages=cfg.advantages)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        self.optimizer_steps = 0
        self.step_metrics = step_metrics  # (scored groups, submitted groups) -> task metrics (language mix, verdicts)

    def step(self, step: int) -> dict:
        """One GRPO step; returns its metrics."""
        cfg, tok = self.cfg, self.tok
        t0 = time.monotonic()
        problems = self.source.batch(cfg.prompts_per_step)
        prompt_ids = [[tok.bos_id] + tok.encode(p.prompt) for p in problems]
        flat_prompts = [ids for ids in prompt_ids for _ in range(cfg.group_size)]
        self.policy.eval()
        outs = self.policy.generate(flat_prompts, self.grpo.max_completion_length, tok.eos_id, tok.pad_id,
                                    temperature=cfg.temperature, generator=self.generator, autocast=self.autocast,
                                    bos_id=tok.bos_id)
        texts = [tok.decode(o) for o in outs]
        t_gen = time.monotonic()
        groups = []
        for i, p in enumerate(problems):
            groups.append({"id": f"s{step}-p{i}", "prompt": p.prompt, "reference": p.reference(),
                           "completions": texts[i * cfg.group_size:(i + 1) * cfg.group_size],
                           "metadata": {"step": step, "index": i}})
        self.exchange.submit(step, groups)
        batch = self.exchange.collect([g["id"] for g in groups], min_policy_version=step, timeout_s=cfg.collect_timeout_s)
        t_scored = time.monotonic()

        rows_p: list[list[int]] = []
        rows_c: list[list[int]] = []
        advs: list[float] = []
        keep: list[bool] = []
        skipped = {"all_equal": 0, "all_null": 0}
        null_rewards = 0
        for i, g in enumerate(groups):
            scored = batch.groups[g["id"]]
            reason = group_skip_reason(scored)
            if reason is not None:
                skipped[reason] += 1
                continue
            for j, result in enumerate(scored["results"]):
                k = i * cfg.group_size + j
                rows_p.append(prompt_ids[i])
                rows_c.append(outs[k])
                advs.append(float(scored["advantages"][j]))
                keep.append(result.get("reward") is not None)
                null_rewards += 0 if result.get("reward") is not None else 1
        stats: dict = {}
        if rows_p:
            self.policy.train()
            rb = build_batch(rows_p, rows_c, advs, tok.pad_id, keep).to(self.device)
            stats = grpo_update(self.policy, self.ref, self.optimizer, rb, self.grpo, self.autocast)
            self.optimizer_steps += stats["optimizer_steps"]
            self.policy.eval()
        t_update = time.monotonic()
        acked = self.exchange.ack(batch)
        summary = summarize_groups(batch.groups.values())
        lengths = [len(o) for o in outs]
        row = {
            "step": step,
            "reward": summary.get("reward"),
            "accuracy": summary.get("accuracy"),
            "format": summary.get("format"),
            "response_tokens": sum(lengths) / len(lengths),
            "groups": len(groups), "groups_trained": len(groups) - skipped["all_equal"] - skipped["all_null"],
            "skipped_all_equal": skipped["all_equal"], "skipped_all_null": skipped["all_null"],
            "null_rewards": null_rewards,
            "kl": stats.get("kl"), "loss": stats.get("loss"), "entropy": stats.get("entropy"),
            "grad_norm": stats.get("grad_norm"), "clip_fraction": stats.get("clip_fraction"),
            "ratio_mean": stats.get("ratio_mean"), "optimizer_steps": self.optimizer_steps,
            "acked": acked, "lease_calls": batch.lease_calls, "dropped_stale": batch.dropped_stale,
            "foreign_groups": len(batch.foreign),
            "gen_s": round(t_gen - t0, 3), "score_s": round(t_scored - t_gen, 3), "update_s": round(t_update - t_scored, 3),
            "step_s": round(time.monotonic() - t0, 3),
        }
        if self.step_metrics is not None:
            row.update(self.step_metrics([batch.groups[g["id"]] for g in groups], groups))
        return row

    def run(self, on_eval: Optional[Callable[[int], dict]] = None) -> list[dict]:
        """Loop until ``max_steps`` or the time budget (checked before each step, with the mean step time
        as the margin); ``on_eval(step)`` runs every ``eval_every`` steps and after the last."""
        series: list[dict] = []
        start = time.monotonic()
        step = 0
        while step < self.cfg.max_steps:
            elapsed = time.monotonic() - start
            mean_step = elapsed / step if step else 0.0
            if elapsed + mean_step > self.cfg.time_budget_s:
                break
            row = self.step(step)
            row["elapsed_s"] = round(time.monotonic() - start, 2)
            step += 1
            if on_eval is not None and self.cfg.eval_every > 0 and step % self.cfg.eval_every == 0:
                row.update(on_eval(step))
            series.append(row)
            self.log({"phase": "grpo", **row})
        if on_eval is not None and series and "heldout_accuracy" not in series[-1]:
            series[-1].update(on_eval(step))
        return series
