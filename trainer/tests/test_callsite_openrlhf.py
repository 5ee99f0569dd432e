"""OpenRLHF's remote reward model (``--remote_rm_url http://HOST:8080/get_reward``), replayed against the service.

Two client paths, read from OpenRLHF's sources and rewritten here (no OpenRLHF code):

* HEAD (v0.11): ``SingleTurnAgentExecutor`` decodes prompt + response with ``skip_special_tokens=False`` (so the
  query ends in the chat template's end token), then posts ``{"query": [q], "prompts": [p], "labels": [label]}``
  for ONE sample (aiohttp, ``json=``, concurrently for many samples) and keeps ``reply["rewards"]``,
  ``reply["scores"]`` and ``reply["extra_logs"]``. ``_process_response_into_experience`` wraps each in
  ``torch.tensor([value])``; experiences are concatenated key by key (``info`` dicts merged per key, then split
  back with a size check against the batch size), rewards reshaped to ``(-1, n_samples_per_prompt)`` for the
  group baselines (``std``: float only), and the eval pass@k metrics take ``chunk.mean()`` of
  ``torch.tensor(rewards)``.
* v0.9.0: ``remote_rm_utils.request_api_wrapper`` posts the whole batch with requests (``json=``, only a
  Content-Type header, 5 tries); ``update_samples_with_rewards`` does ``torch.cat([torch.as_tensor(info["rewards"])
  ...])`` (and the same for scores and for each ``extra_logs`` key of the first reply), ``.split`` per micro
  batch, then the same group normalisation.
"""
from __future__ import annotations

import unittest
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from trainer.tests.callsite import float_paths, need_torch, need_url, post_json

# Qwen's chat template (what the prompt looks like after apply_chat_template) and its end token.
SYSTEM = "<|im_start|>system\nThink in <think></think>, then answer in <answer></answer>.<|im_end|>\n"


def chat_prompt(question: str) -> str:
    return f"{SYSTEM}<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


def r1(think: str, answer: str) -> str:
    return f"<think>{think}</think><answer>{answer}</answer>"


def build_batch() -> tuple[list, list, list, list]:
    """4 prompts x 4 samples: integer labels (AIME style), string labels, an empty and a JSON label; every query
    ends in an end token, as OpenRLHF decodes with skip_special_tokens=False."""
    problems = [
        ("What is 457+386?", 843, ["843", "833", "843", "842"], [1, 0, 1, 0]),  # an int label (AIME style)
        ("What is 12*12?", "144", ["144", "144", "144", "144"], [1, 1, 1, 1]),  # a string label, all right: std 0
        ("Name a prime.", "", ["2", "3", "x", "5"], [None] * 4),  # an empty label: format only
        ("What is 2^10?", '{"type": "math", "answer": "1024"}', ["1024", "1000", "1024", "1024"], [1, 0, 1, 1]),  # JSON
    ]
    ends = ["<|im_end|>", "<|im_end|>\n", "<|endoftext|>", "<|im_end|><|endoftext|>"]
    queries, prompts, labels, expected_acc = [], [], [], []
    for question, label, answers, accuracies in problems:
        p = chat_prompt(question)
        for j, a in enumerate(answers):
            body = r1("work", a) if a != "x" else "no tags at all"
            queries.append(p + body + ends[j])
            prompts.append(p)
            labels.append(label)
            expected_acc.append(None if accuracies[j] is None else float(accuracies[j]))
    return queries, prompts, labels, expected_acc


class OpenRLHFHead(unittest.TestCase):
    """HEAD: one sample per request, concurrently; per-sample tensors; merged infos; group normalisation."""

    def test_agent_path_one_sample_per_request_then_group_norm(self) -> None:
        url = need_url() + "/get_reward"
        torch = need_torch()
        queries, prompts, labels, expected_acc = build_batch()
        n = 4

        def fetch(i: int) -> Any:
            return post_json(url, {"query": [queries[i]], "prompts": [prompts[i]], "labels": [labels[i]]})

        with ThreadPoolExecutor(max_workers=8) as pool:
            replies = list(pool.map(fetch, range(len(queries))))

        experiences = []
        for i, info in enumerate(replies):
            self.assertEqual(float_paths(info), [], f"sample {i}: not floats in {info}")
            reward_val = info.get("rewards")
            score_val = info.get("scores")
            if score_val is None:
                score_val = reward_val
            self.assertIsNotNone(reward_val)
            exp_info = {"reward": torch.tensor([reward_val]), "score": torch.tensor([score_val])}
            for key, value in (info.get("extra_logs") or {}).items():
                exp_info[key] = torch.tensor([value])
            experiences.append({"rewards": torch.tensor([reward_val]), "info": exp_info})

        for e in experiences:
            self.assertEqual(e["rewards"].dtype, torch.float32)
            for key, t in e["info"].items():
                self.assertTrue(t.is_floating_point(), f"info[{key}] is {t.dtype}")

        # Experience.concat_experiences merges info per key; split_experience_batch checks each key's length.
        merged: dict = {}
        for e in experiences:
            for key, value in e["info"].items():
                merged.setdefault(key, []).append(value)
        batch_size = len(experiences)
        for key, values in merged.items():
            cat = torch.cat(values)
            if len(cat) != batch_size:
                self.fail(f"Size of info[{key}] ({len(cat)}) does not match batch_size ({batch_size})")

        raw = torch.cat([e["rewards"] for e in experiences], dim=0).reshape(-1, n)
        std = raw.std(-1, keepdim=True)  # int64 would raise "std and var only support floating point"
        group_norm = (raw - raw.mean(-1, keepdim=True)) / (std + 1e-9)
        rloo = raw - (raw.sum(-1, keepdim=True) - raw) / (n - 1)
        self.assertTrue(torch.isfinite(group_norm).all())
        self.assertTrue(torch.isfinite(rloo).all())
        self.assertEqual(float(std[1]), 0.0)  # the all-right group
        eval_rewards = torch.tensor([float(e["rewards"].sum()) for e in experiences]).reshape(-1, n)
        pass1 = [float(chunk.mean()) for chunk in eval_rewards]  # Long would raise in mean()
        self.assertEqual(len(pass1), 4)
        stats = torch.cat(merged["reward"]).float().mean().item()
        self.assertGreater(stats, 0)

        acc = [float(torch.cat(merged["accuracy"])[i]) for i in range(batch_size)]
        fmt = [float(torch.cat(merged["format"])[i]) for i in range(batch_size)]
        for i, want in enumerate(expected_acc):
            self.assertEqual(acc[i], want if want is not None else 0.0, f"sample {i}: {queries[i][-60:]!r}")
        self.assertEqual(fmt, [0.0 if "no tags" in q else 1.0 for q in queries])  # end tokens do not cost format
        rewards = [float(e["rewards"].sum()) for e in experiences]
        self.assertEqual(rewards[:4], [2.0, 1.0, 2.0, 1.0])

    def test_same_extra_logs_keys_for_every_label(self) -> None:
        url = need_url() + "/get_reward"
        p = chat_prompt("What is 457+386?")
        keys = set()
        for label in [843, "843", "", None, "\\frac{", {"type": "none"}, 84.3]:
            reply = post_json(url, {"query": [p + r1("w", "843") + "<|im_end|>"], "prompts": [p], "labels": [label]})
            self.assertEqual(float_paths(reply), [], reply)
            keys.add(tuple(reply["extra_logs"]))
            self.assertTrue(all(len(v) == 1 for v in reply["extra_logs"].values()))
        self.assertEqual(len(keys), 1, keys)


class OpenRLHFv090(unittest.TestCase):
    """v0.9.0: the whole rollout batch in one request; torch.cat / split per micro batch; group normalisation."""

    def test_batch_path_cat_split_and_group_norm(self) -> None:
        url = need_url() + "/get_reward"
        torch = need_torch()
        queries, prompts, labels, expected_acc = build_batch()
        n = 4
        reps = 8  # 128 samples in one request
        queries, prompts, labels = queries * reps, prompts * reps, labels * reps
        reply = post_json(url, {"query": queries, "prompts": prompts, "labels": labels})
        self.assertEqual(float_paths(reply), [])
        rewards_info = [reply]  # one server: one reply
        samples_len = [16] * (len(queries) // 16)  # micro rollout batches

        rewards_list = torch.cat([torch.as_tensor(info["rewards"]) for info in rewards_info], dim=0).split(samples_len)
        scores_list = torch.cat([torch.as_tensor(info["scores"]) for info in rewards_info], dim=0).split(samples_len)
        merged_logs = {
            key: torch.cat([torch.as_tensor(info["extra_logs"][key]) for info in rewards_info], dim=0).split(samples_len)
            for key in rewards_info[0]["extra_logs"].keys()
        }
        self.assertEqual(rewards_list[0].dtype, torch.float32)
        self.assertEqual(scores_list[0].dtype, torch.float32)
        for key, parts in merged_logs.items():
            self.assertTrue(parts[0].is_floating_point(), f"extra_logs[{key}] is {parts[0].dtype}")
            self.assertEqual(sum(len(x) for x in parts), len(queries))

        rewards = torch.cat(rewards_list).reshape(-1, n)
        normalised = (rewards - rewards.mean(-1, keepdim=True)) / (rewards.std(-1, keepdim=True) + 1e-9)
        self.assertTrue(torch.isfinite(normalised).all())
        self.assertEqual(torch.cat(merged_logs["accuracy"])[:16].tolist(), [a if a is not None else 0.0 for a in expected_acc])

    def test_whole_rollout_batches_fit_the_defaults(self) -> None:
        """5,000 queries in one request, and 512 queries of 35 KB (18 MB): both over the old limits."""
        url = need_url() + "/get_reward"
        torch = need_torch()
        p = chat_prompt("What is a+b?")
        n = 5000
        reply = post_json(url, {"query": [p + r1("add", str(i)) + "<|im_end|>" for i in range(n)], "prompts": [p] * n, "labels": list(range(n))}, timeout=180)
        rewards = torch.cat([torch.as_tensor(reply["rewards"])]).split([500] * 10)
        self.assertEqual(sum(float(r.sum()) for r in rewards), 2.0 * n)
        long = [p + r1("step. " * 6000, str(i)) + "<|im_end|>" for i in range(512)]
        reply = post_json(url, {"query": long, "prompts": [p] * 512, "labels": list(range(512))}, timeout=180)
        self.assertEqual(float_paths(reply), [])
        self.assertEqual(reply["rewards"], [2.0] * 512)

    def test_unscorable_items_are_the_fallback_never_null(self) -> None:
        url = need_url() + "/get_reward"
        torch = need_torch()
        p = chat_prompt("q")
        reply = post_json(url, {"query": [p + r1("w", "1") + "</s>", p + r1("w", "1")], "prompts": [p, p], "labels": ["\\frac{", 1]})
        self.assertEqual(float_paths(reply), [])
        self.assertNotIn(None, reply["rewards"])
        self.assertEqual(reply["extra_logs"]["unscorable"], [1.0, 0.0])
        t = torch.as_tensor(reply["rewards"])
        self.assertEqual(t.dtype, torch.float32)
        self.assertEqual(float(t.std()), float(t.std()))  # finite, computable


if __name__ == "__main__":
    unittest.main()
