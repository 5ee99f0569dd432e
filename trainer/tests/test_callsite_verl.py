"""verl (0.8) with ``custom_reward_function.path=trainer/adapters/verl.py``, replayed against the service.

Read from verl's sources and rewritten here (no verl code): ``get_custom_reward_fn`` loads the file with
``importlib.util.spec_from_file_location`` under a throwaway name (``custom_module_<hash>``), takes
``dict(config.custom_reward_function.reward_kwargs)`` (nested values stay OmegaConf ``DictConfig``) and wraps the
function in ``functools.partial`` with a module-level kwargs merger. The managers then:

* naive / DAPO: per sample ``compute_score(data_source=, solution_str=, ground_truth=, extra_info=)``; a dict's
  ``score`` goes to ``reward_tensor[i, len-1]``, every key is appended to ``reward_extra_info[key]``; DAPO also
  strips the eos token and, with the overlong buffer, adds ``overlong_reward`` / ``overlong`` to the same dict;
* batch: ``compute_score(data_sources=, solution_strs=, ground_truths=, extra_infos=, **reward_kwargs)``, then
  ``torch.tensor(rewards, dtype=float32)`` as ``acc``;
* PRIME: ``partial(fn, task, completion, reference, extra_info)`` run in a ``ProcessPoolExecutor`` (pickled);
  a number is ``float(result)``, anything else ``float(result[0])``; an exception makes every score 0;
* ``_validate``: ``reward_extra_infos_dict["reward"]`` gets ``reward_tensor.sum(-1).tolist()``, every key of
  ``reward_extra_info`` is extended, then each list must be as long as the scores (an assertion), and the means
  per data source are taken with numpy; training puts ``np.array(v)`` of each list into the batch, and GRPO
  normalises ``reward_tensor.sum(-1)`` per uid with torch.
"""
from __future__ import annotations

import importlib.util
import json
import os
import pickle
import subprocess
import sys
import unittest
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

from trainer.tests.callsite import GOOD, NO_FORMAT, WRONG, need_torch, need_url

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADAPTER = os.path.join(ROOT, "trainer", "adapters", "verl.py")


def _call_with_kwargs(raw_fn: Any, extra_kwargs: dict, *args: Any, **kwargs: Any) -> Any:
    """verl's merger: the config's reward_kwargs over the call's keyword arguments."""
    return raw_fn(*args, **{**kwargs, **extra_kwargs})


def load_like_verl(name: str, reward_kwargs: Any) -> Any:
    """get_custom_reward_fn: the file loaded by path under a throwaway module name, kwargs bound by a partial."""
    spec = importlib.util.spec_from_file_location(f"custom_module_{hash(os.path.abspath(ADAPTER))}", ADAPTER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not put in sys.modules, as verl does without a module_name
    return partial(_call_with_kwargs, getattr(module, name), dict(reward_kwargs))


def omega_kwargs(url: str, **extra: Any) -> Any:
    """reward_kwargs as Hydra hands them over: dict(DictConfig) keeps nested DictConfig values."""
    from omegaconf import OmegaConf
    cfg = OmegaConf.create({"custom_reward_function": {"path": ADAPTER, "name": "compute_score", "reward_kwargs": {"url": url, **extra}}})
    kwargs = dict(cfg.custom_reward_function.get("reward_kwargs", {}))
    return kwargs


class ToyTokenizer:
    """Characters as ids (offset 10); 0 is pad, 1 is eos (``</s>``)."""
    pad_token_id, eos_token_id, eos_token = 0, 1, "</s>"

    def encode(self, text: str) -> list:
        return [ord(c) + 10 for c in text]

    def decode(self, ids: Any, skip_special_tokens: bool = False) -> str:
        out = []
        for i in (ids.tolist() if hasattr(ids, "tolist") else ids):
            if i in (0, 1):
                if not skip_special_tokens and i == 1:
                    out.append(self.eos_token)
                continue
            out.append(chr(i - 10))
        return "".join(out)

    def batch_decode(self, rows: Any, skip_special_tokens: bool = False) -> list:
        return [self.decode(r, skip_special_tokens) for r in rows]


def make_batch(torch: Any, samples: list, tok: ToyTokenizer) -> dict:
    """A DataProto's fields: left-padded prompts, right-padded responses ending in eos, the attention mask, and
    the non-tensor columns (numpy object arrays) verl reads."""
    import numpy as np
    P = max(len(tok.encode(s["prompt"])) for s in samples)
    R = max(len(tok.encode(s["response"])) + 1 for s in samples) + 3
    prompts, responses, masks = [], [], []
    for s in samples:
        p = tok.encode(s["prompt"])
        r = tok.encode(s["response"]) + [tok.eos_token_id]
        prompts.append([0] * (P - len(p)) + p)
        responses.append(r + [0] * (R - len(r)))
        masks.append([0] * (P - len(p)) + [1] * len(p) + [1] * len(r) + [0] * (R - len(r)))
    return {
        "prompts": torch.tensor(prompts), "responses": torch.tensor(responses), "attention_mask": torch.tensor(masks),
        "data_source": np.array([s["data_source"] for s in samples], dtype=object),
        "reward_model": np.array([{"ground_truth": s["gt"], "style": "rule"} for s in samples], dtype=object),
        "extra_info": np.array([{"index": i} for i in range(len(samples))], dtype=object),
        "uid": np.array([s["uid"] for s in samples], dtype=object),
    }


def samples_for(n_groups: int = 2, n: int = 4) -> list:
    """Groups of n responses to "457+386" (answer 843, ground truth an int as parquet gives it) and "12*12"."""
    answers = [GOOD, WRONG, NO_FORMAT, GOOD]
    out = []
    for g in range(n_groups):
        for j in range(n):
            if g % 2 == 0:
                out.append({"prompt": "What is 457+386?", "response": answers[j], "gt": 843, "data_source": "arith", "uid": f"u{g}"})
            else:
                out.append({"prompt": "What is 12*12?", "response": "<think>12*12</think><answer>144</answer>", "gt": "144", "data_source": "mul", "uid": f"u{g}"})
    return out


EXPECTED_ARITH = [2.0, 1.0, 1.0, 2.0]  # format + accuracy of GOOD, WRONG, NO_FORMAT, GOOD


def naive_manager(torch: Any, fn: Any, data: dict, tok: ToyTokenizer, dapo: bool = False, max_resp_len: int = 0) -> tuple:
    """NaiveRewardManager / DAPORewardManager.__call__(return_dict=True)."""
    reward_tensor = torch.zeros_like(data["responses"], dtype=torch.float32)
    extra: dict = defaultdict(list)
    P = data["prompts"].shape[-1]
    for i in range(len(data["prompts"])):
        valid = int(data["attention_mask"][i][P:].sum())
        response_str = tok.decode(data["responses"][i][:valid], skip_special_tokens=True)
        if dapo and response_str.endswith(tok.eos_token):
            response_str = response_str[: -len(tok.eos_token)]
        result = fn(data_source=data["data_source"][i], solution_str=response_str,
                    ground_truth=data["reward_model"][i]["ground_truth"], extra_info=data["extra_info"][i])
        if isinstance(result, dict):
            reward = result["score"]
            for key, value in result.items():
                extra[key].append(value)
        else:
            reward = result
            extra["acc"].append(result)
        if dapo:  # overlong_buffer.enable with log=True
            buffer_len, factor = 4, 1.0
            exceed = valid - (max_resp_len - buffer_len)
            overlong_reward = min(-exceed / buffer_len * factor, 0)
            reward += overlong_reward
            extra["overlong_reward"].append(overlong_reward)
            extra["overlong"].append(overlong_reward < 0)
        reward_tensor[i, valid - 1] = reward
    return reward_tensor, extra


def batch_manager(torch: Any, fn: Any, data: dict, tok: ToyTokenizer, **manager_kwargs: Any) -> tuple:
    """BatchRewardManager.__call__(return_dict=True)."""
    P = data["prompts"].shape[-1]
    lengths = data["attention_mask"][:, P:].sum(dim=-1)
    texts = [tok.decode(data["responses"][i][:lengths[i]], skip_special_tokens=True) for i in range(len(lengths))]
    scores = fn(data_sources=data["data_source"], solution_strs=texts,
                ground_truths=[rm.get("ground_truth", None) for rm in data["reward_model"]], extra_infos=data["extra_info"], **manager_kwargs)
    reward_tensor = torch.zeros_like(data["responses"], dtype=torch.float32)
    extra: dict = defaultdict(list)
    rewards = []
    for i in range(len(texts)):
        score = scores[i]
        reward = score["score"] if isinstance(score, dict) else score
        if isinstance(score, dict):
            for key, value in score.items():
                extra[key].append(value)
        rewards.append(reward)
        reward_tensor[i, int(lengths[i]) - 1] = reward
    acc = torch.tensor(rewards, dtype=torch.float32)
    return reward_tensor, extra, acc


def _prime_one(fn: Any, task: Any, completion: str, reference: Any, extra: Any) -> Any:
    return fn(task, completion, reference, extra)


def prime_scores(fn: Any, completions: list, references: list, tasks: list, extra_info: list, mp_context: Any = None) -> list:
    """PrimeRewardManager.verify: positional calls in a process pool; float(result) or float(result[0]); any
    failure makes the whole batch 0 (which is what this test must never see for a right answer)."""
    try:
        with ProcessPoolExecutor(max_workers=4, mp_context=mp_context) as pool:
            futures = [pool.submit(partial(fn, t, c, r, e)) for c, r, t, e in zip(completions, references, tasks, extra_info)]
            results = [f.result(timeout=120) for f in futures]
        out = []
        for result in results:
            if result is None:
                out.append(0.0)
            elif isinstance(result, (int, float, bool)):
                out.append(float(result))
            else:
                out.append(float(result[0]))
        return out
    except Exception as err:  # the manager's own handler: every score 0
        print(f"[Error] Unexpected error during scoring. Setting all as 0. {err!r}")
        return [0.0] * len(completions)


def validate(torch: Any, fn: Any, batches: list, tok: ToyTokenizer, manager: str) -> dict:
    """RayPPOTrainer._validate over several validation batches, then the per-data-source means."""
    import numpy as np
    infos: dict = defaultdict(list)
    sample_scores: list = []
    sources: list = []
    for data in batches:
        if manager == "batch":
            reward_tensor, extra, _ = batch_manager(torch, fn, data, tok)
        else:
            reward_tensor, extra = naive_manager(torch, fn, data, tok)
        scores = reward_tensor.sum(-1).cpu().tolist()
        sample_scores.extend(scores)
        infos["reward"].extend(scores)
        for key, values in extra.items():
            if key not in infos:
                infos[key] = []
            if isinstance(values, np.ndarray):
                infos[key].extend(values.tolist())
            else:
                infos[key].extend(values if isinstance(values, list) else [values])
        sources.append(data["data_source"])
    for key, lst in infos.items():
        assert len(lst) == 0 or len(lst) == len(sample_scores), f"{key}: {len(lst)=}, {len(sample_scores)=}"
    data_sources = np.concatenate(sources, axis=0)
    metrics = {}
    for src in sorted(set(data_sources.tolist())):
        idx = [i for i, s in enumerate(data_sources) if s == src]
        for key, lst in infos.items():
            metrics[f"val/{src}/{key}/mean"] = float(np.mean([lst[i] for i in idx]))
    return metrics


class VerlManagers(unittest.TestCase):
    def setUp(self) -> None:
        self.url = need_url()
        self.torch = need_torch()
        self.tok = ToyTokenizer()

    def grpo(self, reward_tensor: Any, uids: Any) -> Any:
        """GRPO outcome advantage: per uid (score - mean) / (std + eps) on reward_tensor.sum(-1)."""
        torch = self.torch
        scores = reward_tensor.sum(dim=-1)
        groups: dict = defaultdict(list)
        for i, u in enumerate(uids):
            groups[u].append(scores[i])
        out = scores.clone()
        for i, u in enumerate(uids):
            g = torch.stack(groups[u])
            out[i] = (scores[i] - torch.mean(g)) / (torch.std(g) + 1e-6)
        self.assertTrue(torch.isfinite(out).all())
        return out

    def check_extra(self, extra: dict, n: int) -> None:
        import numpy as np
        self.assertNotIn("reward", extra)  # _validate owns that key
        for key, values in extra.items():
            self.assertEqual(len(values), n, key)
            arr = np.array(values)
            self.assertEqual(arr.shape, (n,), key)
            self.assertIn(arr.dtype.kind, "fb", f"{key}: {arr.dtype}")

    def test_naive_manager_with_dictconfig_kwargs(self) -> None:
        fn = load_like_verl("compute_score", omega_kwargs(self.url, rewards={"format": {"mode": "strict"}, "reasoning_steps": {"weight": 0}}))
        data = make_batch(self.torch, samples_for(), self.tok)
        reward_tensor, extra = naive_manager(self.torch, fn, data, self.tok)
        self.assertEqual(reward_tensor.sum(-1).tolist(), EXPECTED_ARITH + [2.0] * 4)
        self.check_extra(extra, 8)
        self.assertIn("reasoning_steps", extra)
        self.assertTrue(all(type(v) is float for vs in extra.values() for v in vs))
        self.grpo(reward_tensor, data["uid"])

    def test_batch_manager(self) -> None:
        fn = load_like_verl("compute_score_batch", omega_kwargs(self.url))
        data = make_batch(self.torch, samples_for(4), self.tok)
        reward_tensor, extra, acc = batch_manager(self.torch, fn, data, self.tok)
        self.assertEqual(acc.tolist(), (EXPECTED_ARITH + [2.0] * 4) * 2)
        self.check_extra(extra, 16)
        self.grpo(reward_tensor, data["uid"])

    def test_dapo_manager_with_overlong_buffer_and_the_services_overlong_component(self) -> None:
        fn = load_like_verl("compute_score", omega_kwargs(self.url, rewards={"overlong": {"max_length": 4096, "buffer": 512}}))
        data = make_batch(self.torch, samples_for(), self.tok)
        reward_tensor, extra = naive_manager(self.torch, fn, data, self.tok, dapo=True, max_resp_len=60)
        self.check_extra(extra, 8)
        self.assertIn("rv_overlong", extra)  # the service's overlong component, kept apart from DAPO's own key
        self.assertEqual(extra["score"], EXPECTED_ARITH + [2.0] * 4)
        self.grpo(reward_tensor, data["uid"])

    def test_prime_manager_reads_the_score_in_a_process_pool(self) -> None:
        fn = load_like_verl("compute_score", omega_kwargs(self.url))
        s = samples_for()
        scores = prime_scores(fn, [x["response"] for x in s], [x["gt"] for x in s], [x["data_source"] for x in s], [{"i": i} for i in range(len(s))])
        self.assertEqual(scores, EXPECTED_ARITH + [2.0] * 4)
        import multiprocessing
        spawned = prime_scores(fn, [GOOD], [843], ["arith"], [None], mp_context=multiprocessing.get_context("spawn"))
        self.assertEqual(spawned, [2.0])

    def test_validate_loop_before_training(self) -> None:
        for name, manager in (("compute_score", "naive"), ("compute_score_batch", "batch")):
            fn = load_like_verl(name, omega_kwargs(self.url))
            batches = [make_batch(self.torch, samples_for(), self.tok), make_batch(self.torch, samples_for(), self.tok)]
            metrics = validate(self.torch, fn, batches, self.tok, manager)
            self.assertEqual(metrics["val/arith/reward/mean"], 1.5, manager)
            self.assertEqual(metrics["val/arith/score/mean"], 1.5, manager)
            self.assertEqual(metrics["val/mul/accuracy/mean"], 1.0, manager)

    def test_training_step_puts_reward_extra_info_in_the_batch(self) -> None:
        import numpy as np
        fn = load_like_verl("compute_score_batch", omega_kwargs(self.url))
        data = make_batch(self.torch, samples_for(), self.tok)
        _, extra, _ = batch_manager(self.torch, fn, data, self.tok)
        non_tensor = {k: np.array(v) for k, v in extra.items()}
        for k, arr in non_tensor.items():
            self.assertEqual(len(arr), 8, k)

    def test_pickled_function_runs_in_a_fresh_interpreter(self) -> None:
        """Ray and spawned pools unpickle in another process: the function must pickle by an importable name."""
        fn = load_like_verl("compute_score", omega_kwargs(self.url, rewards={"format": {"mode": "partial"}}))
        blob = pickle.dumps(fn)
        self.assertIn(b"trainer.adapters.verl", blob)
        code = ("import pickle, sys, json; fn = pickle.loads(sys.stdin.buffer.read()); "
                "r = fn('arith', %r, 843, None); print(json.dumps(dict(r)))" % GOOD)
        env = {**os.environ, "PYTHONPATH": ROOT}
        out = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True, env=env, cwd="/", timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        result = json.loads(out.stdout)
        self.assertEqual(result["score"], 2.0)

    def test_keys_and_types_do_not_vary_with_the_label(self) -> None:
        fn = load_like_verl("compute_score", omega_kwargs(self.url, fallback=-1))
        keys = set()
        for gt in (843, "843", None, "", "\\frac{", {"type": "none"}):
            r = fn(data_source="x", solution_str=GOOD, ground_truth=gt, extra_info=None)
            keys.add(tuple(r))
            self.assertTrue(all(type(v) is float for v in r.values()), r)
        self.assertEqual(len(keys), 1, keys)
        bad = fn(data_source="x", solution_str=GOOD, ground_truth="\\frac{", extra_info=None)
        self.assertEqual((bad["score"], bad["unscorable"], bad[0], float(bad)), (-1.0, 1.0, -1.0, -1.0))
        self.assertEqual(json.loads(json.dumps(bad)), dict(bad))  # plain JSON-able data


if __name__ == "__main__":
    unittest.main()
