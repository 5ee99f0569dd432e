"""TRL (1.10) with ``reward_funcs=make_reward_funcs(...)``, replayed against the service.

Read from TRL's sources and rewritten here (no TRL code):

* ``GRPOTrainer._calculate_rewards`` (sync): every function in order with the keyword arguments ``prompts``,
  ``completions``, ``completion_ids`` (token id lists), the dataset columns, ``trainer_state``, ``log_extra`` and
  ``log_metric``; None becomes NaN, the list becomes ``torch.tensor(..., dtype=float32)`` in column i of
  ``rewards_per_func``; then ``(rewards_per_func * weights).nansum(1)``, the group ``nanmean`` / std and the
  advantages. With a response schema, conversational completions are parsed messages whose thinking is in
  ``reasoning_content``.
* ``trl.experimental.async_grpo`` (async): the functions are pickled into a spawned rollout process, where
  ``_score_group`` calls them all at once through ``asyncio.to_thread`` and sums the columns with numpy
  (``nansum``; a row all NaN stays NaN), then normalises per group.
"""
from __future__ import annotations

import asyncio
import inspect
import multiprocessing
import pickle
import unittest
from typing import Any

from trainer.adapters.trl import make_reward_funcs
from trainer.tests.callsite import GOOD, NO_FORMAT, WRONG, CountingClient, need_torch, need_url

PROMPT = [{"role": "system", "content": "Think in <think></think>, answer in <answer></answer>."}, {"role": "user", "content": "What is 457+386?"}]


def calculate_rewards(torch: Any, funcs: list, prompts: list, completions: list, completion_ids: list, inputs: list) -> Any:
    """_calculate_rewards for plain-function rewards (one process)."""
    rewards_per_func = torch.zeros(len(prompts), len(funcs))
    keys = [k for k in inputs[0] if k not in ("prompt", "completion", "completion_ids")]
    reward_kwargs: dict = {k: [ex[k] for ex in inputs] for k in keys}
    reward_kwargs["trainer_state"] = object()
    reward_kwargs["log_extra"] = lambda *a, **k: None
    reward_kwargs["log_metric"] = lambda *a, **k: None
    for i, f in enumerate(funcs):
        assert not inspect.iscoroutinefunction(f)
        out = f(prompts=prompts, completions=completions, completion_ids=completion_ids, **reward_kwargs)
        out = [r if r is not None else torch.nan for r in out]
        rewards_per_func[:, i] = torch.tensor(out, dtype=torch.float32)
    return rewards_per_func


def nanstd(torch: Any, t: Any) -> Any:
    mean = torch.nanmean(t, dim=1, keepdim=True)
    count = (~torch.isnan(t)).sum(dim=1)
    var = torch.nansum((t - mean) ** 2, dim=1) / (count - 1).clamp(min=1)
    return var.sqrt()


def grpo_advantages(torch: Any, rewards_per_func: Any, weights: list, g: int) -> Any:
    unscorable = torch.isnan(rewards_per_func).all(dim=1)
    rewards = (rewards_per_func * torch.tensor(weights).unsqueeze(0)).nansum(dim=1)
    rewards[unscorable] = torch.nan
    grouped = rewards.view(-1, g)
    mean = torch.nanmean(grouped, dim=1).repeat_interleave(g)
    std = nanstd(torch, grouped).repeat_interleave(g)
    return (rewards - mean) / (std + 1e-4)


def _async_rollout_child(blob: bytes, group: dict, out: Any) -> None:
    """The spawned rollout process: unpickle the functions, score one group as _score_group does."""
    import numpy as np
    funcs = pickle.loads(blob)
    kwargs = dict(completions=group["completions"], prompts=group["prompts"], completion_ids=group["completion_ids"], **group["reward_kwargs"])

    async def score() -> list:
        return await asyncio.gather(*[f(**kwargs) if inspect.iscoroutinefunction(f) else asyncio.to_thread(f, **kwargs) for f in funcs])
    columns = asyncio.run(score())
    arr = np.array([[r if r is not None else float("nan") for r in col] for col in columns], dtype=float)
    all_nan = np.all(np.isnan(arr), axis=0)
    rewards = np.nansum(arr, axis=0)
    rewards[all_nan] = np.nan
    ok = ~np.isnan(rewards)
    adv = np.zeros_like(rewards)
    adv[ok] = (rewards[ok] - rewards[ok].mean()) / (rewards[ok].std() + 1e-8)
    posts = funcs[0].shared.client.posts if hasattr(funcs[0].shared.client, "posts") else -1
    out.put({"columns": columns, "rewards": rewards.tolist(), "advantages": adv.tolist(), "posts": posts,
             "names": [getattr(f, "__name__", type(f).__name__) for f in funcs]})


class TRLSync(unittest.TestCase):
    def setUp(self) -> None:
        self.url = need_url()
        self.torch = need_torch()

    def test_plain_completions_then_group_advantages(self) -> None:
        torch = self.torch
        client = CountingClient(self.url)
        funcs = make_reward_funcs(client=client, components=("format", "accuracy"), answer_key="solution")
        completions = [GOOD, WRONG, NO_FORMAT, GOOD + "<|im_end|>", GOOD, GOOD, WRONG, "<think>x</think><answer>1</answer>"]
        prompts = ["What is 457+386?"] * 8
        inputs = [{"prompt": p, "solution": "843" if i < 4 else 843} for i, p in enumerate(prompts)]
        ids = [list(range(len(c) // 4)) for c in completions]
        rpf = calculate_rewards(torch, funcs, prompts, completions, ids, inputs)
        self.assertEqual(client.posts, 1)  # one HTTP call per batch, whatever the number of functions
        self.assertEqual(rpf[:, 0].tolist(), [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0])
        self.assertEqual(rpf[:, 1].tolist(), [1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
        adv = grpo_advantages(torch, rpf, [1.0, 1.0], 4)
        self.assertTrue(torch.isfinite(adv).all())

    def test_conversational_completions_with_reasoning_content(self) -> None:
        """A response schema parses <think>…</think> out into reasoning_content (or thinking): format still 1."""
        torch = self.torch
        funcs = make_reward_funcs(self.url, components=("format", "accuracy"))
        completions = [
            [{"role": "assistant", "reasoning_content": "7+6=13, carry 1", "content": "<answer>843</answer>"}],
            [{"role": "assistant", "thinking": "7+6=13", "content": "<answer>843</answer>"}],
            [{"role": "assistant", "content": GOOD}],
            [{"role": "assistant", "reasoning_content": "", "content": "<answer>843</answer>"}],  # no thinking: no think block
        ]
        inputs = [{"prompt": PROMPT, "answer": "843"}] * 4
        rpf = calculate_rewards(torch, funcs, [PROMPT] * 4, completions, [[1, 2, 3]] * 4, inputs)
        self.assertEqual(rpf[:, 0].tolist(), [1.0, 1.0, 1.0, 0.0])
        self.assertEqual(rpf[:, 1].tolist(), [1.0, 1.0, 1.0, 1.0])

    def test_completion_ids_are_the_token_counts_of_length_rewards(self) -> None:
        torch = self.torch
        funcs = make_reward_funcs(self.url, components=("overlong",), rewards={"overlong": {"max_length": 100, "buffer": 50}})
        inputs = [{"prompt": "q", "answer": "843"}] * 2
        text = GOOD  # about 15 tokens by the byte estimate
        with_ids = calculate_rewards(torch, funcs, ["q"] * 2, [text, text], [list(range(75)), list(range(10))], inputs)
        self.assertEqual(with_ids[:, 0].tolist(), [-0.5, 0.0])
        without = funcs[0](prompts=["q"], completions=[text], answer=["843"])
        self.assertEqual(without, [0.0])

    def test_unscorable_is_none_then_nan_never_zero(self) -> None:
        torch = self.torch
        funcs = make_reward_funcs(self.url, components=("accuracy",))
        inputs = [{"prompt": "q", "answer": "\\frac{"}, {"prompt": "q", "answer": "843"}]
        rpf = calculate_rewards(torch, funcs, ["q"] * 2, [GOOD, GOOD], [[1], [1]], inputs)
        self.assertTrue(bool(torch.isnan(rpf[0, 0])))
        self.assertEqual(float(rpf[1, 0]), 1.0)
        out = funcs[0](prompts=["q"], completions=[GOOD], answer=["843"])
        self.assertIs(type(out[0]), float)


class TRLAsync(unittest.TestCase):
    def test_functions_pickle_into_a_spawned_rollout_process_and_share_one_call(self) -> None:
        url = need_url()
        funcs = make_reward_funcs(client=CountingClient(url), components=("format", "accuracy", "total"))
        blob = pickle.dumps(funcs)
        group = {
            "prompts": [PROMPT] * 4,
            "completions": [[{"role": "assistant", "content": c}] for c in (GOOD, WRONG, NO_FORMAT, GOOD)],
            "completion_ids": [[1, 2, 3]] * 4,
            "reward_kwargs": {"answer": ["843"] * 4},
        }
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        child = ctx.Process(target=_async_rollout_child, args=(blob, group, out))
        child.start()
        try:
            result = out.get(timeout=120)
        finally:
            child.join(timeout=30)
        self.assertEqual(child.exitcode, 0)
        self.assertEqual(result["names"], ["rv_format", "rv_accuracy", "rv_total"])
        self.assertEqual(result["columns"][2], [2.0, 1.0, 1.0, 2.0])
        self.assertEqual(result["rewards"], [4.0, 2.0, 2.0, 4.0])
        self.assertEqual(result["posts"], 1)  # three functions called at once in threads: one HTTP call


if __name__ == "__main__":
    unittest.main()
