"""Shared helpers of the adapters: text of a completion, reference of a label, plain options, a small batch cache."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Optional

#: Message keys that hold the thinking once a response schema has parsed it out of the text (transformers'
#: ``parse_response``, TRL with a response schema): ``reasoning_content`` in most schemas, ``thinking`` or
#: ``reasoning`` in some.
REASONING_KEYS = ("reasoning_content", "thinking", "reasoning")


def message_text(message: Any, think_tag: str = "think", think_prefilled: bool = False) -> str:
    """Text of one assistant message: its ``content``, preceded by its parsed-out thinking put back in the
    think tags (``<think>R</think>content``; without the opening tag when the prompt pre-fills it)."""
    if not isinstance(message, Mapping):
        return "" if message is None else str(message)
    content = message.get("content")
    if isinstance(content, list):  # multimodal content parts: [{"type": "text", "text": ...}]
        content = "".join(p.get("text", "") for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str))
    text = content if isinstance(content, str) else ""
    for key in REASONING_KEYS:
        reasoning = message.get(key)
        if isinstance(reasoning, str) and reasoning.strip() != "":
            opening = "" if think_prefilled else f"<{think_tag}>"
            return f"{opening}{reasoning}</{think_tag}>{text}"
    return text


def completion_text(completion: Any, think_tag: str = "think", think_prefilled: bool = False) -> str:
    """Text of a completion: a string as is; a conversational completion (a list of ``{"role", "content"}``
    messages, as TRL passes) is its assistant messages joined, each with its ``reasoning_content`` put back."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, (list, tuple)):
        return "".join(message_text(m, think_tag, think_prefilled) for m in completion
                       if isinstance(m, Mapping) and m.get("role", "assistant") == "assistant")
    if isinstance(completion, Mapping):
        return message_text(completion, think_tag, think_prefilled)
    return str(completion)


def plain(value: Any) -> Any:
    """JSON-ready copy of an option or a label: mappings (OmegaConf ``DictConfig`` among them) become dicts,
    sequences (``ListConfig``, tuples, numpy arrays) lists, numpy scalars Python numbers."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping) or (hasattr(value, "keys") and hasattr(value, "__getitem__") and not hasattr(value, "tolist")):
        return {str(k): plain(value[k]) for k in value.keys()}
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return plain(value.tolist())
    if isinstance(value, (list, tuple)) or (hasattr(value, "__iter__") and hasattr(value, "__len__")):
        return [plain(v) for v in value]
    if hasattr(value, "item"):
        return plain(value.item())
    return value


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
    label = plain(label)
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
        self.lock = threading.Lock()  # reward functions of one batch may run in threads at once (TRL's async trainer)

    def __getstate__(self) -> dict:
        return {"size": self.size}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["size"])

    @staticmethod
    def key(body: Any) -> str:
        return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()

    def get_or_compute(self, body: Any, compute: Any) -> Any:
        k = self.key(body)
        with self.lock:  # one HTTP call per batch, even when the batch's functions are called concurrently
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
