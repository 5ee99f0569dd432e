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
import os
import weakref
from collections import OrderedDict
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

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cache: Optional[object] = None) -> torch.Tensor:
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.n_head, c // self.n_head).transpose(1, 2) for z in (q, k, v))
        if isinstance(cache, StaticKV):  # decoding: write the new key/value at cache.pos, attend over every slot
            cache.k.index_copy_(2, cache.pos, k)
            cache.v.index_copy_(2, cache.pos, v)
            k, v = cache.k, cache.v
        elif cache is not None:
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


class StaticKV:
    """One layer's key/value cache of fixed size ``(b, heads, T, head_dim)`` for decoding: each step writes its
    key and value at slot ``pos`` (a one-element device tensor, advanced in place), so every step has the same
    shapes and reads the same buffers (what a CUDA graph needs); slots not written yet are masked out."""

    def __init__(self, k: torch.Tensor, v: torch.Tensor, pos: torch.Tensor) -> None:
        self.k, self.v, self.pos = k, v, pos


class Block(nn.Module):
    """Pre-LN transformer block."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(), nn.Linear(4 * cfg.d_model, cfg.d_model))

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cache: Optional[object] = None) -> torch.Tensor:
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

    def decode(self, idx: torch.Tensor, positions: torch.Tensor, mask: torch.Tensor, caches: list) -> torch.Tensor:
        """Logits ``(b, vocab)`` of one new token per sequence (``idx`` ``(b, 1)``) against static caches
        (:class:`StaticKV`, written at their ``pos``); ``mask`` ``(b, 1, 1, T)`` marks the slots that may be
        attended (the prompt's, those decoded so far and this one)."""
        x = self.tok(idx) + self.pos(positions)
        for block, cache in zip(self.blocks, caches):
            x = block(x, mask, cache)
        return self.head(self.ln_f(x))[:, -1, :]

    @torch.no_grad()
    def generate(self, prompts: list[list[int]], max_new_tokens: int, eos_id: int, pad_id: int,
                 temperature: float = 1.0, greedy: bool = False, generator: Optional[torch.Generator] = None,
                 autocast: bool = False, bos_id: Optional[int] = None, graph: Optional[bool] = None) -> list[list[int]]:
        """Sample a completion for each prompt (lists of ids); each returned list ends with ``eos_id`` unless
        ``max_new_tokens`` ran out first. Batched, prompts left-padded: one pass over the prompts fills a static
        KV cache, then each decoding step has the same shapes (:class:`Decoder`). ``graph`` (default: on a GPU, unless TRAINER_CUDA_GRAPH=0)
        replays one captured CUDA graph per decoding step instead of launching its ~100 kernels one by one; the
        tokens are the same as without it (same kernels, same random numbers)."""
        device = self.tok.weight.device
        if graph is None:  # TRAINER_CUDA_GRAPH=0: eager steps on a GPU too
            graph = device.type == "cuda" and os.environ.get("TRAINER_CUDA_GRAPH", "1") != "0"
        n = len(prompts)
        # the cache holds prompt + completion slots, rounded up to 16 (fewer shapes to capture; aligned masks)
        total = -(-(max(len(p) for p in prompts) + max_new_tokens) // 16) * 16
        width = total - max_new_tokens
        idx = torch.full((n, width), pad_id, dtype=torch.long)
        key_mask = torch.zeros((n, width), dtype=torch.bool)
        for i, p in enumerate(prompts):
            idx[i, width - len(p):] = torch.tensor(p, dtype=torch.long)
            key_mask[i, width - len(p):] = True
        idx, key_mask = idx.to(device), key_mask.to(device)
        positions = (key_mask.long().cumsum(dim=1) - 1).clamp(min=0)
        key = (n, width, max_new_tokens, greedy, float(temperature), eos_id, pad_id, bos_id, autocast, graph)
        dec = _decoders(self).get(key)
        if dec is None:
            dec = _decoders(self).put(key, Decoder(self, n, width, max_new_tokens, greedy, temperature, eos_id, pad_id, bos_id, autocast, graph))
        caches: list = [[] for _ in self.blocks]
        with _autocast(autocast):
            logits = self(idx, key_mask=key_mask, positions=positions, caches=caches)[:, -1, :]
        dec.start(caches, key_mask, positions[:, -1:] + 1, logits)
        for step in range(max_new_tokens):
            if not greedy:
                dec.noise.exponential_(generator=generator)
            dec.step(self)
            if (step + 1) % Decoder.CHECK_EVERY == 0 and bool(dec.done.all()):
                break
        result: list[list[int]] = []
        for row in dec.out.tolist():
            seq: list[int] = []
            for t in row:
                if t == pad_id:
                    break
                seq.append(t)
                if t == eos_id:
                    break
            result.append(seq)
        return result


class Decoder:
    """The static buffers of one decoding shape (batch, prompt width, token budget, sampling settings) and, on a
    GPU, the CUDA graph of one decoding step over them.

    A step samples from ``logits`` (padding and ``<bos>`` never), records the token (padding once a sequence has
    ended), marks its cache slot and runs the model on it, leaving the next logits in ``logits``. Sampling is
    ``argmax(softmax(logits / T) / E)`` with ``E ~ Exp(1)`` drawn into ``noise`` before each step (the
    exponential race: the token is drawn with probability ``softmax(logits / T)``, as ``torch.multinomial``
    draws one sample), so the random numbers come from the caller's generator outside the graph and graph and
    eager steps consume the same ones. ``done.all()`` is checked every ``CHECK_EVERY`` steps (one host sync)."""

    CHECK_EVERY = 4

    def __init__(self, model: "TinyGPT", n: int, width: int, max_new: int, greedy: bool, temperature: float,
                 eos_id: int, pad_id: int, bos_id: Optional[int], autocast: bool, graph: bool) -> None:
        cfg = model.cfg
        device = model.tok.weight.device
        self.greedy, self.temperature, self.autocast = greedy, temperature, autocast
        self.eos_id, self.pad_id = eos_id, pad_id
        self.banned = torch.tensor([pad_id] + ([] if bos_id is None else [bos_id]), dtype=torch.long, device=device)
        total = width + max_new
        kv_dtype = torch.bfloat16 if autocast else model.tok.weight.dtype
        shape = (n, cfg.n_head, total, cfg.d_model // cfg.n_head)
        self.pos = torch.zeros(1, dtype=torch.long, device=device)  # the cache slot the next step writes
        self.caches = [StaticKV(torch.zeros(shape, dtype=kv_dtype, device=device), torch.zeros(shape, dtype=kv_dtype, device=device), self.pos)
                       for _ in model.blocks]
        self.key_mask = torch.zeros((n, total), dtype=torch.bool, device=device)
        self.positions = torch.zeros((n, 1), dtype=torch.long, device=device)
        self.logits = torch.zeros((n, cfg.vocab_size), dtype=torch.float32, device=device)
        self.noise = torch.ones((n, cfg.vocab_size), dtype=torch.float32, device=device)
        self.out = torch.full((n, max_new), pad_id, dtype=torch.long, device=device)
        self.done = torch.zeros(n, dtype=torch.bool, device=device)
        self.index = torch.zeros(1, dtype=torch.long, device=device)  # the completion token the next step writes
        self.graph = self._capture(model) if graph else None

    def _capture(self, model: "TinyGPT") -> "torch.cuda.CUDAGraph":
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm-up (lazy initialisation outside the capture); start() resets the state
            for _ in range(2):
                self.pos.zero_()
                self.index.zero_()
                self._step(model)
        torch.cuda.current_stream().wait_stream(side)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            self._step(model)
        return g

    def start(self, caches: list, key_mask: torch.Tensor, positions: torch.Tensor, logits: torch.Tensor) -> None:
        """Loads the prompt pass: its keys/values into the first slots, its mask, next positions and logits."""
        width = key_mask.size(1)
        for static, (k, v) in zip(self.caches, caches):
            static.k.zero_()
            static.v.zero_()
            static.k[:, :, :width].copy_(k)
            static.v[:, :, :width].copy_(v)
        self.key_mask.zero_()
        self.key_mask[:, :width].copy_(key_mask)
        self.positions.copy_(positions)
        self.logits.copy_(logits.float())
        self.out.fill_(self.pad_id)
        self.done.zero_()
        self.pos.fill_(width)
        self.index.zero_()

    def step(self, model: "TinyGPT") -> None:
        if self.graph is not None:
            self.graph.replay()
        else:
            self._step(model)

    def _step(self, model: "TinyGPT") -> None:
        logits = self.logits.index_fill_(1, self.banned, float("-inf"))
        if self.greedy:
            tok = logits.argmax(dim=-1)
        else:
            tok = (torch.softmax(logits / self.temperature, dim=-1) / self.noise).argmax(dim=-1)
        tok = torch.where(self.done, torch.full_like(tok, self.pad_id), tok)
        self.out.index_copy_(1, self.index, tok.unsqueeze(1))
        self.done |= tok == self.eos_id
        self.key_mask.index_fill_(1, self.pos, True)
        n, total = self.key_mask.shape
        with _autocast(self.autocast):
            nxt = model.decode(tok.unsqueeze(1), self.positions, self.key_mask.view(n, 1, 1, total), self.caches)
        self.logits.copy_(nxt.float())
        self.positions.add_(1)
        self.pos.add_(1)
        self.index.add_(1)


class _DecoderCache:
    """The last few :class:`Decoder` s of one model (each holds a KV cache and maybe a graph), least recently used dropped."""

    SIZE = 6

    def __init__(self) -> None:
        self.items: "OrderedDict[tuple, Decoder]" = OrderedDict()

    def get(self, key: tuple) -> Optional[Decoder]:
        dec = self.items.get(key)
        if dec is not None:
            self.items.move_to_end(key)
        return dec

    def put(self, key: tuple, dec: Decoder) -> Decoder:
        self.items[key] = dec
        while len(self.items) > self.SIZE:
            self.items.popitem(last=False)
        return dec


_DECODERS: "weakref.WeakKeyDictionary[nn.Module, _DecoderCache]" = weakref.WeakKeyDictionary()


def _decoders(model: nn.Module) -> _DecoderCache:
    """Kept beside the model, not on it (a deep copy of the model must not copy graphs)."""
    if model not in _DECODERS:
        _DECODERS[model] = _DecoderCache()
    return _DECODERS[model]


def _autocast(on: bool):
    # the weight-cast cache off: a captured step must cast the current weights on every replay
    return torch.autocast(device_type="cuda", dtype=torch.bfloat16, cache_enabled=False) if on else _null()


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters (tied weights counted once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
