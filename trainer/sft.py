r"""Supervised fine-tuning on teacher traces: the cold start, and the SFT control run.

Loss: mean next-token cross-entropy over completion tokens only (the prompt is context, not a target),
``-1/sum M * sum_{i,t} M_{i,t} log p(o_{i,t} | prompt_i, o_{i,<t})``; AdamW with linear warm-up then cosine
decay to ``lr * min_lr_ratio``; gradient norm clipped to ``max_grad_norm``.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, asdict
from typing import Any, Callable, Optional

import torch
import torch.nn as nn

from .grpo import build_batch, sequence_logprobs
from .task import ProblemSource, trace
from .tokenizer import CharTokenizer


@dataclass
class SFTConfig:
    """Hyper-parameters of a supervised run."""

    steps: int = 400
    batch_size: int = 256
    lr: float = 1e-3
    warmup: int = 50
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    flaw: float = 0.5  # probability that the teacher drops an incoming carry/borrow

    def to_dict(self) -> dict:
        return asdict(self)


def lr_at(step: int, cfg: SFTConfig) -> float:
    """Linear warm-up to ``lr`` over ``warmup`` steps, then cosine down to ``lr * min_lr_ratio``."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def encode_examples(tok: Any, problems: list, rng: random.Random, flaw: float,
                    teacher: Optional[Callable[[Any, random.Random], str]] = None) -> tuple[list[list[int]], list[list[int]]]:
    """Prompt ids (``<bos>`` first) and teacher completion ids (``<eos>`` last) for some problems; ``teacher(p, rng)``
    writes a trace (default: the arithmetic task's flawed teacher with ``flaw``)."""
    prompts = [[tok.bos_id] + tok.encode(p.prompt) for p in problems]
    write = teacher if teacher is not None else (lambda p, r: trace(p, r, flaw))
    completions = [tok.encode(write(p, rng)) + [tok.eos_id] for p in problems]
    return prompts, completions


def sft_train(model: nn.Module, source: Any, cfg: SFTConfig, device: torch.device | str, seed: int,
              autocast: bool = False, log: Optional[Callable[[dict], None]] = None, log_every: int = 50,
              tok: Any = None, teacher: Optional[Callable[[Any, random.Random], str]] = None) -> list[dict]:
    """Train ``model`` on ``cfg.steps`` batches of teacher traces; returns the logged series. ``tok`` and
    ``teacher`` default to the arithmetic task's (character tokenizer, flawed column-wise teacher)."""
    tok = tok if tok is not None else CharTokenizer()
    rng = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.95), weight_decay=cfg.weight_decay)
    model.train()
    series: list[dict] = []
    t0 = time.monotonic()
    for step in range(cfg.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg)
        prompts, completions = encode_examples(tok, source.batch(cfg.batch_size), rng, cfg.flaw, teacher)
        batch = build_batch(prompts, completions, [0.0] * len(prompts), tok.pad_id).to(device)
        logp, _ = sequence_logprobs(model, batch.input_ids, autocast)
        loss = -(logp * batch.mask).sum() / batch.mask.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
        opt.step()
        if step % log_every == 0 or step == cfg.steps - 1:
            row = {"step": step, "loss": float(loss.detach()), "grad_norm": float(gn), "lr": lr_at(step, cfg),
                   "elapsed_s": round(time.monotonic() - t0, 2)}
            series.append(row)
            if log is not None:
                log(row)
    model.eval()
    return series
