"""``python -m trainer decode-bench``: seconds to sample completions with the miniature R1's policy (6 layers, 256
wide, bf16 autocast), eager decoding steps vs CUDA-graph steps, for a few batch sizes; every sequence runs all
``max_new`` steps (random weights seldom end early), as the longest sampled completions of a step do.
Prints one JSON line per (batch, graph) with the median of ``--repeat`` timed calls."""
from __future__ import annotations

import json
import statistics
import sys
import time

import torch

from .model import ModelConfig, TinyGPT
from .task import ProblemSource, held_out_set
from .tokenizer import CharTokenizer


def main(argv: list[str]) -> int:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 10
    sizes = [int(x) for x in argv[argv.index("--sizes") + 1].split(",")] if "--sizes" in argv else [1024, 2048, 4096]
    cuda = torch.cuda.is_available()
    tok = CharTokenizer()
    torch.manual_seed(0)
    model = TinyGPT(ModelConfig(vocab_size=tok.vocab_size, n_layer=6, n_head=8, d_model=256, max_len=96)).to("cuda" if cuda else "cpu").eval()
    problems = ProblemSource(1, held_out_set(64, seed=2)).batch(max(sizes))
    for n in sizes:
        prompts = [[tok.bos_id] + tok.encode(p.prompt) for p in problems[:n]]
        for graph in ((False, True) if cuda else (False,)):
            gen = torch.Generator(device="cuda" if cuda else "cpu").manual_seed(0)
            times = []
            for _ in range(repeat + 1):  # the first call builds the decoder (and captures its graph)
                if cuda:
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
                outs = model.generate(prompts, 48, tok.eos_id, tok.pad_id, generator=gen, autocast=cuda, bos_id=tok.bos_id, graph=graph)
                times.append(time.perf_counter() - t0)
            print(json.dumps({"batch": n, "graph": graph, "median_s": round(statistics.median(times[1:]), 4),
                              "first_s": round(times[0], 4), "mean_tokens": round(sum(map(len, outs)) / n, 1)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
