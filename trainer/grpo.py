r"""The GRPO update: each formula a small function, tested against hand-computed values.

Notation for one batch of N completions o_i (token t of completion i), advantage A_i from the service:

* per-token log-probability      ``logp_{i,t} = log softmax(z_{i,t})[o_{i,t}]``        (:func:`token_logprobs`)
* ratio to the sampling policy   ``r_{i,t} = exp(logp_{i,t} - logp^{old}_{i,t})``      (:func:`ratio`)
* clipped surrogate (a loss)     ``L_{i,t} = -min(r A_i, clip(r, 1-eps, 1+eps_high) A_i)`` (:func:`clipped_surrogate`)
  with ``eps_high = eps`` unless given (DAPO's clip-higher).
* k3 KL to the reference         ``KL_{i,t} = exp(q - p) - (q - p) - 1`` with p = logp, q = logp^{ref}
  (Schulman's unbiased, always >= 0 estimator of KL(pi || pi_ref); :func:`k3_kl`)
* per-token loss                 ``l_{i,t} = L_{i,t} + beta * KL_{i,t}``
* aggregation (:func:`aggregate`), M_{i,t} the completion mask, |o_i| = sum_t M_{i,t}:
    - ``grpo``    (per-sequence mean, the GRPO paper): ``1/N sum_i 1/|o_i| sum_t M l``
    - ``dapo``    (token mean over the batch):          ``sum_{i,t} M l / sum_{i,t} M``
    - ``dr_grpo`` (constant normaliser, Dr. GRPO):      ``sum_{i,t} M l / (N * L_max)``, L_max = max completion length

``num_iterations`` (mu) optimizer steps are taken per batch; logp^{old} is computed once, before the first
(so the first step has r = 1 exactly), then each step clips its gradient norm to ``max_grad_norm`` and steps
AdamW. Advantages are the service's (``advantages.scale``: ``group`` = (r - mean) / (std + eps), sample std;
``dr_grpo`` = r - mean): the trainer does not recompute them. A completion whose reward is null has advantage 0
from the service and is also masked out of the loss here; groups whose rewards are all equal or all null are
skipped before they reach this module (:func:`trainer.exchange.group_skip_reason`).
"""
from __future__ import annotations

from dataclasses import dataclass, asdict
from typing import Callable, Optional

import torch
import torch.nn as nn


@dataclass
class GRPOConfig:
    """Hyper-parameters of the update."""

    lr: float = 5e-5
    betas: tuple = (0.9, 0.99)
    weight_decay: float = 0.0
    epsilon: float = 0.2
    epsilon_high: Optional[float] = None
    beta: float = 0.01
    loss_type: str = "grpo"  # grpo | dapo | dr_grpo
    num_iterations: int = 1
    max_grad_norm: float = 1.0
    max_completion_length: int = 48
    micro_batch: int = 4096  # sequences per forward/backward (gradient accumulation above it)

    def to_dict(self) -> dict:
        return asdict(self)


def token_logprobs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``log softmax(logits)[target]`` per position, in float32. logits (N, T, V), targets (N, T) -> (N, T)."""
    logp = torch.log_softmax(logits.float(), dim=-1)
    return logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)


def ratio(logp: torch.Tensor, old_logp: torch.Tensor) -> torch.Tensor:
    """Importance ratio ``exp(logp - old_logp)`` to the policy that sampled the tokens."""
    return torch.exp(logp - old_logp)


def clipped_surrogate(logp: torch.Tensor, old_logp: torch.Tensor, advantages: torch.Tensor, epsilon: float,
                      epsilon_high: Optional[float] = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PPO/GRPO clipped surrogate as a per-token loss, ``-min(r A, clip(r, 1-eps, 1+eps_high) A)``.

    ``advantages`` is (N,) (one per completion) or (N, T). Returns (loss (N, T), ratio (N, T), clipped (N, T)
    bool: where the clipped branch is the smaller one, i.e. the gradient is cut).
    """
    eps_high = epsilon if epsilon_high is None else epsilon_high
    adv = advantages.unsqueeze(-1) if advantages.dim() == 1 else advantages
    r = ratio(logp, old_logp)
    unclipped = r * adv
    clipped = torch.clamp(r, 1.0 - epsilon, 1.0 + eps_high) * adv
    loss = -torch.min(unclipped, clipped)
    is_clipped = clipped < unclipped
    return loss, r, is_clipped


def k3_kl(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """k3 estimator of KL(pi || pi_ref) per token: ``exp(q - p) - (q - p) - 1`` (p = logp, q = ref_logp)."""
    d = ref_logp - logp
    return torch.exp(d) - d - 1.0


def aggregate(per_token: torch.Tensor, mask: torch.Tensor, loss_type: str, max_completion_length: int,
              total_seqs: Optional[float] = None, total_tokens: Optional[float] = None) -> torch.Tensor:
    """Reduce a per-token loss (N, T) under ``mask`` (N, T) to a scalar (see the module doc for the formulas).

    ``total_seqs`` / ``total_tokens`` are the normalisers of the whole batch when this is one micro-batch of
    it (so micro-batch losses add up to the batch loss); by default the micro-batch's own.
    """
    mask = mask.to(per_token.dtype)
    masked = per_token * mask
    n = float(mask.size(0)) if total_seqs is None else float(total_seqs)
    if loss_type == "grpo":
        lengths = mask.sum(dim=1).clamp(min=1.0)
        return (masked.sum(dim=1) / lengths).sum() / n
    if loss_type == "dapo":
        tokens = mask.sum().clamp(min=1.0) if total_tokens is None else torch.tensor(float(max(total_tokens, 1.0)))
        return masked.sum() / tokens
    if loss_type == "dr_grpo":
        return masked.sum() / (n * max_completion_length)
    raise ValueError(f"unknown loss_type {loss_type!r} (grpo | dapo | dr_grpo)")


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> float:
    """Mean of ``x`` where ``mask`` is set (0.0 when the mask is empty)."""
    m = mask.to(x.dtype)
    total = float(m.sum())
    return float((x * m).sum()) / total if total > 0 else 0.0


@dataclass
class RolloutBatch:
    """Right-padded token ids of prompt + completion, the completion mask over targets, and advantages.

    ``input_ids`` (N, L); targets are ``input_ids[:, 1:]``; ``mask`` (N, L-1) marks targets that are completion
    tokens (the ``<eos>`` included) of completions that count (null rewards masked out); ``advantages`` (N,).
    """

    input_ids: torch.Tensor
    mask: torch.Tensor
    advantages: torch.Tensor

    def to(self, device: torch.device | str) -> "RolloutBatch":
        return RolloutBatch(self.input_ids.to(device), self.mask.to(device), self.advantages.to(device))


def build_batch(prompts: list[list[int]], completions: list[list[int]], advantages: list[float],
                pad_id: int, keep: Optional[list[bool]] = None) -> RolloutBatch:
    """Pack prompts (ids, ``<bos>`` first) and completions (ids, ``<eos>`` last when finished) into a batch."""
    n = len(prompts)
    length = max(len(p) + len(c) for p, c in zip(prompts, completions))
    input_ids = torch.full((n, length), pad_id, dtype=torch.long)
    mask = torch.zeros((n, length - 1), dtype=torch.float32)
    for i, (p, c) in enumerate(zip(prompts, completions)):
        seq = p + c
        input_ids[i, :len(seq)] = torch.tensor(seq, dtype=torch.long)
        if keep is None or keep[i]:
            mask[i, len(p) - 1:len(seq) - 1] = 1.0
    return RolloutBatch(input_ids, mask, torch.tensor(advantages, dtype=torch.float32))


def sequence_logprobs(model: nn.Module, input_ids: torch.Tensor, autocast: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token log-probs of ``input_ids[:, 1:]`` under ``model`` (N, L-1), and the logits used."""
    if autocast:
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
            logits = model(input_ids[:, :-1])
    else:
        logits = model(input_ids[:, :-1])
    return token_logprobs(logits, input_ids[:, 1:]), logits


def make_optimizer(model: nn.Module, cfg: GRPOConfig) -> torch.optim.Optimizer:
    """AdamW over the trainable parameters."""
    return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, betas=tuple(cfg.betas),
                             weight_decay=cfg.weight_decay, eps=1e-8)


def grpo_update(policy: nn.Module, ref: Optional[nn.Module], optimizer: torch.optim.Optimizer, batch: RolloutBatch,
                cfg: GRPOConfig, autocast: bool = False, grad_sync: Optional[Callable[[list], None]] = None) -> dict:
    """``cfg.num_iterations`` optimizer steps on one batch; returns the step's statistics (of the first
    iteration for kl/entropy, of the last for the clip fraction and ratio). ``grad_sync(params)`` runs after the
    backward passes and before clipping (data-parallel ranks all-reduce their gradients there: trainer/ddp.py)."""
    n = batch.input_ids.size(0)
    total_tokens = float(batch.mask.sum())
    micro = max(1, cfg.micro_batch)
    chunks = [slice(i, min(n, i + micro)) for i in range(0, n, micro)]
    params = [p for p in policy.parameters() if p.requires_grad]
    with torch.no_grad():
        old = [sequence_logprobs(policy, batch.input_ids[s], autocast)[0] for s in chunks]
        refs = [sequence_logprobs(ref, batch.input_ids[s], autocast)[0] for s in chunks] if (ref is not None and cfg.beta > 0) else None
    stats: dict = {"optimizer_steps": 0}
    for it in range(cfg.num_iterations):
        optimizer.zero_grad(set_to_none=True)
        loss_total, kl_sum, clip_sum, ratio_sum, ent_sum = 0.0, 0.0, 0.0, 0.0, 0.0
        for j, s in enumerate(chunks):
            logp, logits = sequence_logprobs(policy, batch.input_ids[s], autocast)
            mask = batch.mask[s]
            surrogate, r, is_clipped = clipped_surrogate(logp, old[j], batch.advantages[s], cfg.epsilon, cfg.epsilon_high)
            per_token = surrogate
            if refs is not None:
                kl = k3_kl(logp, refs[j])
                per_token = per_token + cfg.beta * kl
                kl_sum += float((kl.detach() * mask).sum())
            loss = aggregate(per_token, mask, cfg.loss_type, cfg.max_completion_length, total_seqs=n, total_tokens=total_tokens)
            loss.backward()
            loss_total += float(loss.detach())
            clip_sum += float((is_clipped.float() * mask).sum())
            ratio_sum += float((r.detach() * mask).sum())
            if it == 0:
                with torch.no_grad():
                    lp = torch.log_softmax(logits.float(), dim=-1)
                    ent = -(lp.exp() * lp).sum(-1)
                    ent_sum += float((ent * mask).sum())
        if grad_sync is not None:
            grad_sync(params)
        grad_norm = torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm)
        optimizer.step()
        stats["optimizer_steps"] += 1
        denom = max(total_tokens, 1.0)
        if it == 0:
            stats["loss"] = loss_total
            stats["kl"] = kl_sum / denom if refs is not None else 0.0
            stats["entropy"] = ent_sum / denom
            stats["grad_norm"] = float(grad_norm)
        stats["clip_fraction"] = clip_sum / denom
        stats["ratio_mean"] = ratio_sum / denom
        stats["loss_last"] = loss_total
    optimizer.zero_grad(set_to_none=True)
    stats["tokens"] = total_tokens
    return stats
