"""Shared helpers of the adapters: text of a completion, reference of a label, a small batch cache."""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any, Optional


def completion_text(completion: Any) -> str:
    """Text of a completion: a string as is; a conversational completion (a list of ``{"role", "content"}``
    messages, as TRL passes) is the content of its assistant messages joined."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        parts = [m.get("content", "") for m in completion if isinstance(m, dict) and m.get("role", "assistant") == "assistant"]
        return "".join(p if isinstance(p, str) else "" for p in parts)
    if isinstance(completion, dict):
        return str(completion.get("content", ""))
    return str(completion)


def prompt_text(prompt: Any) -> Optional[str]:
    """Text of a prompt: a string as is; for a conversation, the last user message (None when there is none)."""
    if prompt is None or isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list):
        users = [m.get("content") for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        return users[-1] if users and isinstance(users[-1], str) else None
    return str(prompt)


def reference_of(label: Any) -> dict:
    """The service reference of a dataset label: a dict with a ``type`` is used as is (``code`` tests, ...);
    None or an empty string is ``{"type": "none"}``; anything else is a math answer (``str(label)``)."""
    if isinstance(label, dict) and isinstance(label.get("type"), str):
        return label
    if label is None or (isinstance(label, str) and label.strip() == ""):
        return {"type": "none"}
    return {"type": "math", "answer": str(label)}


class BatchCache:
    """The last few replies, keyed by a digest of the request body (reward functions of one batch share one)."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self.items: "OrderedDict[str, Any]" = OrderedDict()
        self.misses = 0
        self.hits = 0

    @staticmethod
    def key(body: Any) -> str:
        return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()

    def get_or_compute(self, body: Any, compute: Any) -> Any:
        k = self.key(body)
        if k in self.items:
            self.hits += 1
            self.items.move_to_end(k)
            return self.items[k]
        self.misses += 1
        value = compute()
        self.items[k] = value
        while len(self.items) > self.size:
            self.items.popitem(last=False)
        return value
