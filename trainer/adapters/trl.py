"""TRL ``GRPOTrainer`` reward functions backed by the reward service.

TRL calls each reward function with keyword arguments, once per batch and in the order given::

    reward_func(prompts=[...], completions=[...], completion_ids=[...], trainer_state=..., **dataset_columns)
        -> list[float | None]

and logs each one as ``rewards/<func.__name__>/mean`` (None is "could not score": TRL makes it NaN and leaves it
out, it is never a fake 0). TRL's experimental async trainer (``trl.experimental.async_grpo``) pickles the
functions into a spawned rollout process and calls them concurrently in threads: they are instances of
:class:`RewardFunc` (picklable, sharing one scorer after unpickling), and the shared cache is locked. :func:`make_reward_funcs` returns one function per service component (``rv_format``,
``rv_accuracy``, ...); the first one called for a batch POSTs /v1/score once, the others read the same reply
from a shared cache, so a batch costs one HTTP call whatever the number of components. TRL's ``reward_weights``
weigh them (the service's own weights do not apply to the per-component scores).

Usage::

    from trainer.adapters.trl import make_reward_funcs
    trainer = GRPOTrainer(model=..., reward_funcs=make_reward_funcs("http://127.0.0.1:8080", answer_key="solution"),
                          args=GRPOConfig(reward_weights=[1.0, 1.0]), train_dataset=...)

The reference of each completion comes from the dataset column ``answer_key`` (first one present of
``answer``, ``solution``, ``ground_truth``, ``reference`` by default): a string is a math answer, a dict with a
``type`` is used as is (e.g. code tests), None means no reference (accuracy is not computed: None).

``completion_ids`` (TRL passes the token ids of each completion) give the token counts of the length-based
rewards (``length``, ``overlong``, ``cosine``); without them the service estimates tokens from the text. A
conversational completion parsed by a response schema keeps its thinking in ``reasoning_content``: it is put back
as ``<think>…</think>`` before the content, so format and answer extraction see what the model wrote.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence, Union

from ..client import RewardClient
from .common import BatchCache, completion_text, plain, prompt_text, reference_of

DEFAULT_ANSWER_KEYS = ("answer", "solution", "ground_truth", "reference")


class SharedScorer:
    """Scores a batch once through POST /v1/score and serves every component's column of the reply."""

    def __init__(self, client: RewardClient, components: Sequence[str], answer_key: Union[str, Sequence[str]] = DEFAULT_ANSWER_KEYS,
                 rewards: Optional[dict] = None, max_groups: int = 4096) -> None:
        self.client = client
        self.components = list(components)
        self.answer_keys = [answer_key] if isinstance(answer_key, str) else list(answer_key)
        opts = {name: {} for name in self.components if name != "total"}
        for name, value in (plain(rewards) or {}).items():
            opts[name] = value
        self.rewards = opts
        fmt = opts.get("format") or {}
        self.think_tag = (fmt.get("tags") or {}).get("think", "think")
        self.think_prefilled = bool(fmt.get("think_prefilled", False))
        self.max_groups = max_groups
        self.cache = BatchCache()
        self.calls = 0

    def _labels(self, n: int, kwargs: dict) -> list[Any]:
        for key in self.answer_keys:
            if key in kwargs and kwargs[key] is not None:
                values = list(kwargs[key])
                if len(values) != n:
                    raise ValueError(f"dataset column {key!r} has {len(values)} values for {n} completions")
                return values
        return [None] * n

    def results(self, prompts: Optional[Iterable[Any]], completions: Iterable[Any], kwargs: dict,
                completion_ids: Optional[Sequence[Any]] = None) -> list[dict]:
        """The service's per-completion results for this batch (one HTTP call per distinct batch)."""
        texts = [completion_text(c, self.think_tag, self.think_prefilled) for c in completions]
        n = len(texts)
        if completion_ids is not None and len(completion_ids) != n:
            raise ValueError(f"completion_ids has {len(completion_ids)} entries for {n} completions")
        plist = list(prompts) if prompts is not None else [None] * n
        labels = self._labels(n, kwargs)
        groups = []
        for i in range(n):
            g: dict = {"id": str(i), "reference": reference_of(labels[i]), "completions": [texts[i]]}
            if completion_ids is not None:
                g["length_tokens"] = [len(completion_ids[i])]  # the trainer's own token count
            p = prompt_text(plist[i]) if i < len(plist) else None
            if p is not None:
                g["prompt"] = p
            groups.append(g)
        body = {"groups": groups, "rewards": self.rewards}

        def compute() -> list[dict]:
            out: list[dict] = []
            for start in range(0, n, self.max_groups):
                self.calls += 1
                reply = self.client.score(groups[start:start + self.max_groups], rewards=self.rewards)
                out += [g["results"][0] for g in reply["groups"]]
            return out
        return self.cache.get_or_compute(body, compute)

    def column(self, name: str, prompts: Optional[Iterable[Any]], completions: Iterable[Any], kwargs: dict,
               completion_ids: Optional[Sequence[Any]] = None) -> list[Optional[float]]:
        """One component's score per completion (``total`` is the service's weighted reward), a float; None = not scored."""
        rows = self.results(prompts, completions, kwargs, completion_ids)
        values = [r.get("reward") if name == "total" else r.get("components", {}).get(name, {}).get("score") for r in rows]
        return [float(v) if v is not None else None for v in values]


class RewardFunc:
    """One component's TRL reward function: a picklable callable named ``rv_<component>`` (TRL reads ``__name__``)."""

    def __init__(self, shared: SharedScorer, component: str) -> None:
        self.shared = shared
        self.component = component
        self.__name__ = f"rv_{component}"
        self.__qualname__ = self.__name__

    def __call__(self, prompts: Optional[list] = None, completions: Optional[list] = None,
                 completion_ids: Optional[list] = None, **kwargs: Any) -> list[Optional[float]]:
        if completions is None:
            raise TypeError("TRL passes completions=...")
        return self.shared.column(self.component, prompts, completions, kwargs, completion_ids)

    def __repr__(self) -> str:
        return f"<reward function {self.__name__}>"


def make_reward_funcs(url: Optional[str] = None, components: Sequence[str] = ("format", "accuracy"),
                      answer_key: Union[str, Sequence[str]] = DEFAULT_ANSWER_KEYS, rewards: Optional[dict] = None,
                      token: Optional[str] = None, client: Optional[RewardClient] = None, timeout: float = 300.0) -> list[RewardFunc]:
    """One TRL reward function per component (named ``rv_<component>``), sharing one HTTP call per batch.

    ``components`` are service component names (format, accuracy, language, reasoning_steps, repetition, cosine,
    overlong, length) or ``total``; ``rewards`` are /v1/score reward options (e.g. ``{"format": {"mode": "partial"}}``).
    """
    if client is None:
        if url is None:
            import os
            url = os.environ.get("REWARD_URL", "http://127.0.0.1:8080")
        client = RewardClient(url, timeout=timeout, token=token)
    shared = SharedScorer(client, components, answer_key, rewards)
    return [RewardFunc(shared, name) for name in components]
