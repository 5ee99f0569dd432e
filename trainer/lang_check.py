"""Does the service's language component tell the language task's Russian from its English? (stdlib only)

Scores, through POST /v1/score with ``rewards.language = {target: "en"}``, chains of thought of four kinds made
by :func:`trainer.task_lang.lang_trace` and compares 1 - the component with the share of Cyrillic words counted
here (:func:`trainer.task_lang.script_share`):

* ``teacher``: the cold-start teacher (Russian on most columns of two big digits, 5% elsewhere);
* ``heavy``: every column Russian with probability one half;
* ``english``: no Russian at all;
* ``shuffled``: the words of a heavy trace shuffled (English and Russian inside one sentence: a garbled policy).

Prints one JSON line per kind: completions, unscorable, exact agreement, mean and max absolute difference.
"""
from __future__ import annotations

import argparse
import json
import random
import sys

from .client import RewardClient
from .task_lang import lang_tokenizer, lang_trace, sample_lang_problem, script_share, think_words


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m trainer lang-check", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--n", type=int, default=512, help="completions of each kind")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    tok = lang_tokenizer()
    kinds = ("teacher", "heavy", "english", "shuffled")
    rows: list[tuple[str, str, object]] = []
    for kind in kinds:
        for _ in range(args.n):
            p = sample_lang_problem(rng)
            if kind == "teacher":
                t = lang_trace(p, rng, 0.5)
            elif kind == "heavy":
                t = lang_trace(p, rng, 0.5, mix_hi=0.5, mix_lo=0.5)
            elif kind == "english":
                t = lang_trace(p, rng, 0.5, mix_hi=0.0, mix_lo=0.0)
            else:
                ws = think_words(lang_trace(p, rng, 0.5, 0.5, 0.5))
                rng.shuffle(ws)
                t = "<think>" + " ".join(ws) + ".</think><answer>" + str(p.answer) + "</answer>"
            assert tok.decode(tok.encode(t)) == t  # the policy's tokenizer can write it
            rows.append((kind, t, p))
    client = RewardClient(args.url)
    results = []
    for i in range(0, len(rows), 256):
        part = rows[i:i + 256]
        groups = [{"id": f"c{i + j}", "prompt": p.prompt, "reference": p.reference(), "completions": [t]}
                  for j, (_, t, p) in enumerate(part)]
        reply = client.score(groups, rewards={"format": {"mode": "strict"}, "accuracy": {}, "language": {"weight": 1, "target": "en"}})
        results += [g["results"][0] for g in reply["groups"]]
    for kind in kinds:
        n = unscorable = exact = 0
        diffs: list[float] = []
        mixed: list[float] = []
        for (k, t, _), r in zip(rows, results):
            if k != kind:
                continue
            n += 1
            s = r["components"]["language"]["score"]
            if s is None:
                unscorable += 1
                continue
            d = abs((1 - s) - (script_share(t) or 0.0))
            diffs.append(d)
            mixed.append(1 - s)
            exact += 1 if d < 1e-9 else 0
        print(json.dumps({"kind": kind, "completions": n, "unscorable": unscorable, "exact_agreement": exact,
                          "mean_abs_diff": round(sum(diffs) / len(diffs), 4) if diffs else None,
                          "max_abs_diff": round(max(diffs), 4) if diffs else None,
                          "mean_mixed_service": round(sum(mixed) / len(mixed), 4) if mixed else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
