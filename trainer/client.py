"""A standard-library HTTP client for the reward service (urllib only: no requests, no Redis client).

Every call posts JSON and returns the decoded JSON reply. A non-2xx reply raises :class:`ServiceError`
with the HTTP status and the service's error ``code`` (e.g. ``RWD_ERR_LEASE_EXPIRED``), so callers can tell a
lease that ran out (409) from a queue that is full (429, with ``retry_after``) or a missing Redis (503).
"""
from __future__ import annotations

import gzip
import json
import sys
import threading
import time
import urllib.error
import os
import urllib.request
from typing import Any, Optional


def loads(raw: bytes | str) -> Any:
    """json.loads that also parses JSON nested deeper than Python's recursion limit.

    The service bounds a group's metadata depth (METADATA_MAX_DEPTH) at submission, but a reply nested past
    the interpreter's limit must never make every lease raise RecursionError and stall the run: such a
    reply is parsed again in a thread with a large stack and a raised recursion limit.
    """
    try:
        return json.loads(raw)
    except RecursionError:
        pass
    out: dict[str, Any] = {}

    def work() -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 1_000_000))
        try:
            out["value"] = json.loads(raw)
        except BaseException as err:  # noqa: BLE001 - handed to the caller below
            out["error"] = err
        finally:
            sys.setrecursionlimit(old)

    previous = threading.stack_size(512 << 20)
    try:
        t = threading.Thread(target=work, name="deep-json")
        t.start()
    finally:
        threading.stack_size(previous)
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


class ServiceError(Exception):
    """A non-2xx reply from the service."""

    def __init__(self, status: int, code: Optional[str], message: str, retry_after: Optional[float] = None,
                 body: bytes = b"") -> None:
        super().__init__(f"HTTP {status} {code or ''}: {message}".strip())
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.body = body  # the reply as sent (e.g. /readyz's checks)


class RewardClient:
    """Client of one reward-verifier service.

    :param base_url: e.g. ``http://127.0.0.1:8080`` (no trailing slash needed).
    :param timeout: socket timeout of one request, seconds (long-polls add their wait to it).
    :param token: optional bearer token (sent as ``Authorization: Bearer ...``).
    :param gzip_min_bytes: request bodies at least this large are sent gzip-compressed.
    """

    def __init__(self, base_url: str, timeout: float = 120.0, token: Optional[str] = None,
                 gzip_min_bytes: int = 1 << 20) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # an API key with the scopes this client needs (trainer:<run>, rollouts:<run>); default REWARD_VERIFIER_KEY
        self.token = token if token is not None else (os.environ.get("REWARD_VERIFIER_KEY") or None)
        self.gzip_min_bytes = gzip_min_bytes

    # -- transport -------------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, extra_timeout: float = 0.0) -> Any:
        """Send one request; return the decoded JSON reply (None for an empty body)."""
        data: Optional[bytes] = None
        headers = {"accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers["content-type"] = "application/json"
            if len(data) >= self.gzip_min_bytes:
                data = gzip.compress(data, compresslevel=1)
                headers["content-encoding"] = "gzip"
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout + extra_timeout) as res:
                raw = res.read()
        except urllib.error.HTTPError as err:
            raw = err.read()
            code, message = None, raw.decode("utf-8", "replace")[:500]
            try:
                parsed = json.loads(raw)
                code, message = parsed.get("code"), parsed.get("message", message)
            except (ValueError, AttributeError):
                pass
            retry = err.headers.get("retry-after") if err.headers is not None else None
            raise ServiceError(err.code, code, message, float(retry) if retry else None, body=raw) from None
        return loads(raw) if raw else None

    def wait_ready(self, timeout: float = 60.0, interval: float = 0.5, needs: Optional[tuple[str, ...]] = None) -> dict:
        """Poll GET /readyz until it answers 200 (ready) or ``timeout`` seconds pass. With ``needs`` (names of
        /readyz checks, e.g. ``("math",)``), a 503 whose listed checks are all ``ok`` is enough: a run that scores
        only math needs no code sandboxes, which fail readiness on a machine without bubblewrap."""
        deadline = time.monotonic() + timeout
        last: Exception | str | None = None
        while time.monotonic() < deadline:
            try:
                return self.request("GET", "/readyz")
            except ServiceError as err:
                last = err
                if needs and err.status == 503:
                    try:
                        checks = json.loads(err.body).get("checks", {})
                    except (ValueError, AttributeError):
                        checks = {}
                    if all(checks.get(k) == "ok" for k in needs):
                        return {"status": "ready_for", "needs": list(needs), "checks": checks}
            except OSError as err:  # URLError is an OSError
                last = err
            time.sleep(interval)
        raise TimeoutError(f"service at {self.base_url} not ready after {timeout} s: {last}")

    # -- scoring ---------------------------------------------------------------------------------------
    def score(self, groups: list[dict], rewards: Optional[dict] = None, advantages: Optional[dict] = None) -> dict:
        """POST /v1/score: synchronous scoring of groups (results, components, advantages, stats)."""
        body: dict[str, Any] = {"groups": groups}
        if rewards is not None:
            body["rewards"] = rewards
        if advantages is not None:
            body["advantages"] = advantages
        return self.request("POST", "/v1/score", body)

    def get_reward(self, query: list[str], prompts: Optional[list[str]] = None, labels: Optional[list[str]] = None) -> dict:
        """POST /get_reward: OpenRLHF's remote reward protocol ({query, prompts, labels} -> {rewards, ...})."""
        body: dict[str, Any] = {"query": query}
        if prompts is not None:
            body["prompts"] = prompts
        if labels is not None:
            body["labels"] = labels
        return self.request("POST", "/get_reward", body)

    # -- the pipeline ----------------------------------------------------------------------------------
    def submit_rollouts(self, rollout_id: str, groups: list[dict], run: str = "default",
                        policy_version: Optional[int] = None, rewards: Optional[dict] = None,
                        advantages: Optional[dict] = None, max_wait_s: float = 120.0) -> str:
        """POST /v1/rollouts (202 {id}); on 429 (queue full) waits Retry-After and tries again."""
        body: dict[str, Any] = {"id": rollout_id, "run": run, "groups": groups}
        if policy_version is not None:
            body["policy_version"] = policy_version
        if rewards is not None:
            body["rewards"] = rewards
        if advantages is not None:
            body["advantages"] = advantages
        deadline = time.monotonic() + max_wait_s
        while True:
            try:
                return self.request("POST", "/v1/rollouts", body)["id"]
            except ServiceError as err:
                if err.status != 429 or time.monotonic() > deadline:
                    raise
                time.sleep(err.retry_after or 1.0)

    def rollout(self, rollout_id: str, wait_ms: int = 0) -> dict:
        """GET /v1/rollouts/:id (?wait=ms long-polls until completed or failed)."""
        from urllib.parse import quote
        suffix = f"?wait={int(wait_ms)}" if wait_ms > 0 else ""
        return self.request("GET", f"/v1/rollouts/{quote(rollout_id, safe='')}{suffix}", extra_timeout=wait_ms / 1000)

    def lease(self, max_groups: int, lease_ms: int, run: str = "default", wait_ms: int = 0,
              min_policy_version: Optional[int] = None) -> dict:
        """POST /v1/trainer/lease -> {lease, expires_at, groups, dropped_stale}; lease is None when none came."""
        body: dict[str, Any] = {"run": run, "max_groups": max_groups, "lease_ms": lease_ms, "wait_ms": wait_ms}
        if min_policy_version is not None:
            body["min_policy_version"] = min_policy_version
        return self.request("POST", "/v1/trainer/lease", body, extra_timeout=wait_ms / 1000)

    def ack(self, lease: str) -> int:
        """POST /v1/trainer/ack -> number of groups acked; raises ServiceError 409 when the lease expired."""
        return int(self.request("POST", "/v1/trainer/ack", {"lease": lease})["acked"])

    def extend(self, lease: str, lease_ms: int) -> int:
        """POST /v1/trainer/extend -> the new expiry (ms since the epoch)."""
        return int(self.request("POST", "/v1/trainer/extend", {"lease": lease, "lease_ms": lease_ms})["expires_at"])

    def nack(self, lease: str) -> int:
        """POST /v1/trainer/nack -> number of groups given back."""
        return int(self.request("POST", "/v1/trainer/nack", {"lease": lease})["released"])
