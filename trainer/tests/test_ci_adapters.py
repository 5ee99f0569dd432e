"""The TRL and verl adapters, called the way those trainers call them, against the real service (stdlib only).

Needs ``REWARD_URL``; no torch, no TRL, no verl: the calls below reproduce their calling conventions
(TRL: keyword arguments prompts/completions/completion_ids/dataset columns, ``__name__`` for logging;
verl: ``compute_score`` loaded from the file path with keyword arguments, and the batch variant).
"""
from __future__ import annotations

import importlib.util
import os
import unittest

from trainer.adapters.trl import make_reward_funcs
from trainer.client import RewardClient

URL = os.environ.get("REWARD_URL")
GOOD = "<think>7+6=13, 5+8+1=14, 4+3+1=8</think><answer>843</answer>"
WRONG = "<think>forgot the carry</think><answer>833</answer>"
NO_FORMAT = "The answer is \\boxed{843}."


def need_url() -> str:
    if not URL:
        raise unittest.SkipTest("REWARD_URL is not set")
    return URL


class CountingClient(RewardClient):
    def __init__(self, url: str) -> None:
        super().__init__(url, timeout=30)
        self.posts = 0

    def request(self, method: str, path: str, body=None, extra_timeout: float = 0.0):  # type: ignore[override]
        if method == "POST":
            self.posts += 1
        return super().request(method, path, body, extra_timeout)


class TRLAdapter(unittest.TestCase):
    def call_like_trl(self, funcs, prompts, completions, **columns):
        """GRPOTrainer._calculate_rewards: every function, in order, with the same keyword arguments."""
        kwargs = dict(columns)
        return {f.__name__: f(prompts=prompts, completions=completions, completion_ids=[[1, 2]] * len(completions),
                              trainer_state=None, **kwargs) for f in funcs}

    def test_one_http_call_per_batch_and_a_column_per_component(self) -> None:
        client = CountingClient(need_url())
        funcs = make_reward_funcs(client=client, components=("format", "accuracy", "total"), answer_key="solution")
        self.assertEqual([f.__name__ for f in funcs], ["rv_format", "rv_accuracy", "rv_total"])
        prompts = ["What is 457+386?"] * 3
        out = self.call_like_trl(funcs, prompts, [GOOD, WRONG, NO_FORMAT], solution=["843", "843", "843"])
        self.assertEqual(out["rv_format"], [1, 1, 0])
        self.assertEqual(out["rv_accuracy"], [1, 0, 1])
        self.assertEqual(out["rv_total"], [2, 1, 1])
        self.assertEqual(client.posts, 1)
        self.call_like_trl(funcs, prompts, [WRONG, WRONG, GOOD], solution=["843", "843", "843"])  # the next batch
        self.assertEqual(client.posts, 2)

    def test_conversational_completions_and_unscorable_none(self) -> None:
        funcs = make_reward_funcs(need_url(), components=("accuracy",))
        prompts = [[{"role": "system", "content": "Think first."}, {"role": "user", "content": "What is 457+386?"}]] * 2
        completions = [[{"role": "assistant", "content": GOOD}], [{"role": "assistant", "content": GOOD}]]
        out = funcs[0](prompts=prompts, completions=completions, answer=["843", "\\frac{"])
        self.assertEqual(out[0], 1)
        self.assertIsNone(out[1])  # a gold the verifier cannot parse: None (TRL skips it), never a fake 0

    def test_reward_options_reach_the_service(self) -> None:
        funcs = make_reward_funcs(need_url(), components=("format",), rewards={"format": {"mode": "partial"}})
        out = funcs[0](prompts=["p"], completions=["<think>half"], answer=["1"])
        self.assertGreater(out[0], 0)
        self.assertLess(out[0], 1)


def load_verl_module():
    """verl loads custom_reward_function.path with importlib from the file, outside any package."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "adapters", "verl.py")
    spec = importlib.util.spec_from_file_location("custom_module", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


class VerlAdapter(unittest.TestCase):
    def test_naive_reward_manager_call(self) -> None:
        compute_score = getattr(load_verl_module(), "compute_score")
        r = compute_score(data_source="openai/gsm8k", solution_str=GOOD, ground_truth="843", extra_info={"index": 0}, url=need_url())
        self.assertEqual(r["score"], 2.0)
        self.assertNotIn("reward", r)  # verl's _validate keeps its own "reward" list
        self.assertEqual((r["format"], r["accuracy"], r["unscorable"]), (1.0, 1.0, 0.0))
        bad = compute_score(data_source="x", solution_str=GOOD, ground_truth="\\frac{", url=URL, fallback=-1)
        self.assertEqual((bad["score"], bad["unscorable"]), (-1.0, 1.0))

    def test_batch_reward_manager_call(self) -> None:
        module = load_verl_module()
        out = module.compute_score_batch(data_sources=["a", "a", "a"], solution_strs=[GOOD, WRONG, NO_FORMAT],
                                         ground_truths=["843", "843", None], extra_infos=[None] * 3, url=need_url())
        self.assertEqual([o["score"] for o in out], [2.0, 1.0, 0.0])
        self.assertEqual(out[2]["accuracy"], 0.0)  # no reference: accuracy not computed, logged as 0
        self.assertEqual([sorted(o) for o in out], [sorted(out[0])] * 3)  # the same keys for every sample (verl appends per key)


class OpenRLHFRemoteRM(unittest.TestCase):
    def test_remote_rm_fn_body(self) -> None:
        """OpenRLHF's remote_rm_fn posts {"query", "prompts", "labels"} and reads "rewards" (and scores, extra_logs)."""
        prompt = "<|im_start|>user\nWhat is 457+386?<|im_end|>\n<|im_start|>assistant\n"
        reply = RewardClient(need_url()).get_reward([prompt + GOOD, prompt + WRONG], prompts=[prompt, prompt], labels=["843", "843"])
        self.assertEqual(reply["rewards"], [2.0, 1.0])
        self.assertTrue(all(type(x) is float for x in reply["rewards"] + reply["scores"]))  # JSON 2.0, not 2
        self.assertEqual(reply["scores"], [1.0, 0.0])
        self.assertEqual(reply["extra_logs"]["unscorable"], [0.0, 0.0])
        self.assertEqual(set(reply["extra_logs"]), {"format", "accuracy", "unscorable", "prompt_mismatch"})


if __name__ == "__main__":
    unittest.main()
