"""Each GRPO formula against hand-computed values (torch; runs on CPU with torch 1.13 and on the H200).

Run: ``python3 -m unittest discover -s trainer/tests -p 'test_torch_*.py'`` from the repository root.
"""
from __future__ import annotations

import math
import unittest

import torch

from trainer.grpo import (GRPOConfig, aggregate, build_batch, clipped_surrogate, grpo_update, k3_kl, make_optimizer,
                          ratio, sequence_logprobs, token_logprobs)
from trainer.model import ModelConfig, TinyGPT
from trainer.sft import SFTConfig, lr_at
from trainer.tokenizer import CharTokenizer


class Formulas(unittest.TestCase):
    def test_token_logprobs(self) -> None:
        # softmax([0, ln 3]) = [1/4, 3/4]
        logits = torch.tensor([[[0.0, math.log(3.0)], [0.0, math.log(3.0)]]])
        out = token_logprobs(logits, torch.tensor([[1, 0]]))
        self.assertAlmostEqual(float(out[0, 0]), math.log(0.75), places=6)
        self.assertAlmostEqual(float(out[0, 1]), math.log(0.25), places=6)

    def test_ratio(self) -> None:
        r = ratio(torch.tensor([math.log(0.6)]), torch.tensor([math.log(0.5)]))
        self.assertAlmostEqual(float(r[0]), 1.2, places=6)

    def test_clipped_surrogate_hand_values(self) -> None:
        old = torch.zeros(1, 4)
        # ratios 1.5, 0.5, 1.25, 1.0 ; advantages per token 2, -1, 1, 3
        logp = torch.log(torch.tensor([[1.5, 0.5, 1.25, 1.0]]))
        adv = torch.tensor([[2.0, -1.0, 1.0, 3.0]])
        loss, r, clipped = clipped_surrogate(logp, old, adv, epsilon=0.2)
        # min(1.5*2, 1.2*2) = 2.4 ; min(0.5*-1, 0.8*-1) = -0.8 ; min(1.25, 1.2) = 1.2 ; min(3, 3) = 3
        self.assertTrue(torch.allclose(loss, torch.tensor([[-2.4, 0.8, -1.2, -3.0]]), atol=1e-6))
        self.assertEqual(clipped.tolist(), [[True, True, True, False]])
        self.assertTrue(torch.allclose(r, torch.tensor([[1.5, 0.5, 1.25, 1.0]]), atol=1e-6))

    def test_clip_higher(self) -> None:
        old = torch.zeros(1, 2)
        logp = torch.log(torch.tensor([[1.25, 1.5]]))
        loss, _, clipped = clipped_surrogate(logp, old, torch.tensor([1.0]), epsilon=0.2, epsilon_high=0.28)
        # 1.25 is inside [0.8, 1.28]: unclipped; 1.5 clipped to 1.28
        self.assertTrue(torch.allclose(loss, torch.tensor([[-1.25, -1.28]]), atol=1e-6))
        self.assertEqual(clipped.tolist(), [[False, True]])
        # negative advantage: the lower bound 1 - epsilon still applies
        loss2, _, _ = clipped_surrogate(torch.log(torch.tensor([[0.5]])), torch.zeros(1, 1), torch.tensor([-2.0]), 0.2, 0.28)
        self.assertAlmostEqual(float(loss2[0, 0]), 1.6, places=6)

    def test_surrogate_gradient_at_ratio_one_is_minus_advantage(self) -> None:
        logp = torch.log(torch.tensor([[0.3, 0.7]])).requires_grad_(True)
        loss, _, _ = clipped_surrogate(logp, logp.detach(), torch.tensor([0.5]), 0.2)
        loss.sum().backward()
        self.assertTrue(torch.allclose(logp.grad, torch.tensor([[-0.5, -0.5]]), atol=1e-6))

    def test_k3_kl(self) -> None:
        # p = log .5, q = log .25: exp(q-p) - (q-p) - 1 = .5 + ln 2 - 1
        kl = k3_kl(torch.tensor([math.log(0.5)]), torch.tensor([math.log(0.25)]))
        self.assertAlmostEqual(float(kl[0]), 0.5 + math.log(2.0) - 1.0, places=6)
        self.assertAlmostEqual(float(k3_kl(torch.tensor([-1.3]), torch.tensor([-1.3]))[0]), 0.0, places=7)
        self.assertGreaterEqual(float(k3_kl(torch.tensor([-0.1]), torch.tensor([-3.0]))[0]), 0.0)

    def test_aggregation(self) -> None:
        per = torch.tensor([[1.0, 2.0, 3.0, 9.0], [4.0, 9.0, 9.0, 9.0]])
        mask = torch.tensor([[1.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
        self.assertAlmostEqual(float(aggregate(per, mask, "grpo", 4)), (6 / 3 + 4 / 1) / 2, places=6)  # 3.0
        self.assertAlmostEqual(float(aggregate(per, mask, "dapo", 4)), 10 / 4, places=6)
        self.assertAlmostEqual(float(aggregate(per, mask, "dr_grpo", 4)), 10 / (2 * 4), places=6)
        # micro-batches with the batch's normalisers add up to the batch loss
        for lt in ("grpo", "dapo", "dr_grpo"):
            whole = float(aggregate(per, mask, lt, 4))
            parts = sum(float(aggregate(per[i:i + 1], mask[i:i + 1], lt, 4, total_seqs=2, total_tokens=4)) for i in range(2))
            self.assertAlmostEqual(whole, parts, places=6)
        with self.assertRaises(ValueError):
            aggregate(per, mask, "nope", 4)

    def test_grad_clipping(self) -> None:
        p = torch.nn.Parameter(torch.zeros(2))
        p.grad = torch.tensor([3.0, 4.0])  # norm 5
        norm = torch.nn.utils.clip_grad_norm_([p], 1.0)
        self.assertAlmostEqual(float(norm), 5.0, places=5)
        self.assertTrue(torch.allclose(p.grad, torch.tensor([0.6, 0.8]), atol=1e-5))

    def test_adamw_first_step(self) -> None:
        # p=1, g=.5, lr=.1, wd=.01: decoupled decay p -= lr*wd*p -> .999; m_hat=.5, v_hat=.25 -> p -= .1*.5/.5
        model = torch.nn.Linear(1, 1, bias=False)
        with torch.no_grad():
            model.weight.fill_(1.0)
        opt = make_optimizer(model, GRPOConfig(lr=0.1, weight_decay=0.01, betas=(0.9, 0.999)))
        model.weight.grad = torch.tensor([[0.5]])
        opt.step()
        self.assertAlmostEqual(float(model.weight), 0.999 - 0.1, places=6)

    def test_sft_schedule(self) -> None:
        cfg = SFTConfig(steps=110, lr=1.0, warmup=10, min_lr_ratio=0.1)
        self.assertAlmostEqual(lr_at(0, cfg), 0.1)
        self.assertAlmostEqual(lr_at(10, cfg), 1.0)
        self.assertAlmostEqual(lr_at(60, cfg), 0.55)
        self.assertAlmostEqual(lr_at(110, cfg), 0.1)


class Batch(unittest.TestCase):
    def test_build_batch_mask_covers_completion_targets(self) -> None:
        b = build_batch([[1, 5, 6], [1, 7]], [[8, 2], [9, 9, 2]], [1.0, -1.0], pad_id=0, keep=[True, False])
        self.assertEqual(b.input_ids.tolist(), [[1, 5, 6, 8, 2], [1, 7, 9, 9, 2]])
        # targets are input_ids[:, 1:] = [5,6,8,2] / [7,9,9,2]; completion targets: 8,2 (row 0); row 1 masked out
        self.assertEqual(b.mask.tolist(), [[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
        self.assertEqual(b.advantages.tolist(), [1.0, -1.0])


def tiny_model(seed: int = 0) -> TinyGPT:
    torch.manual_seed(seed)
    return TinyGPT(ModelConfig(vocab_size=CharTokenizer().vocab_size, n_layer=1, n_head=2, d_model=16, max_len=32))


class Update(unittest.TestCase):
    def test_model_cache_matches_full_forward(self) -> None:
        model = tiny_model().eval()
        tok = CharTokenizer()
        prompts = [[1] + tok.encode("12+3="), [1] + tok.encode("456-78=")]
        out = model.generate(prompts, 6, tok.eos_id, tok.pad_id, greedy=True, bos_id=tok.bos_id)
        # the same greedy tokens, one at a time without a cache, per prompt
        for p, o in zip(prompts, out):
            seq = list(p)
            for _ in range(len(o)):
                logits = model(torch.tensor([seq]))[0, -1].clone()
                logits[tok.pad_id] = float("-inf")
                logits[tok.bos_id] = float("-inf")
                seq.append(int(logits.argmax()))
                if seq[-1] == tok.eos_id:
                    break
            self.assertEqual(seq[len(p):], o)

    def test_first_iteration_ratio_is_one_and_num_iterations(self) -> None:
        model = tiny_model(1)
        ref = tiny_model(1).eval()
        b = build_batch([[1, 5, 6], [1, 7, 8]], [[8, 9, 2], [9, 2]], [1.0, -1.0], pad_id=0)
        cfg = GRPOConfig(lr=1e-2, num_iterations=3, beta=0.1, max_completion_length=4)
        opt = make_optimizer(model, cfg)
        stats = grpo_update(model, ref, opt, b, cfg)
        self.assertEqual(stats["optimizer_steps"], 3)
        self.assertAlmostEqual(stats["kl"], 0.0, places=6)  # policy == reference before the first step
        self.assertNotAlmostEqual(stats["ratio_mean"], 1.0, places=4)  # later iterations moved off the old policy
        # the update raised the log-prob of the positive-advantage completion relative to the negative one
        with torch.no_grad():
            new, _ = sequence_logprobs(model, b.input_ids)
            old, _ = sequence_logprobs(ref, b.input_ids)
        delta = ((new - old) * b.mask).sum(1)
        self.assertGreater(float(delta[0]), float(delta[1]))

    def test_loss_value_first_iteration(self) -> None:
        # at ratio 1 and policy == reference, the loss is -sum_i A_i (per-seq mean) / N: (-1 + 1)/2 = 0 for A=+-1
        model = tiny_model(2)
        b = build_batch([[1, 5]], [[8, 2]], [0.5], pad_id=0)
        for lt, expect in (("grpo", -0.5), ("dapo", -0.5), ("dr_grpo", -0.5 * 2 / 4)):
            cfg = GRPOConfig(lr=0.0, loss_type=lt, beta=0.0, max_completion_length=4)
            stats = grpo_update(model, None, make_optimizer(model, cfg), b, cfg)
            self.assertAlmostEqual(stats["loss"], expect, places=6)


if __name__ == "__main__":
    unittest.main()
