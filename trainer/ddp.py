"""The miniature R1 (arithmetic task) with N data-parallel trainer ranks on one run (torch.distributed).

``python3 -m trainer r1-ddp --world-size N --out DIR [r1 options]`` starts N processes (one GPU each, NCCL; gloo
on a CPU). Every step, with one policy version for all ranks:

1. every rank draws the same step's problems (same seed); rank r takes problems r, r+N, r+2N, ... and generates
   their completions on its GPU with its own sampling seed;
2. each rank submits its groups as its own rollout (``<run>-r<r>-step-<s>``, ``policy_version = s``; with
   ``--submit-parts K`` in K parts, ``...-step-<s>-c<k>``, each posted by a thread while the next is generated) to the run's
   queue; a rank that leases a group another rank generated rebuilds its token ids from the leased text
   (``completion_ids``: the character tokenizer round-trips), so the ranks exchange no ids;
3. each rank leases **its share** of the step's groups (``max_groups`` = share still missing,
   ``min_policy_version = s``) until it holds that many: the service's lease gives each group to one rank only, so
   no group is trained twice, and the shares add up to the step's groups;
4. each rank computes the GRPO loss on the groups it leased; the gradients are all-reduced (each rank's gradient
   weighted by its share of the step's trained sequences, so the update is the one a single rank would take on all
   of them; one flat all-reduce), clipped and applied on every rank: the weights stay identical (checked every ``eval_every`` steps);
5. each rank acks its leases.

Rank 0 evaluates (held-out greedy accuracy) and writes ``metrics.json`` (with ``world_size`` and what each rank
leased), ``log.jsonl`` and ``plot.png``. ``--world-size 1`` runs the same code on one GPU, for the comparison.
"""
from __future__ import annotations

import copy
import gc
import json
import os
import random
import socket
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import torch
import torch.distributed as dist

from .client import RewardClient
from .evaluate import evaluate
from .exchange import RolloutExchange, group_skip_reason, summarize_groups
from .grpo import build_batch, grpo_update, make_optimizer
from .model import TinyGPT, count_parameters
from .r1 import parse_args, resolve
from .sft import SFTConfig, sft_train
from .task import ProblemSource, held_out_set
from .tokenizer import CharTokenizer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str]) -> int:
    world, argv = _take_int(argv, "--world-size", 1)
    parts, argv = _take_int(argv, "--submit-parts", 1)
    port = _free_port()
    if world == 1:
        _rank_main(0, 1, port, argv, parts)
    else:
        torch.multiprocessing.spawn(_rank_main, args=(world, port, argv, parts), nprocs=world, join=True)
    return 0


def _take_int(argv: list[str], flag: str, default: int) -> tuple[int, list[str]]:
    """The value of ``flag`` (or ``default``) and argv without it."""
    if flag not in argv:
        return default, argv
    i = argv.index(flag)
    return int(argv[i + 1]), argv[:i] + argv[i + 2:]


def _rank_main(rank: int, world: int, port: int, argv: list[str], parts: int = 1) -> None:
    args = parse_args(argv)
    c = resolve(args)
    c["submit_parts"] = parts
    cuda = args.device.startswith("cuda")
    device = f"cuda:{rank}" if cuda else "cpu"
    if cuda:
        torch.cuda.set_device(rank)
        torch.backends.cuda.matmul.allow_tf32 = True
        # cuDNN's attention builds a plan for every new (batch, length) shape (a step's batch has its own): the
        # updates' 0.2-0.3 s stalls on unseen shapes, more often with 2 ranks (a step waits for the slower rank)
        if hasattr(torch.backends.cuda, "enable_cudnn_sdp"):
            torch.backends.cuda.enable_cudnn_sdp(False)
    dist.init_process_group("nccl" if cuda else "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        _train(rank, world, args, c, device, cuda, argv)
    finally:
        dist.destroy_process_group()


def _train(rank: int, world: int, args: Any, c: dict, device: str, autocast: bool, argv: list[str]) -> None:
    name = args.name or os.path.basename(os.path.normpath(args.out))
    lead = rank == 0
    log_file = None
    t_start = time.monotonic()
    if lead:
        os.makedirs(args.out, exist_ok=True)
        log_file = open(os.path.join(args.out, "log.jsonl"), "w", encoding="utf-8")

    def log(row: dict) -> None:
        if log_file is None:
            return
        line = json.dumps({"t": round(time.monotonic() - t_start, 2), **row})
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    client = RewardClient(args.url)
    client.wait_ready(timeout=120, needs=("math",))  # arithmetic only: code sandboxes are not needed
    tok = CharTokenizer()
    from .model import ModelConfig
    mcfg = ModelConfig(vocab_size=tok.vocab_size, n_layer=c["n_layer"], n_head=c["n_head"], d_model=c["d_model"], max_len=96)
    policy = TinyGPT(mcfg).to(device)
    held = held_out_set(c["eval_n"], seed=10_000 + args.seed)
    max_new = 48
    log({"phase": "start", "name": name, "world_size": world, "config": c, "argv": argv,
         "gpu": torch.cuda.get_device_name(0) if autocast else None, "torch": torch.__version__})

    # cold start: every rank trains the same way (same seeds), then rank 0's weights are broadcast
    sft_cfg = SFTConfig(steps=c["sft_steps"], batch_size=c["sft_batch"], lr=c["sft_lr"], warmup=min(50, max(1, c["sft_steps"] // 10)), flaw=c["flaw"])
    t0 = time.monotonic()
    sft_train(policy, ProblemSource(args.seed + 1, held), sft_cfg, device, seed=args.seed + 2, autocast=autocast,
              log=lambda r: log({"phase": "cold_start_sft", **r}))
    for p in policy.state_dict().values():
        dist.broadcast(p, src=0)
    cold_s = time.monotonic() - t0
    before = evaluate(policy, tok, held, client, c["eval_k"], max_new, autocast, seed=1, device=device) if lead else None
    if lead:
        log({"phase": "eval_before", **before})
    dist.barrier()

    ref = copy.deepcopy(policy).eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    from .grpo import GRPOConfig
    gcfg = GRPOConfig(lr=c["lr"], beta=c["beta"], epsilon=c["epsilon"], epsilon_high=c["epsilon_high"], loss_type=c["loss_type"],
                      num_iterations=c["num_iterations"], max_grad_norm=c["max_grad_norm"], max_completion_length=max_new)
    optimizer = make_optimizer(policy, gcfg)
    run_id = f"{name}-{int(time.time())}" if lead else None
    holder = [run_id]
    dist.broadcast_object_list(holder, src=0)
    run_id = holder[0]
    rewards = {"format": {"mode": c["format_mode"]}, "accuracy": {}}
    exchange = RolloutExchange(client, run_id, rewards=rewards, advantages={"scale": "group"}, id_prefix=f"{run_id}-r{rank}")
    source = ProblemSource(args.seed + 3, held)
    gen = torch.Generator(device=device)
    gen.manual_seed(args.seed + 4 + 1000 * rank)
    P, G = c["prompts"], c["group"]
    share = len(range(rank, P, world))
    series: list[dict] = []
    leased_by_rank: list[dict] = []
    optimizer_steps = 0
    # Python's collector: the objects made until now (torch, the model, the data) are moved out of its reach, so a
    # full collection scans only what the steps keep; gc_s records the time collections take during each step
    gc.collect()
    gc.freeze()
    gc_clock = _GcClock()
    poster = ThreadPoolExecutor(max_workers=1)
    grpo_t0 = time.monotonic()
    step = 0
    while step < c["grpo_steps"]:
        elapsed = time.monotonic() - grpo_t0
        go = [elapsed + (elapsed / step if step else 0.0) <= c["budget"]]
        dist.broadcast_object_list(go, src=0)  # rank 0's clock decides, so every rank stops at the same step
        if not go[0]:
            break
        t0 = time.monotonic()
        gc_clock.reset()
        problems = source.batch(P)
        mine = list(range(rank, P, world))
        prompt_ids = {i: [tok.bos_id] + tok.encode(problems[i].prompt) for i in range(P)}
        policy.eval()
        own: dict[str, list[list[int]]] = {}
        outs: list[list[int]] = []
        submits = []
        # in parts: the service scores part k (a thread posts it) while this rank generates part k + 1
        for k, part in enumerate(_split(mine, c["submit_parts"])):
            flat = [prompt_ids[i] for i in part for _ in range(G)]
            part_outs = policy.generate(flat, max_new, tok.eos_id, tok.pad_id, temperature=1.0, generator=gen, autocast=autocast, bos_id=tok.bos_id)
            outs += part_outs
            groups = []
            for j, i in enumerate(part):
                gid = f"s{step}-p{i}"
                own[gid] = part_outs[j * G:(j + 1) * G]
                groups.append({"id": gid, "prompt": problems[i].prompt, "reference": problems[i].reference(),
                               "completions": [tok.decode(x) for x in own[gid]], "metadata": {"step": step, "rank": rank}})
            submits.append(poster.submit(exchange.submit, step, groups, None, None if c["submit_parts"] == 1 else k))
        t_gen = time.monotonic()
        for f in submits:
            f.result()
        t_sub = time.monotonic()
        leased: dict[str, dict] = {}
        leases: list[str] = []
        calls = 0
        while len(leased) < share:
            reply = client.lease(max_groups=share - len(leased), lease_ms=300_000, run=run_id, wait_ms=2_000, min_policy_version=step)
            calls += 1
            if reply.get("lease") is None:
                if time.monotonic() - t_sub > 300:
                    raise TimeoutError(f"rank {rank}: {share - len(leased)} groups not leased at step {step}")
                continue
            leases.append(reply["lease"])
            for g in reply["groups"]:
                leased[g["id"]] = g
        t_scored = time.monotonic()
        rows_p, rows_c, advs, keep = [], [], [], []
        skipped = 0
        for gid, g in leased.items():
            if group_skip_reason(g) is not None:
                skipped += 1
                continue
            pi = int(gid.split("-p")[1])
            ids = completion_ids(tok, g["completions"], max_new)
            if gid in own and ids != own[gid]:
                raise RuntimeError(f"rank {rank}: the leased completions of {gid} do not re-encode to the generated ids")
            for j, res in enumerate(g["results"]):
                rows_p.append(prompt_ids[pi])
                rows_c.append(ids[j])
                advs.append(float(g["advantages"][j]))
                keep.append(res.get("reward") is not None)
        n_local = torch.tensor([float(len(rows_p))], device=device)
        n_all = n_local.clone()
        dist.all_reduce(n_all)
        stats: dict = {}
        if float(n_all) > 0:
            weight = float(n_local) / float(n_all)

            def sync(params: list, weight: float = weight) -> None:
                all_reduce_flat(params, weight)

            policy.train()
            if rows_p:
                rb = build_batch(rows_p, rows_c, advs, tok.pad_id, keep).to(device)
                stats = grpo_update(policy, ref, optimizer, rb, gcfg, autocast, grad_sync=sync)
            else:  # nothing of its own to train on: still takes part in every all-reduce and optimizer step
                params = [p for p in policy.parameters() if p.requires_grad]
                for _ in range(gcfg.num_iterations):
                    optimizer.zero_grad(set_to_none=True)
                    sync(params)
                    torch.nn.utils.clip_grad_norm_(params, gcfg.max_grad_norm)
                    optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                stats = {"optimizer_steps": gcfg.num_iterations}
            optimizer_steps += stats["optimizer_steps"]
            policy.eval()
        t_update = time.monotonic()
        acked = 0
        for lease in leases:
            acked += client.ack(lease)
        summary = summarize_groups(leased.values())
        mine_ids = {f"s{step}-p{i}" for i in mine}
        row = {"rank": rank, "leased": len(leased), "leased_own": sum(1 for g in leased if g in mine_ids),
               "leased_ids": sorted(leased), "lease_calls": calls, "acked": acked, "trained_seqs": len(rows_p),
               "skipped": skipped, "reward_sum": summary.get("reward", 0.0) * len(leased) * G,
               "accuracy_sum": summary.get("accuracy", 0.0) * len(leased) * G, "format_sum": summary.get("format", 0.0) * len(leased) * G,
               "kl": stats.get("kl"), "gen_s": t_gen - t0, "exchange_s": t_sub - t_gen, "score_s": t_scored - t_sub,
               "update_s": t_update - t_scored, "step_s": time.monotonic() - t0, "gc_s": gc_clock.seconds, "gc_full": gc_clock.full,
               "response_tokens": sum(len(o) for o in outs) / max(1, len(outs))}
        rows: list[Any] = [None] * world
        dist.all_gather_object(rows, row)
        step += 1
        if lead:
            ncomp = P * G
            all_ids = [g for r in rows for g in r["leased_ids"]]
            merged = {
                "step": step - 1, "world_size": world,
                "reward": sum(r["reward_sum"] for r in rows) / ncomp, "accuracy": sum(r["accuracy_sum"] for r in rows) / ncomp,
                "format": sum(r["format_sum"] for r in rows) / ncomp,
                "groups": P, "groups_leased": len(all_ids), "groups_leased_distinct": len(set(all_ids)),
                "leased_per_rank": [r["leased"] for r in rows], "leased_own_per_rank": [r["leased_own"] for r in rows],
                "trained_seqs_per_rank": [r["trained_seqs"] for r in rows], "acked": sum(r["acked"] for r in rows),
                "kl": rows[0]["kl"], "response_tokens": statistics.mean(r["response_tokens"] for r in rows),
                "optimizer_steps": optimizer_steps,
                # a step lasts as long as its slowest rank
                "gen_s": round(max(r["gen_s"] for r in rows), 4), "exchange_s": round(max(r["exchange_s"] for r in rows), 4),
                "score_s": round(max(r["score_s"] for r in rows), 4), "update_s": round(max(r["update_s"] for r in rows), 4),
                "step_s": round(max(r["step_s"] for r in rows), 4), "elapsed_s": round(time.monotonic() - grpo_t0, 2),
                "gc_s": round(max(r["gc_s"] for r in rows), 4), "gc_full_collections": sum(r["gc_full"] for r in rows),
            }
            leased_by_rank.append({"step": step - 1, **{f"rank{r['rank']}": r["leased_ids"] for r in rows}})
        if c["eval_every"] > 0 and step % c["eval_every"] == 0:
            same = _weights_agree(policy)
            if lead:
                r = evaluate(policy, tok, held[:c["quick_eval_n"]], client, 0, max_new, autocast, device=device)
                merged.update({"heldout_accuracy": r["accuracy"], "heldout_format": r["format_rate"], "weights_identical": same})
            dist.barrier()
        if lead:
            series.append(merged)
            log({"phase": "grpo", **merged})
    grpo_s = time.monotonic() - grpo_t0
    poster.shutdown()
    same = _weights_agree(policy)
    if lead:
        after = evaluate(policy, tok, held, client, c["eval_k"], max_new, autocast, seed=1, device=device)
        log({"phase": "eval_after", **after})
        if series and "heldout_accuracy" not in series[-1]:
            series[-1].update({"heldout_accuracy": after["accuracy"], "heldout_format": after["format_rate"]})
        steps = [r["step_s"] for r in series]
        total = sum(steps)
        metrics = {
            "name": name, "world_size": world,
            "accuracy_before": before["accuracy"], "accuracy_after": after["accuracy"], "accuracy_sft_control": None,
            "format_rate_before": before["format_rate"], "format_rate_after": after["format_rate"],
            "pass1_sampled_before": before["pass1_sampled"], "pass1_sampled_after": after["pass1_sampled"],
            "grpo_steps": len(series), "optimizer_steps": optimizer_steps,
            "median_step_s": statistics.median(steps) if steps else None,
            "median_phase_s": {k: statistics.median(r[k] for r in series) for k in ("gen_s", "exchange_s", "score_s", "update_s", "gc_s")} if series else {},
            "gc_s_total": round(sum(r["gc_s"] for r in series), 3), "gc_full_collections": sum(r["gc_full_collections"] for r in series),
            "wait_share": round(sum(r["score_s"] + r["exchange_s"] for r in series) / total, 4) if total else None,
            "groups_trained_twice": sum(r["groups_leased"] - r["groups_leased_distinct"] for r in series),
            "groups_not_leased": sum(r["groups"] - r["groups_leased_distinct"] for r in series),
            "weights_identical_at_end": same,
            "leased_per_rank_total": [sum(r["leased_per_rank"][k] for r in series) for k in range(world)],
            "leased_own_per_rank_total": [sum(r["leased_own_per_rank"][k] for r in series) for k in range(world)],
            "wall_s": {"cold_start_sft": round(cold_s, 1), "grpo": round(grpo_s, 1), "total": round(time.monotonic() - t_start, 1)},
            "eval": {"before": before, "after": after},
            "config": {"experiment": c, "model": mcfg.to_dict(), "parameters": count_parameters(policy), "grpo": gcfg.to_dict(),
                       "seed": args.seed, "world_size": world, "backend": dist.get_backend(),
                       "gpu": torch.cuda.get_device_name(0) if autocast else None, "torch": torch.__version__},
            "series": {"grpo": series},
            "command": f"python3 -m trainer r1-ddp --world-size {world} --submit-parts {c['submit_parts']} " + " ".join(argv),
        }
        with open(os.path.join(args.out, "metrics.json"), "w", encoding="utf-8") as f:
            json.dump(metrics, f, indent=1)
        with open(os.path.join(args.out, "leases.jsonl"), "w", encoding="utf-8") as f:
            for r in leased_by_rank:
                f.write(json.dumps(r) + "\n")
        try:
            from .plot import plot_run
            plot_run(metrics, os.path.join(args.out, "plot.png"))
        except ImportError as err:
            log({"phase": "plot_skipped", "reason": str(err)})
        log({"phase": "done", **{k: metrics[k] for k in ("world_size", "accuracy_before", "accuracy_after", "grpo_steps",
                                                          "median_step_s", "wait_share", "groups_trained_twice", "groups_not_leased",
                                                          "weights_identical_at_end", "leased_per_rank_total", "wall_s")}})
        if log_file is not None:
            log_file.close()
    dist.barrier()


class _GcClock:
    """Seconds Python's collector ran, and how many full (generation 2) collections, since ``reset()``."""

    def __init__(self) -> None:
        self.seconds, self.full, self._t = 0.0, 0, 0.0
        gc.callbacks.append(self._on)

    def reset(self) -> None:
        self.seconds, self.full = 0.0, 0

    def _on(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._t
        self.full += 1 if info.get("generation") == 2 else 0


def _split(xs: list, n: int) -> list[list]:
    """``xs`` in ``n`` consecutive parts of nearly equal size (no empty part)."""
    n = max(1, min(n, len(xs)))
    return [xs[len(xs) * k // n:len(xs) * (k + 1) // n] for k in range(n)]


def completion_ids(tok: CharTokenizer, completions: list[str], max_new: int) -> list[list[int]]:
    """The token ids of leased completions, rebuilt from their text (the lease returns the text the rank that
    generated them submitted), so no rank sends token ids to another: a character-level decode drops only
    ``<eos>`` (generation never emits padding or ``<bos>``), and a completion ended with ``<eos>`` exactly when
    it is shorter than ``max_new`` tokens (otherwise the token budget ran out)."""
    out = []
    for text in completions:
        ids = tok.encode(text)
        out.append(ids + [tok.eos_id] if len(ids) < max_new else ids)
    return out


def all_reduce_flat(params: list, weight: float) -> None:
    """Sum of ``weight`` × every rank's gradients, as one all-reduce of one flat buffer (one NCCL call instead of
    one per parameter tensor); the parameters' ``.grad`` become views of the reduced buffer."""
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
    flat = torch.cat([g.reshape(-1) for g in grads])
    flat.mul_(weight)
    dist.all_reduce(flat)
    offset = 0
    for p in params:
        n = p.numel()
        p.grad = flat[offset:offset + n].view_as(p)
        offset += n


def _weights_agree(policy: torch.nn.Module) -> bool:
    """Whether every rank holds the same weights (max-reduce of |w - rank 0's w|)."""
    flat = torch.cat([p.detach().float().reshape(-1) for p in policy.parameters()])
    ref = flat.clone()
    dist.broadcast(ref, src=0)
    diff = (flat - ref).abs().max().reshape(1)
    dist.all_reduce(diff, op=dist.ReduceOp.MAX)
    return bool(float(diff) == 0.0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
