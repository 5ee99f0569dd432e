"""The language and code tasks of the miniature R1: tokenizer, teachers, tests, and SFT through their tokenizers.

Run with ``python3 -m unittest discover -s trainer/tests -p 'test_torch_*.py'`` (torch on a CPU is enough).
"""
from __future__ import annotations

import random
import unittest
from collections import Counter

import torch

from trainer.model import ModelConfig, TinyGPT
from trainer.pieces import PieceTokenizer
from trainer.sft import SFTConfig, sft_train
from trainer.task import Problem, ProblemSource
from trainer.task_code import CodeProblem, CodeSource, all_problems, code_tokenizer, code_trace, held_out_code, verdict_counts
from trainer.task_lang import (LangProblem, held_out_lang, lang_tokenizer, lang_trace, sample_lang_problem, script_share,
                               think_words)


class PieceTokenizerTest(unittest.TestCase):
    def test_longest_match_and_round_trip(self) -> None:
        tok = PieceTokenizer(["ab", "abc", " x"], "abcx ")
        self.assertEqual([tok.itos[i] for i in tok.encode("abcab x")], ["abc", "ab", " x"])
        self.assertEqual(tok.decode(tok.encode("<think>abc</think>") + [tok.eos_id, 5]), "<think>abc</think>")
        with self.assertRaises(ValueError):
            tok.encode("abz")

    def test_teachers_round_trip(self) -> None:
        rng = random.Random(1)
        lt, ct = lang_tokenizer(), code_tokenizer()
        for _ in range(300):
            p = sample_lang_problem(rng)
            for text in (p.prompt, lang_trace(p, rng, 0.5)):
                self.assertEqual(lt.decode(lt.encode(text)), text)
        for p in all_problems()[::7]:
            for text in (p.prompt, code_trace(p, rng)):
                self.assertEqual(ct.decode(ct.encode(text)), text)


class LangTaskTest(unittest.TestCase):
    def test_flawless_trace_is_english_and_right(self) -> None:
        p = LangProblem(457, "+", 386)
        self.assertEqual(p.prompt, "what is 457 plus 386 ?")
        t = lang_trace(p)
        self.assertEqual(t, "<think>seven plus six plus zero is thirteen. five plus eight plus one is fourteen. "
                            "four plus three plus one is eight.</think><answer>843</answer>")
        self.assertEqual(script_share(t), 0.0)
        t = lang_trace(LangProblem(512, "-", 86))
        self.assertIn("two minus six minus zero is minus four.", t)
        self.assertTrue(t.endswith("<answer>426</answer>"))

    def test_russian_columns_and_equal_length(self) -> None:
        rng = random.Random(2)
        p = LangProblem(457, "+", 386)  # units 7,6 and tens 5,8 are both >= 5; hundreds 4,3 are not
        t = lang_trace(p, rng, 0.0, mix_hi=1.0, mix_lo=0.0)
        self.assertIn("семь плюс шесть плюс ноль равно тринадцать.", t)
        self.assertIn("four plus three plus one is eight.", t)
        self.assertAlmostEqual(script_share(t), 14 / 21)
        self.assertEqual(len(think_words(t)), len(think_words(lang_trace(p))))
        shares = [script_share(lang_trace(sample_lang_problem(rng), rng, 0.5)) for _ in range(2000)]
        self.assertTrue(0.15 < sum(shares) / len(shares) < 0.35)

    def test_script_share_edges(self) -> None:
        self.assertIsNone(script_share("<answer>3</answer>"))
        self.assertIsNone(script_share("<think></think><answer>3</answer>"))
        self.assertEqual(script_share("<think>один two"), 0.5)  # unclosed think: everything after it

    def test_held_out_never_trained(self) -> None:
        held = held_out_lang(200, seed=5)
        src = ProblemSource(3, held, sampler=sample_lang_problem)
        self.assertFalse(set(src.batch(3000)) & set(held))
        self.assertNotEqual(LangProblem(12, "+", 34), Problem(12, "+", 34))


class CodeTaskTest(unittest.TestCase):
    def test_right_program_and_flaw_rates(self) -> None:
        p = CodeProblem("sum", 3, 2, 1)
        self.assertEqual(p.prompt, "sum 3*i+2 for i=1..n")
        self.assertEqual(code_trace(p), "<think>loop over i and add</think><answer>function f(n){let s=0;"
                                        "for(let i=1;i<=n;i++){s+=3*i+2;}return s;}</answer>")
        rng = random.Random(4)
        kinds = Counter("i--" in t and "timeout" or "i<n" in t and "off" or "ok" for t in (code_trace(p, rng) for _ in range(4000)))
        self.assertAlmostEqual(kinds["off"] / 4000, 0.55, delta=0.03)
        self.assertAlmostEqual(kinds["timeout"] / 4000, 0.10, delta=0.02)
        self.assertIn("if(x>=-3)", code_trace(CodeProblem("count", -3, op=">=")))
        self.assertIn("let m=xs[0];", code_trace(CodeProblem("extreme", 7, op="min")))

    def test_tests_catch_each_flaw(self) -> None:
        count = CodeProblem("count", 4, op=">")
        self.assertTrue(sum(1 for xs in count.test_args() if 4 in xs) >= 4)  # where > and >= part
        mx = CodeProblem("extreme", 2, op="max")
        self.assertTrue(sum(1 for xs in mx.test_args() if max(xs) < 0) >= 3)  # where m=0 is wrong
        s = CodeProblem("sum", 2, 5, 2)
        self.assertEqual(s.solve(0), 0)
        self.assertEqual(s.solve(3), (2 * 2 + 5) + (2 * 3 + 5))
        ref = s.reference()
        self.assertEqual(ref["tests"]["function"], "f")
        self.assertEqual(ref, CodeProblem("sum", 2, 5, 2).reference())  # stable across calls and processes

    def test_held_out_and_source(self) -> None:
        held = held_out_code(20, seed=3)
        self.assertEqual(Counter(p.family for p in held), {"sum": 20, "count": 20, "extreme": 20})
        src = CodeSource(1, held)
        self.assertFalse(set(src.batch(2000)) & set(held))

    def test_verdict_counts(self) -> None:
        groups = [{"results": [{"components": {"accuracy": {"score": 0.5, "details": {"verdicts": ["passed", "timeout"]}}}},
                               {"components": {"accuracy": {"score": None, "status": "error"}}}]}]
        c = verdict_counts(groups)
        self.assertEqual((c["passed"], c["timeout"], c["unscored"]), (1, 1, 1))


class SFTThroughTaskTokenizers(unittest.TestCase):
    def test_sft_learns_the_code_teacher(self) -> None:
        torch.manual_seed(0)
        tok = code_tokenizer()
        model = TinyGPT(ModelConfig(vocab_size=tok.vocab_size, n_layer=2, n_head=4, d_model=64, max_len=80))
        series = sft_train(model, CodeSource(1), SFTConfig(steps=40, batch_size=32, lr=3e-3, warmup=4), "cpu", seed=2,
                           log_every=39, tok=tok, teacher=lambda p, r: code_trace(p, r))
        self.assertLess(series[-1]["loss"], series[0]["loss"] * 0.5)


if __name__ == "__main__":
    unittest.main()
