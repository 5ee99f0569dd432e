"""The trainer's side of the pipeline, without torch: submit rollouts, lease the scored groups, ack them.

One training step of the worker is::

    rollout_id = exchange.submit(step, groups)            # POST /v1/rollouts, policy_version = step
    batch = exchange.collect({g["id"] for g in groups}, min_policy_version=step)   # lease until all came
    ... GRPO update on batch.groups ...
    exchange.ack(batch)                                   # POST /v1/trainer/ack for every lease taken

Leases are long enough for an update (``lease_ms``); a worker that dies before acking has its groups delivered
again after the lease runs out (the service guarantees it), and an acked group is never delivered twice.
Groups leased that this worker did not submit (another worker's, or a previous life's) are acked too but not
trained on: the worker holds their token ids only for its own submissions (``foreign`` counts them).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from .client import RewardClient, ServiceError


@dataclass
class LeasedBatch:
    """Groups collected for one step, and the leases that hold them."""

    groups: dict[str, dict] = field(default_factory=dict)
    leases: list[str] = field(default_factory=list)
    foreign: list[dict] = field(default_factory=list)
    dropped_stale: int = 0
    lease_calls: int = 0
    wait_s: float = 0.0


def group_skip_reason(group: dict) -> Optional[str]:
    """Why a scored group teaches nothing, or None when it is usable.

    A group is skipped when every reward is null (nothing could be scored) or when all non-null rewards are
    equal (zero spread: every advantage is 0, only the KL term would act). Single usable completions count as
    equal rewards.
    """
    rewards = [r.get("reward") for r in group.get("results", [])]
    scored = [r for r in rewards if r is not None]
    if not scored:
        return "all_null"
    if max(scored) - min(scored) == 0:
        return "all_equal"
    return None


class RolloutExchange:
    """Submit groups as rollouts and lease them back scored, for one training run (namespace ``run``)."""

    def __init__(self, client: RewardClient, run: str, lease_ms: int = 300_000, wait_ms: int = 2_000,
                 rewards: Optional[dict] = None, advantages: Optional[dict] = None, id_prefix: Optional[str] = None) -> None:
        self.client = client
        self.run = run
        self.lease_ms = lease_ms
        self.wait_ms = wait_ms
        self.rewards = rewards
        self.advantages = advantages
        self.id_prefix = id_prefix or run

    def rollout_id(self, step: int, part: Optional[int] = None) -> str:
        """The idempotency key of a step's rollout (or of its part ``part`` when a step is submitted in parts):
        resubmitting a step after a crash creates nothing new."""
        return f"{self.id_prefix}-step-{step}" + ("" if part is None else f"-c{part}")

    def submit(self, step: int, groups: list[dict], policy_version: Optional[int] = None, part: Optional[int] = None) -> str:
        """POST /v1/rollouts with the step's groups; policy_version defaults to the step."""
        return self.client.submit_rollouts(self.rollout_id(step, part), groups, run=self.run,
                                           policy_version=step if policy_version is None else policy_version,
                                           rewards=self.rewards, advantages=self.advantages)

    def collect(self, expected_ids: Iterable[str], min_policy_version: Optional[int] = None,
                timeout_s: float = 300.0) -> LeasedBatch:
        """Lease until every expected group id has come (or raise TimeoutError after ``timeout_s``)."""
        missing = set(expected_ids)
        batch = LeasedBatch()
        start = time.monotonic()
        while missing:
            if time.monotonic() - start > timeout_s:
                self.release(batch)
                raise TimeoutError(f"{len(missing)} groups not leasable after {timeout_s} s (run {self.run})")
            reply = self.client.lease(max_groups=len(missing), lease_ms=self.lease_ms, run=self.run,
                                      wait_ms=self.wait_ms, min_policy_version=min_policy_version)
            batch.lease_calls += 1
            batch.dropped_stale += int(reply.get("dropped_stale", 0))
            if reply.get("lease") is None:
                continue
            batch.leases.append(reply["lease"])
            for group in reply["groups"]:
                if group["id"] in missing:
                    missing.discard(group["id"])
                    batch.groups[group["id"]] = group
                else:
                    batch.foreign.append(group)
        batch.wait_s = time.monotonic() - start
        return batch

    def ack(self, batch: LeasedBatch) -> int:
        """Ack every lease of the batch; a lease that expired meanwhile (409) is counted as 0, not raised."""
        acked = 0
        for lease in batch.leases:
            try:
                acked += self.client.ack(lease)
            except ServiceError as err:
                if err.status != 409:
                    raise
        return acked

    def release(self, batch: LeasedBatch) -> int:
        """Nack every lease of the batch (give the groups back now, e.g. on shutdown before an update)."""
        released = 0
        for lease in batch.leases:
            try:
                released += self.client.nack(lease)
            except ServiceError as err:
                if err.status not in (404, 409):
                    raise
        return released


def summarize_groups(groups: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Mean reward and mean of each component's score over the scored completions of some groups."""
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    for group in groups:
        for result in group["results"]:
            if result.get("reward") is not None:
                totals["reward"] = totals.get("reward", 0.0) + result["reward"]
                counts["reward"] = counts.get("reward", 0) + 1
            for name, comp in result.get("components", {}).items():
                if comp.get("score") is not None:
                    totals[name] = totals.get(name, 0.0) + comp["score"]
                    counts[name] = counts.get(name, 0) + 1
    return {k: totals[k] / counts[k] for k in totals}
