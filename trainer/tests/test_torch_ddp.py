"""The data-parallel trainer's pieces (trainer/ddp.py) on CPU (torch 1.13) and on the H200: ids rebuilt from the
leased text equal the generated ids; the flat all-reduce gives each parameter weight x its gradient summed.

Run: ``python3 -m unittest discover -s trainer/tests -p 'test_torch_*.py'`` from the repository root.
"""
from __future__ import annotations

import os
import socket
import unittest

import torch
import torch.distributed as dist

from trainer.ddp import all_reduce_flat, completion_ids
from trainer.model import ModelConfig, TinyGPT
from trainer.tokenizer import CharTokenizer


class CompletionIds(unittest.TestCase):
    def test_sampled_completions_round_trip(self) -> None:
        tok = CharTokenizer()
        torch.manual_seed(0)
        model = TinyGPT(ModelConfig(vocab_size=tok.vocab_size, n_layer=1, n_head=2, d_model=16, max_len=96)).eval()
        prompts = [[tok.bos_id] + tok.encode(p) for p in ("12+34=", "99-7=", "5+5=")] * 40
        gen = torch.Generator().manual_seed(1)
        for max_new in (3, 8, 24):  # short budgets: many completions run out; random weights: many end early
            outs = model.generate(prompts, max_new, tok.eos_id, tok.pad_id, generator=gen, bos_id=tok.bos_id)
            self.assertEqual(completion_ids(tok, [tok.decode(o) for o in outs], max_new), outs)
            self.assertTrue(any(len(o) == max_new and o[-1] != tok.eos_id for o in outs), "a completion ran out")
            self.assertTrue(any(o and o[-1] == tok.eos_id for o in outs), "a completion ended with <eos>")

    def test_eos_rule(self) -> None:
        tok = CharTokenizer()
        self.assertEqual(completion_ids(tok, ["", "12", "123"], 3), [[tok.eos_id], tok.encode("12") + [tok.eos_id], tok.encode("123")])


class FlatAllReduce(unittest.TestCase):
    def test_weighted_sum_into_views(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=0, world_size=1)
        try:
            a = torch.nn.Parameter(torch.zeros(2, 3))
            b = torch.nn.Parameter(torch.zeros(4))
            c = torch.nn.Parameter(torch.zeros(1))  # no gradient: joins as zeros
            a.grad = torch.arange(6.0).reshape(2, 3)
            b.grad = torch.ones(4)
            all_reduce_flat([a, b, c], 0.5)
            self.assertTrue(torch.equal(a.grad, torch.arange(6.0).reshape(2, 3) * 0.5))
            self.assertTrue(torch.equal(b.grad, torch.full((4,), 0.5)))
            self.assertTrue(torch.equal(c.grad, torch.zeros(1)))
            self.assertEqual(a.grad.shape, a.shape)
        finally:
            dist.destroy_process_group()


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    unittest.main()
