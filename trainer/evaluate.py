"""Held-out evaluation, scored by the service (POST /v1/score), never by Python.

For each held-out problem: one greedy completion and ``k`` sampled ones (temperature 1). Reported:

* ``accuracy``           greedy completions whose accuracy component scored 1 (null counts as wrong);
* ``format_rate``        greedy completions whose strict R1 format component scored 1;
* ``pass1_sampled``      mean accuracy of the k samples (pass@1 estimated from k samples, as R1 reports);
* ``format_rate_sampled`` the same for the format component;
* ``maj_k``              majority vote: the k samples are clustered by the answer the service extracted
  (``details.extracted``); the largest cluster (first seen on ties) is right when the service scored it 1;
* ``accuracy_by_carries`` greedy accuracy split by how many carries/borrows the problem needs;
* ``response_tokens``    mean sampled completion length in tokens.
"""
from __future__ import annotations

from collections import Counter
from typing import Optional

import torch

from .client import RewardClient
from .task import Problem, count_carries
from .tokenizer import CharTokenizer


def _chunks(xs: list, n: int) -> list[list]:
    return [xs[i:i + n] for i in range(0, len(xs), n)]


def generate_texts(model: torch.nn.Module, tok: CharTokenizer, problems: list[Problem], n: int, greedy: bool,
                   max_new_tokens: int, autocast: bool, generator: Optional[torch.Generator] = None,
                   batch: int = 8192) -> tuple[list[list[str]], list[list[int]]]:
    """``n`` completions per problem as text, and their token lengths."""
    prompts = [[tok.bos_id] + tok.encode(p.prompt) for p in problems for _ in range(n)]
    outs: list[list[int]] = []
    for part in _chunks(prompts, batch):
        outs += model.generate(part, max_new_tokens, tok.eos_id, tok.pad_id, greedy=greedy, generator=generator,
                               autocast=autocast, bos_id=tok.bos_id)
    texts = [tok.decode(o) for o in outs]
    return [texts[i * n:(i + 1) * n] for i in range(len(problems))], [[len(o) for o in outs[i * n:(i + 1) * n]] for i in range(len(problems))]


def score_groups(client: RewardClient, groups: list[dict], chunk: int = 512) -> list[dict]:
    """Score groups through POST /v1/score (format + accuracy, the service's defaults), in chunks."""
    out: list[dict] = []
    for part in _chunks(groups, chunk):
        out += client.score(part)["groups"]
    return out


def _comp(result: dict, name: str) -> dict:
    return result.get("components", {}).get(name, {})


def evaluate(model: torch.nn.Module, tok: CharTokenizer, problems: list[Problem], client: RewardClient, k: int,
             max_new_tokens: int, autocast: bool, seed: int = 0, device: str = "cpu") -> dict:
    """Greedy + k-sample evaluation of ``model`` on ``problems``; metrics as in the module doc."""
    model.eval()
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    greedy_texts, _ = generate_texts(model, tok, problems, 1, True, max_new_tokens, autocast)
    sample_texts, sample_lens = generate_texts(model, tok, problems, k, False, max_new_tokens, autocast, gen) if k > 0 else ([[] for _ in problems], [[] for _ in problems])
    groups: list[dict] = []
    for i, p in enumerate(problems):
        groups.append({"id": f"greedy-{i}", "prompt": p.prompt, "reference": p.reference(), "completions": greedy_texts[i]})
        if k > 0:
            groups.append({"id": f"sample-{i}", "prompt": p.prompt, "reference": p.reference(), "completions": sample_texts[i]})
    scored = {g["id"]: g for g in score_groups(client, groups)}
    acc = fmt = acc_s = fmt_s = maj = 0.0
    by_carries: dict[int, list[float]] = {}
    unscorable = 0
    examples: list[dict] = []
    for i, p in enumerate(problems):
        g = scored[f"greedy-{i}"]["results"][0]
        a = 1.0 if _comp(g, "accuracy").get("score") == 1 else 0.0
        unscorable += 1 if _comp(g, "accuracy").get("score") is None else 0
        acc += a
        fmt += 1.0 if _comp(g, "format").get("score") == 1 else 0.0
        by_carries.setdefault(count_carries(p), []).append(a)
        if len(examples) < 8:
            examples.append({"prompt": p.prompt, "completion": greedy_texts[i][0], "correct": bool(a)})
        if k > 0:
            results = scored[f"sample-{i}"]["results"]
            acc_s += sum(1.0 for r in results if _comp(r, "accuracy").get("score") == 1) / k
            fmt_s += sum(1.0 for r in results if _comp(r, "format").get("score") == 1) / k
            votes: Counter = Counter()
            right: dict[str, bool] = {}
            for r in results:
                ex = _comp(r, "accuracy").get("details", {}).get("extracted")
                if ex is None or _comp(r, "accuracy").get("score") is None:
                    continue
                votes[ex] += 1
                right.setdefault(ex, _comp(r, "accuracy").get("score") == 1)
            if votes:
                top = max(votes.values())
                winner = next(ex for ex in votes if votes[ex] == top)  # first seen among the largest
                maj += 1.0 if right[winner] else 0.0
    n = len(problems)
    lens = [x for row in sample_lens for x in row]
    return {
        "n": n, "k": k,
        "accuracy": acc / n, "format_rate": fmt / n,
        "pass1_sampled": acc_s / n if k else None, "format_rate_sampled": fmt_s / n if k else None,
        "maj_k": maj / n if k else None,
        "accuracy_by_carries": {str(c): round(sum(v) / len(v), 4) for c, v in sorted(by_carries.items())},
        "problems_by_carries": {str(c): len(v) for c, v in sorted(by_carries.items())},
        "greedy_unscorable": unscorable,
        "response_tokens": sum(lens) / len(lens) if lens else None,
        "examples": examples,
    }
