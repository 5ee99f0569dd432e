"""Helpers of the call-site tests (test_callsite_*.py): the service URL, a JSON POST the way the trainers' HTTP
clients send it, float checks, and an importable counting client (the async TRL test pickles it).

The call-site tests replay how OpenRLHF, verl and TRL call the service and what their own code then does with
the result (the torch arithmetic included); they are written from reading those trainers, none of their code is
here. They need ``REWARD_URL`` (a running service) and Debian's ``python3-torch`` / ``python3-omegaconf``
(``npm run setup`` installs them); ``npm test`` runs them (test/integration/trainer-python.test.ts).
"""
from __future__ import annotations

import json
import os
import threading
import unittest
import urllib.request
from typing import Any

from trainer.client import RewardClient

URL = os.environ.get("REWARD_URL")
GOOD = "<think>7+6=13, 5+8+1=14, 4+3+1=8</think><answer>843</answer>"
WRONG = "<think>forgot the carry</think><answer>833</answer>"
NO_FORMAT = "The answer is \\boxed{843}."


def need_url() -> str:
    if not URL:
        raise unittest.SkipTest("REWARD_URL is not set")
    return URL


def need_torch() -> Any:
    """torch, or a test failure that says how to get it (npm run setup installs Debian's python3-torch)."""
    try:
        import torch
    except ImportError as err:  # never a silent skip: npm run setup installs it, so CI always has it
        raise AssertionError("torch is missing: run `npm run setup` (installs python3-torch)") from err
    return torch


def post_json(url: str, body: Any, timeout: float = 180.0) -> Any:
    """POST a JSON body with only a Content-Type header (what requests.post(json=) and aiohttp's
    session.post(json=) send), then parse the reply with json.loads, as response.json() does in both."""
    data = json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as res:
        return json.loads(res.read().decode("utf-8"))


def float_paths(value: Any, path: str = "") -> list:
    """Paths of the numbers in a parsed JSON value that are not Python floats (bools count as not floats)."""
    out: list = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += float_paths(v, f"{path}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += float_paths(v, f"{path}/{i}")
    elif isinstance(value, (int, bool)) or (value is not None and not isinstance(value, (str, float))):
        out.append(f"{path}={value!r} ({type(value).__name__})")
    return out


class CountingClient(RewardClient):
    """A RewardClient that counts its POSTs (thread-safe; picklable, so a spawned process can use it)."""

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        super().__init__(url, timeout=timeout)
        self.posts = 0
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def request(self, method: str, path: str, body: Any = None, extra_timeout: float = 0.0) -> Any:  # type: ignore[override]
        if method == "POST":
            with self._lock:
                self.posts += 1
        return super().request(method, path, body, extra_timeout)
