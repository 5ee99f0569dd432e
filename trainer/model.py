"""A small causal transformer in plain PyTorch (runs on torch 1.13 CPU and 2.x CUDA), with a KV cache.

Pre-LayerNorm GPT: token + learned position embeddings, ``n_layer`` blocks of multi-head self-attention and
a GELU MLP, final LayerNorm, output projection tied to the token embedding. No dropout (RL needs the same
function at sampling and at training time).

Batched generation uses left padding: position ids are ``cumsum(mask) - 1`` so each sequence starts at 0 as in
training, and a key mask hides the pads. Every query may also attend to itself, so no softmax row is empty
(a row of -inf would turn into NaN and leak through V into real positions).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, asdict
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

_SDPA = getattr(F, "scaled_dot_product_attention", None)


@dataclass
class ModelConfig:
    """Size of the transformer."""

    vocab_size: int
    n_layer: int = 6
    n_head: int = 8
    d_model: int = 256
    max_len: int = 128

    def to_dict(self) -> dict:
        return asdict(self)


class Attention(nn.Module):
    """Multi-head self-attention with an optional KV cache (a list ``[k, v]`` updated in place)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.n_head = cfg.n_head
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cache: Optional[list] = None) -> torch.Tensor:
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.n_head, c // self.n_head).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if cache:
                k = torch.cat([cache[0], k], dim=2)
                v = torch.cat([cache[1], v], dim=2)
                cache[0], cache[1] = k, v
            else:
                cache.extend([k, v])
        # mask: (b, 1, t, T) boolean, True = may attend
        if _SDPA is not None:
            y = _SDPA(q, k, v, attn_mask=mask)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
            att = att.masked_fill(~mask, float("-inf"))
            y = torch.softmax(att.float(), dim=-1).to(v.dtype) @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    """Pre-LN transformer block."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(), nn.Linear(4 * cfg.d_model, cfg.d_model))

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cache: Optional[list] = None) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), mask, cache)
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    """The policy (and, frozen, the reference model)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos = nn.Embedding(cfg.max_len, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.head.weight = self.tok.weight
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def forward(self, idx: torch.Tensor, key_mask: Optional[torch.Tensor] = None,
                positions: Optional[torch.Tensor] = None, caches: Optional[list] = None) -> torch.Tensor:
        """Logits ``(b, t, vocab)`` for token ids ``idx`` ``(b, t)``.

        Without a cache this is a causal pass over right-padded sequences (``key_mask`` may be omitted: pads at
        the end never influence earlier positions). With ``caches`` (one list per layer), ``idx`` holds the new
        tokens, ``key_mask`` ``(b, T)`` covers every key so far and ``positions`` ``(b, t)`` the new positions.
        """
        b, t = idx.shape
        past = caches[0][0].size(2) if caches is not None and caches[0] else 0
        total = past + t
        if positions is None:
            positions = torch.arange(past, total, device=idx.device).unsqueeze(0).expand(b, t)
        x = self.tok(idx) + self.pos(positions)
        causal = torch.ones(t, total, dtype=torch.bool, device=idx.device).tril(diagonal=past)
        mask = causal.view(1, 1, t, total)
        if key_mask is not None:
            mask = mask & key_mask.bool().view(b, 1, 1, total)
            eye = torch.zeros(t, total, dtype=torch.bool, device=idx.device)
            eye[torch.arange(t), torch.arange(past, total)] = True
            mask = mask | eye.view(1, 1, t, total)
        else:
            mask = mask.expand(b, 1, t, total)
        for i, block in enumerate(self.blocks):
            x = block(x, mask, None if caches is None else caches[i])
        return self.head(self.ln_f(x))

    @torch.no_grad()
    def generate(self, prompts: list[list[int]], max_new_tokens: int, eos_id: int, pad_id: int,
                 temperature: float = 1.0, greedy: bool = False, generator: Optional[torch.Generator] = None,
                 autocast: bool = False, bos_id: Optional[int] = None) -> list[list[int]]:
        """Sample a completion for each prompt (lists of ids); each returned list ends with ``eos_id`` unless
        ``max_new_tokens`` ran out first. Batched with a KV cache; prompts are left-padded."""
        device = self.tok.weight.device
        n = len(prompts)
        width = max(len(p) for p in prompts)
        idx = torch.full((n, width), pad_id, dtype=torch.long, device=device)
        key_mask = torch.zeros((n, width), dtype=torch.long, device=device)
        for i, p in enumerate(prompts):
            idx[i, width - len(p):] = torch.tensor(p, dtype=torch.long, device=device)
            key_mask[i, width - len(p):] = 1
        positions = (key_mask.cumsum(dim=1) - 1).clamp(min=0)
        caches: list = [[] for _ in self.blocks]
        out = torch.full((n, max_new_tokens), pad_id, dtype=torch.long, device=device)
        done = torch.zeros(n, dtype=torch.bool, device=device)
        next_pos = positions[:, -1:] + 1
        ctx = torch.autocast(device_type="cuda", dtype=torch.bfloat16) if autocast else _null()
        with ctx:
            logits = self(idx, key_mask=key_mask, positions=positions, caches=caches)[:, -1, :]
            for step in range(max_new_tokens):
                logits = logits.float()
                logits[:, pad_id] = float("-inf")  # never sample padding or <bos>
                if bos_id is not None:
                    logits[:, bos_id] = float("-inf")
                if greedy:
                    tok = logits.argmax(dim=-1)
                else:
                    probs = torch.softmax(logits / temperature, dim=-1)
                    tok = torch.multinomial(probs, 1, generator=generator).squeeze(1)
                tok = torch.where(done, torch.full_like(tok, pad_id), tok)
                out[:, step] = tok
                done = done | (tok == eos_id)
                if bool(done.all()):
                    break
                key_mask = torch.cat([key_mask, torch.ones((n, 1), dtype=torch.long, device=device)], dim=1)
                logits = self(tok.unsqueeze(1), key_mask=key_mask, positions=next_pos, caches=caches)[:, -1, :]
                next_pos = next_pos + 1
        rows = out.tolist()
        result: list[list[int]] = []
        for row in rows:
            seq: list[int] = []
            for t in row:
                if t == pad_id:
                    break
                seq.append(t)
                if t == eos_id:
                    break
            result.append(seq)
        return result


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters (tied weights counted once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
