"""verl ``compute_score`` backed by the reward service.

verl's custom reward function (``custom_reward_function.path=trainer/adapters/verl.py``,
``custom_reward_function.name=compute_score``) is called by the NaiveRewardManager once per sample::

    compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...) -> float | dict

and by the BatchRewardManager (``name=compute_score_batch``) once per batch with ``data_sources``,
``solution_strs``, ``ground_truths``, ``extra_infos``. Both return dicts: ``score`` (and ``reward``, the key older
verl releases read) is the service's weighted reward, never None (verl needs a number: an unscorable item gets
``fallback``, default 0 or ``$REWARD_FALLBACK``, and ``unscorable`` = 1); every component's score is a further
key, logged by verl as reward_extra_info. Keyword arguments from ``custom_reward_function.reward_kwargs`` reach
these functions: ``url`` (default ``$REWARD_URL``), ``rewards`` (/v1/score reward options), ``fallback``, ``token``.

``ground_truth`` is a math answer, or a dict with a ``type`` (e.g. code tests) used as the reference as is.
Prefer ``compute_score_batch``: one HTTP call per batch instead of one per sample.
"""
from __future__ import annotations

import os
from typing import Any, Optional

try:
    from ..client import RewardClient
    from .common import reference_of
except ImportError:  # loaded by file path, as verl's custom_reward_function.path does: no parent package
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    from trainer.client import RewardClient
    from trainer.adapters.common import reference_of

_clients: dict[tuple, RewardClient] = {}


def _client(url: Optional[str], token: Optional[str]) -> RewardClient:
    url = url or os.environ.get("REWARD_URL", "http://127.0.0.1:8080")
    key = (url, token)
    if key not in _clients:
        _clients[key] = RewardClient(url, timeout=300.0, token=token)
    return _clients[key]


def _names(rewards: Optional[dict]) -> list[str]:
    """Components every sample's dict carries (verl appends one value per key per sample, so keys must not vary):
    format and accuracy (the service's defaults) unless switched off, plus those named in ``rewards``."""
    names = ["format", "accuracy"]
    for name, opts in (rewards or {}).items():
        if name not in names:
            names.append(name)
    return [n for n in names if not (isinstance((rewards or {}).get(n), dict) and (rewards or {})[n].get("enabled") is False)]


def _to_dict(result: dict, fallback: float, names: list[str]) -> dict:
    reward = result.get("reward")
    out: dict[str, Any] = {"score": float(reward) if reward is not None else fallback}
    out["reward"] = out["score"]
    out["unscorable"] = 0 if reward is not None else 1
    comps = result.get("components", {})
    for name in names:  # a component not computed (e.g. accuracy without a reference) or null logs 0.0
        score = comps.get(name, {}).get("score")
        out[name] = float(score) if score is not None else 0.0
    return out


def compute_score_batch(data_sources: Any, solution_strs: list, ground_truths: list, extra_infos: Optional[list] = None,
                        url: Optional[str] = None, rewards: Optional[dict] = None, fallback: Optional[float] = None,
                        token: Optional[str] = None, max_groups: int = 4096, **_: Any) -> list[dict]:
    """Score a batch with one POST /v1/score (chunks of ``max_groups``); one dict per sample, in order."""
    fb = float(os.environ.get("REWARD_FALLBACK", "0")) if fallback is None else float(fallback)
    groups = [{"id": str(i), "reference": reference_of(gt), "completions": [str(s)]} for i, (s, gt) in enumerate(zip(solution_strs, ground_truths))]
    client = _client(url, token)
    out: list[dict] = []
    for start in range(0, len(groups), max_groups):
        reply = client.score(groups[start:start + max_groups], rewards=rewards)
        out += [_to_dict(g["results"][0], fb, _names(rewards)) for g in reply["groups"]]
    return out


def compute_score(data_source: Any = None, solution_str: str = "", ground_truth: Any = None, extra_info: Any = None,
                  **kwargs: Any) -> dict:
    """Score one sample (one HTTP call); see the module doc for the dict returned."""
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], **kwargs)[0]
