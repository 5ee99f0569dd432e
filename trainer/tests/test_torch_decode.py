"""Decoding with the static KV cache (trainer/model.py ``Decoder``): sampled tokens are the exponential race
over the no-cache forward's probabilities (CPU, torch 1.13), and on a GPU the CUDA-graph steps give the same
tokens as the eager steps for the same generator seed.

Run: ``python3 -m unittest discover -s trainer/tests -p 'test_torch_*.py'`` from the repository root.
"""
from __future__ import annotations

import unittest

import torch

from trainer.model import ModelConfig, TinyGPT
from trainer.tokenizer import CharTokenizer


def _model(device: str, n_layer: int = 1, d_model: int = 16) -> TinyGPT:
    torch.manual_seed(0)
    return TinyGPT(ModelConfig(vocab_size=CharTokenizer().vocab_size, n_layer=n_layer, n_head=2, d_model=d_model, max_len=96)).to(device).eval()


def _prompts(tok: CharTokenizer, n: int) -> list[list[int]]:
    texts = ("12+34=", "9-7=", "123456+654321=", "5+5=")  # different lengths: left padding
    return [[tok.bos_id] + tok.encode(texts[i % len(texts)]) for i in range(n)]


class StaticCache(unittest.TestCase):
    def test_sampled_tokens_are_the_race_over_the_full_forward(self) -> None:
        tok = CharTokenizer()
        model = _model("cpu")
        prompts = _prompts(tok, 12)
        max_new, temperature = 10, 0.7
        outs = model.generate(prompts, max_new, tok.eos_id, tok.pad_id, temperature=temperature,
                              generator=torch.Generator().manual_seed(3), bos_id=tok.bos_id)
        self.assertTrue(any(len(o) > 1 for o in outs))
        # the generator's draws, one (n, vocab) block before each step, replayed here
        gen = torch.Generator().manual_seed(3)
        noise = [torch.empty(len(prompts), tok.vocab_size).exponential_(generator=gen) for _ in range(max(len(o) for o in outs))]
        with torch.no_grad():
            for i, (p, o) in enumerate(zip(prompts, outs)):
                for s, t in enumerate(o):
                    logits = model(torch.tensor([p + o[:s]]))[0, -1].clone()
                    logits[[tok.pad_id, tok.bos_id]] = float("-inf")
                    expect = int((torch.softmax(logits / temperature, dim=-1) / noise[s][i]).argmax())
                    self.assertEqual(t, expect, f"row {i} step {s}")
                if len(o) < max_new:
                    self.assertEqual(o[-1], tok.eos_id)

    def test_race_is_what_multinomial_draws(self) -> None:
        # torch.multinomial draws one sample as this same race: the decoder samples what it sampled before
        probs = torch.softmax(torch.randn(64, 20), dim=-1)
        drawn = torch.multinomial(probs, 1, generator=torch.Generator().manual_seed(9)).squeeze(1)
        race = (probs / torch.empty_like(probs).exponential_(generator=torch.Generator().manual_seed(9))).argmax(dim=-1)
        self.assertTrue(torch.equal(drawn, race))

    def test_decoder_reused_across_calls(self) -> None:
        tok = CharTokenizer()
        model = _model("cpu")
        prompts = _prompts(tok, 8)
        first = model.generate(prompts, 8, tok.eos_id, tok.pad_id, greedy=True, bos_id=tok.bos_id)
        model.generate(_prompts(tok, 8)[::-1], 8, tok.eos_id, tok.pad_id, greedy=True, bos_id=tok.bos_id)  # same shape, other rows
        self.assertEqual(model.generate(prompts, 8, tok.eos_id, tok.pad_id, greedy=True, bos_id=tok.bos_id), first)


@unittest.skipUnless(torch.cuda.is_available(), "needs a GPU")
class Graph(unittest.TestCase):
    def test_graph_replays_the_eager_tokens(self) -> None:
        tok = CharTokenizer()
        model = _model("cuda", n_layer=2, d_model=64)
        prompts = _prompts(tok, 512)
        for greedy in (False, True):
            for autocast in (False, True):
                runs = [model.generate(prompts, 48, tok.eos_id, tok.pad_id, greedy=greedy, autocast=autocast, bos_id=tok.bos_id,
                                       generator=torch.Generator(device="cuda").manual_seed(5), graph=graph) for graph in (False, True, True)]
                self.assertEqual(runs[1], runs[0], f"greedy={greedy} autocast={autocast}")
                self.assertEqual(runs[2], runs[0], "a replayed graph again")
                if not greedy:  # (greedy: random weights may answer every prompt alike)
                    self.assertGreater(len({tuple(r) for r in runs[0]}), 4)


if __name__ == "__main__":
    unittest.main()
