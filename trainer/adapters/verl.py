"""verl ``custom_reward_function`` backed by the reward service (standard library only).

Config keys (Hydra)::

    custom_reward_function.path=trainer/adapters/verl.py
    custom_reward_function.name=compute_score          # reward_model.reward_manager=naive | dapo | prime
    custom_reward_function.name=compute_score_batch    # reward_model.reward_manager=batch
    +custom_reward_function.reward_kwargs.url=http://HOST:8080

How verl calls it (0.8): the naive and DAPO managers call ``compute_score(data_source=, solution_str=,
ground_truth=, extra_info=)`` once per sample and read ``result["score"]``, appending every other key to
``reward_extra_info`` (one list per key, so every sample must carry the same keys); the batch manager calls
``compute_score_batch(data_sources=, solution_strs=, ground_truths=, extra_infos=)``; the PRIME manager calls
``compute_score(data_source, solution_str, ground_truth, extra_info)`` positionally in a process pool and reads a
number, or ``float(result[0])`` from anything else. ``custom_reward_function.reward_kwargs`` are merged into
every call (verl wraps the function in a ``functools.partial``, which the PRIME pool and Ray pickle).

What it returns: a :class:`VerlScore`, a plain ``dict`` of floats: ``score`` (the service's weighted reward;
``fallback``, default 0 or ``$REWARD_FALLBACK``, when it could not be scored), one key per enabled component
(``format``, ``accuracy``, ...; 0.0 when not computed), and ``unscorable`` (0.0 / 1.0). It has no ``reward`` key:
verl's ``_validate`` keeps its own ``reward`` list and would see two values per sample. A component whose name
verl's managers use themselves (``overlong`` under DAPO's overlong buffer) is logged as ``rv_<name>``. For
PRIME, ``result[0]`` and ``float(result)`` are the score.

Keyword arguments (from ``reward_kwargs``): ``url`` (default ``$REWARD_URL``), ``rewards`` (the /v1/score reward
options, a dict or an OmegaConf ``DictConfig``), ``fallback``, ``token``, ``max_groups``.

Pickling: the functions live in the importable module ``trainer.adapters.verl``. verl loads the file by path
under a throwaway module name; this file then imports the package module (adding the repository root to
``sys.path``) and hands out its functions, so a pickled function names ``trainer.adapters.verl`` and a process
that unpickles it needs the repository root on its ``PYTHONPATH`` (Ray: ``runtime_env`` ``working_dir`` or
``PYTHONPATH``; a forked pool inherits it).
"""
from __future__ import annotations

import os
import sys
from typing import Any, Optional

_PACKAGE_NAME = "trainer.adapters.verl"

if __name__ != _PACKAGE_NAME:
    # Loaded by file path (verl's load_extern_object, importlib spec_from_file_location): serve the functions of
    # the package module, which pickle by reference.
    _root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _root not in sys.path:
        sys.path.insert(0, _root)
    import importlib

    _package = importlib.import_module(_PACKAGE_NAME)
    __all__ = list(_package.__all__)
    globals().update({name: getattr(_package, name) for name in __all__})
else:
    from ..client import RewardClient
    from .common import plain, reference_of

    __all__ = ["compute_score", "compute_score_batch", "VerlScore", "RESERVED_KEYS"]

    #: Keys verl's own code puts in reward_extra_info (or _validate's dict): never reused for a component.
    RESERVED_KEYS = frozenset({"score", "reward", "acc", "overlong", "overlong_reward", "unscorable", "num_turns"})

    _clients: dict = {}

    class VerlScore(dict):
        """The result dict; ``[0]`` and ``float()`` give the score (PRIME's manager reads ``float(result[0])``)."""

        def __getitem__(self, key: Any) -> Any:
            if key == 0 and not dict.__contains__(self, 0):
                return dict.__getitem__(self, "score")
            return dict.__getitem__(self, key)

        def __float__(self) -> float:
            return float(dict.__getitem__(self, "score"))

    def _client(url: Optional[str], token: Optional[str]) -> RewardClient:
        url = url or os.environ.get("REWARD_URL", "http://127.0.0.1:8080")
        key = (url, token, os.getpid())
        if key not in _clients:
            _clients[key] = RewardClient(url, timeout=300.0, token=token)
        return _clients[key]

    def _names(rewards: Optional[dict]) -> list:
        """Components every sample's dict carries (verl appends one value per key per sample, so keys never vary):
        format and accuracy (the service's defaults) unless switched off, plus the others ``rewards`` names."""
        rewards = rewards or {}
        names = ["format", "accuracy"] + [n for n in rewards if n not in ("format", "accuracy")]
        return [n for n in names if not (isinstance(rewards.get(n), dict) and rewards[n].get("enabled") is False)]

    def _key(name: str) -> str:
        return f"rv_{name}" if name in RESERVED_KEYS else name

    def _to_result(result: dict, fallback: float, names: list) -> VerlScore:
        reward = result.get("reward")
        ok = isinstance(reward, (int, float)) and reward == reward and abs(reward) != float("inf")
        out = VerlScore(score=float(reward) if ok else fallback)
        comps = result.get("components", {})
        for name in names:  # a component not computed (accuracy without a reference) or null logs 0.0
            score = comps.get(name, {}).get("score")
            out[_key(name)] = float(score) if score is not None else 0.0
        out["unscorable"] = 0.0 if ok else 1.0
        return out

    def compute_score_batch(data_sources: Any = None, solution_strs: Any = (), ground_truths: Any = (), extra_infos: Any = None,
                            url: Optional[str] = None, rewards: Any = None, fallback: Optional[float] = None,
                            token: Optional[str] = None, max_groups: int = 4096, **_: Any) -> list:
        """Score a batch with one POST /v1/score (chunks of ``max_groups``); one :class:`VerlScore` per sample, in order."""
        rewards = plain(rewards)
        fb = float(os.environ.get("REWARD_FALLBACK", "0")) if fallback is None else float(fallback)
        texts = [str(s) for s in solution_strs]
        truths = list(ground_truths) if ground_truths is not None else [None] * len(texts)
        if len(truths) != len(texts):
            raise ValueError(f"{len(truths)} ground truths for {len(texts)} solutions")
        groups = [{"id": str(i), "reference": reference_of(plain(gt)), "completions": [s]} for i, (s, gt) in enumerate(zip(texts, truths))]
        client = _client(url, token)
        names = _names(rewards)
        out: list = []
        for start in range(0, len(groups), int(max_groups)):
            reply = client.score(groups[start:start + int(max_groups)], rewards=rewards)
            out += [_to_result(g["results"][0], fb, names) for g in reply["groups"]]
        return out

    def compute_score(data_source: Any = None, solution_str: str = "", ground_truth: Any = None, extra_info: Any = None,
                      **kwargs: Any) -> VerlScore:
        """Score one sample (one HTTP call); see the module doc for the dict returned."""
        return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], **kwargs)[0]
