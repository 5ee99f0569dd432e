"""The stdlib HTTP client and the lease/ack loop against the real service (no torch, no GPU).

Needs ``REWARD_URL`` (e.g. http://127.0.0.1:8080); the pipeline tests also need the service's Redis (they are
skipped when the queue answers 503). ``npm test`` runs these through test/integration/trainer-python.test.ts.
"""
from __future__ import annotations

import json
import os
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from trainer.client import RewardClient, ServiceError, loads
from trainer.exchange import RolloutExchange, group_skip_reason, summarize_groups
from trainer.task import Problem, trace

URL = os.environ.get("REWARD_URL")


def client() -> RewardClient:
    if not URL:
        raise unittest.SkipTest("REWARD_URL is not set")
    return RewardClient(URL, timeout=30)


def groups_for(step: int, n: int = 3) -> list[dict]:
    """n groups of 2 completions each: one teacher-correct, one with a wrong answer (mixed rewards)."""
    out = []
    for i in range(n):
        p = Problem(100 + 37 * i, "+", 250 + 11 * i)
        good = trace(p)
        bad = good.replace(f"<answer>{p.answer}</answer>", f"<answer>{p.answer + 1}</answer>")
        out.append({"id": f"s{step}-p{i}", "prompt": p.prompt, "reference": p.reference(), "completions": [good, bad],
                    "metadata": {"step": step, "index": i}})
    return out


class Client(unittest.TestCase):
    def test_ready(self) -> None:
        self.assertIn("status", client().wait_ready(timeout=30))

    def test_ready_for_the_checks_a_run_needs(self) -> None:
        """A 503 /readyz whose math check is ok (no bubblewrap on a GPU machine) is enough for needs=("math",)."""
        checks = {"math": "ok", "sandboxes": "failed: bubblewrap not found at /usr/bin/bwrap"}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                body = json.dumps({"status": "not_ready", "checks": checks}).encode()
                self.send_response(503)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            c = RewardClient(f"http://127.0.0.1:{server.server_address[1]}", timeout=5)
            self.assertEqual(c.wait_ready(timeout=5, needs=("math",))["checks"], checks)
            with self.assertRaises(TimeoutError):
                c.wait_ready(timeout=1, interval=0.2)
            with self.assertRaises(TimeoutError):
                c.wait_ready(timeout=1, interval=0.2, needs=("math", "sandboxes"))
        finally:
            server.shutdown()
            server.server_close()

    def test_score_components_and_advantages(self) -> None:
        reply = client().score(groups_for(0, 1))
        g = reply["groups"][0]
        self.assertEqual([r["reward"] for r in g["results"]], [2, 1])
        self.assertEqual(g["results"][0]["components"]["format"]["score"], 1)
        self.assertEqual(g["results"][1]["components"]["accuracy"]["score"], 0)
        self.assertGreater(g["advantages"][0], 0)
        self.assertAlmostEqual(g["advantages"][0], -g["advantages"][1], places=9)
        self.assertIn("reward_version", reply)

    def test_error_carries_code(self) -> None:
        with self.assertRaises(ServiceError) as ctx:
            client().request("POST", "/v1/score", {"groups": []})
        self.assertEqual(ctx.exception.status, 400)
        self.assertTrue((ctx.exception.code or "").startswith("RWD_ERR_"))

    def test_skip_reasons(self) -> None:
        self.assertEqual(group_skip_reason({"results": [{"reward": None}, {"reward": None}]}), "all_null")
        self.assertEqual(group_skip_reason({"results": [{"reward": 1}, {"reward": 1}, {"reward": None}]}), "all_equal")
        self.assertIsNone(group_skip_reason({"results": [{"reward": 2}, {"reward": 1}]}))
        s = summarize_groups([{"results": [{"reward": 2, "components": {"format": {"score": 1}}}, {"reward": None, "components": {}}]}])
        self.assertEqual(s, {"reward": 2.0, "format": 1.0})


class LeaseLoop(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client()
        self.run = "ci-" + uuid.uuid4().hex[:12]
        try:
            self.client.lease(max_groups=1, lease_ms=1000, run=self.run)
        except ServiceError as err:
            if err.status == 503:
                self.skipTest(f"queue unavailable: {err.message}")
            raise

    def test_submit_collect_ack_once(self) -> None:
        ex = RolloutExchange(self.client, self.run, lease_ms=30_000, wait_ms=2_000)
        groups = groups_for(0)
        self.assertEqual(ex.submit(0, groups), ex.rollout_id(0))
        self.assertEqual(ex.submit(0, groups), ex.rollout_id(0))  # idempotent: same id, same body
        batch = ex.collect([g["id"] for g in groups], min_policy_version=0, timeout_s=60)
        self.assertEqual(sorted(batch.groups), sorted(g["id"] for g in groups))
        for g in groups:
            leased = batch.groups[g["id"]]
            self.assertEqual(leased["completions"], g["completions"])
            self.assertEqual(leased["metadata"], g["metadata"])
            self.assertEqual(leased["policy_version"], 0)
            self.assertEqual(len(leased["advantages"]), 2)
            self.assertIsNone(group_skip_reason(leased))
        self.assertEqual(ex.ack(batch), 3)
        again = self.client.lease(max_groups=10, lease_ms=1000, run=self.run, wait_ms=300)
        self.assertEqual(again["groups"], [])  # acked groups are never delivered again

    def test_conflicting_resubmission_is_409(self) -> None:
        ex = RolloutExchange(self.client, self.run)
        ex.submit(0, groups_for(0, 1))
        with self.assertRaises(ServiceError) as ctx:
            ex.submit(0, groups_for(0, 2))
        self.assertEqual(ctx.exception.status, 409)

    def test_unacked_lease_is_redelivered_and_expired_ack_is_tolerated(self) -> None:
        ex = RolloutExchange(self.client, self.run, lease_ms=1000, wait_ms=2_000)
        groups = groups_for(1, 2)
        ex.submit(1, groups)
        first = ex.collect([g["id"] for g in groups], timeout_s=60)  # a worker that "dies" here
        time.sleep(1.5)
        second = ex.collect([g["id"] for g in groups], timeout_s=60)
        self.assertEqual(sorted(second.groups), sorted(first.groups))
        self.assertEqual(ex.ack(first), 0)  # expired: 409 counted as 0, not raised
        self.assertEqual(ex.ack(second), 2)

    def test_nack_gives_back_now(self) -> None:
        ex = RolloutExchange(self.client, self.run, lease_ms=60_000)
        groups = groups_for(2, 2)
        ex.submit(2, groups)
        batch = ex.collect([g["id"] for g in groups], timeout_s=60)
        self.assertEqual(ex.release(batch), 2)
        again = ex.collect([g["id"] for g in groups], timeout_s=10)
        self.assertEqual(ex.ack(again), 2)

    def test_stale_groups_dropped(self) -> None:
        ex = RolloutExchange(self.client, self.run, wait_ms=1_000)
        ex.submit(3, groups_for(3, 1))
        fresh = groups_for(4, 1)
        fresh[0]["id"] = "fresh"
        ex.submit(4, fresh)
        batch = ex.collect(["fresh"], min_policy_version=4, timeout_s=60)
        self.assertEqual(list(batch.groups), ["fresh"])
        ex.ack(batch)
        deadline = time.monotonic() + 10
        dropped = batch.dropped_stale
        while dropped < 1 and time.monotonic() < deadline:  # the stale group may be published after the fresh one
            dropped += self.client.lease(max_groups=5, lease_ms=1000, run=self.run, wait_ms=500, min_policy_version=4)["dropped_stale"]
        self.assertEqual(dropped, 1)


if __name__ == "__main__":
    unittest.main()


class DeepJsonTest(unittest.TestCase):
    """A reply nested past Python's recursion limit parses (no service needed)."""

    def test_deep_nesting_parses(self) -> None:
        for depth in (2_000, 4_500, 50_000):
            text = '{"groups":[{"metadata":' + '{"a":[' * depth + "1" + "]}" * depth + "}]}"
            with self.assertRaises(RecursionError):
                import json
                json.loads(text)
            value = loads(text)
            node = value["groups"][0]["metadata"]
            for _ in range(depth):
                node = node["a"][0]
            self.assertEqual(node, 1)
        self.assertEqual(loads(b'{"lease":null}'), {"lease": None})

