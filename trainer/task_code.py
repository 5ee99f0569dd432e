"""The code task: the policy writes a small JavaScript function from a one-line spec; the service runs it in its
sandbox (isolated-vm) against hidden call tests (``reference.type: code``), and its accuracy component is the
share of tests passed.

Three families of problems, each with parameters the program must copy from the prompt:

    sum 3*i+2 for i=1..n     ->  function f(n){let s=0;for(let i=1;i<=n;i++){s+=3*i+2;}return s;}
    count x>=4 in xs         ->  function f(xs){let c=0;for(const x of xs){if(x>=4){c++;}}return c;}
    max of xs plus 7         ->  function f(xs){let m=xs[0];for(const x of xs){if(x>m){m=x;}}return m+7;}

The completion is ``<think>`` a one-line plan ``</think><answer>`` the program ``</answer>``; the service takes the
program from the answer block (bare code).

The cold-start teacher is flawed, like the imperfect cold start of R1, and its flaws are classic ones that the
sandbox's verdicts tell apart:

* ``sum``:   35% right, 55% an off-by-one bound ``i<n`` (wrong_answer), 10% ``i--`` (never ends: timeout);
* ``count``: 55% right, 35% the comparison loosened or tightened (``>`` for ``>=``...: wrong_answer),
  10% ``xs.count(...)``, which JavaScript arrays do not have (runtime_error);
* ``max``/``min``: 40% right, 50% ``let m=0`` (wrong when every element is negative for max, positive for min:
  wrong_answer), 10% ``xs.max()`` (runtime_error).

Where the flawed choice is the likelier one (``sum``, ``max``/``min``), the cold start's greedy program is the
flawed one, so imitating the teacher (the SFT control) cannot get past it; the tests can.

The tests are derived from the problem (its own seed), never shown to the policy, and chosen so that each flaw
fails some of them: ``n`` below, at and above the lower bound; arrays holding the threshold itself; arrays of
one sign only.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from .pieces import PieceTokenizer

FAMILIES = ("sum", "count", "extreme")
OPS = (">", "<", ">=", "<=")
LOOSER = {">": ">=", ">=": ">", "<": "<=", "<=": "<"}
TIME_MS = 20  # each test's CPU limit in the sandbox; the right programs take well under 1 ms
VERDICTS = ("passed", "wrong_answer", "runtime_error", "timeout", "compile_error", "memory_limit", "output_limit")


@dataclass(frozen=True)
class CodeProblem:
    """One problem: a family and its parameters."""

    family: str
    a: int = 0   # sum: coefficient; count: threshold; extreme: offset
    b: int = 0   # sum: constant
    lo: int = 0  # sum: lower bound of i
    op: str = ""  # count: comparison; extreme: "max" or "min"

    @property
    def prompt(self) -> str:
        """The spec the policy is conditioned on."""
        if self.family == "sum":
            return f"sum {self.a}*i+{self.b} for i={self.lo}..n"
        if self.family == "count":
            return f"count x{self.op}{self.a} in xs"
        return f"{self.op} of xs plus {self.a}"

    def solve(self, arg: Any) -> int:
        """The right answer for one argument."""
        if self.family == "sum":
            return sum(self.a * i + self.b for i in range(self.lo, arg + 1))
        if self.family == "count":
            k = self.a
            test = {">": lambda x: x > k, "<": lambda x: x < k, ">=": lambda x: x >= k, "<=": lambda x: x <= k}[self.op]
            return sum(1 for x in arg if test(x))
        return (max(arg) if self.op == "max" else min(arg)) + self.a

    def test_args(self) -> list[Any]:
        """The hidden test inputs (six, from the problem's own seed)."""
        rng = random.Random(hash_params(self))
        if self.family == "sum":
            ns = [0, self.lo, self.lo + 1, self.lo + 3, 7 + rng.randint(0, 3), 12 + rng.randint(0, 5)]
            return list(dict.fromkeys(ns))
        if self.family == "count":
            out = []
            for j in range(6):
                xs = [rng.randint(-9, 9) for _ in range(rng.randint(0 if j == 5 else 2, 8))]
                if j < 4:  # the threshold itself, where > and >= part
                    xs.insert(rng.randint(0, len(xs)), self.a)
                out.append(xs)
            return out
        sign = -1 if self.op == "max" else 1  # arrays of one sign: where m=0 is wrong
        out = []
        for j in range(6):
            n = rng.randint(1, 7)
            if j < 3:
                out.append([sign * rng.randint(1, 9) for _ in range(n)])
            else:
                out.append([rng.randint(-9, 9) for _ in range(n)])
        return out

    def reference(self) -> dict:
        """The service's reference: JavaScript call tests of ``f``."""
        cases = [{"args": [arg], "expected": self.solve(arg)} for arg in self.test_args()]
        return {"type": "code", "language": "javascript", "tests": {"type": "call", "function": "f", "cases": cases},
                "limits": {"time_ms": TIME_MS}}


def hash_params(p: CodeProblem) -> int:
    """A stable seed for a problem's tests (Python's hash() of strings changes between processes)."""
    s = f"{p.family}|{p.a}|{p.b}|{p.lo}|{p.op}"
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % (1 << 31)
    return h


PLAN = {"sum": "loop over i and add", "count": "loop over xs and count", "max": "loop over xs and keep the largest",
        "min": "loop over xs and keep the smallest"}


def code_trace(p: CodeProblem, rng: Optional[random.Random] = None, flaw: float = 1.0) -> str:
    """The teacher's completion for ``p``; without ``rng`` (or with ``flaw=0``) it is the right program.
    ``flaw`` scales the flaw probabilities of the module doc (1 = as listed)."""
    u = rng.random() if rng is not None else 1.0
    plan = PLAN["sum" if p.family == "sum" else "count" if p.family == "count" else p.op]
    if p.family == "sum":
        bound, step = "<=", "++"
        if u < 0.55 * flaw:
            bound = "<"
        elif u < 0.65 * flaw:
            step = "--"
        prog = f"function f(n){{let s=0;for(let i={p.lo};i{bound}n;i{step}){{s+={p.a}*i+{p.b};}}return s;}}"
    elif p.family == "count":
        if u < 0.10 * flaw:
            prog = f"function f(xs){{return xs.count(x=>x{p.op}{p.a});}}"
        else:
            op = LOOSER[p.op] if u < 0.45 * flaw else p.op
            prog = f"function f(xs){{let c=0;for(const x of xs){{if(x{op}{p.a}){{c++;}}}}return c;}}"
    else:
        cmp = ">" if p.op == "max" else "<"
        if u < 0.10 * flaw:
            prog = f"function f(xs){{return xs.{p.op}()+{p.a};}}"
        else:
            init = "0" if u < 0.60 * flaw else "xs[0]"
            prog = f"function f(xs){{let m={init};for(const x of xs){{if(x{cmp}m){{m=x;}}}}return m+{p.a};}}"
    return f"<think>{plan}</think><answer>{prog}</answer>"


def all_problems() -> list[CodeProblem]:
    """Every problem of the three families (270 sums, 76 counts, 60 max/min)."""
    out = [CodeProblem("sum", a, b, lo) for a in range(1, 10) for b in range(10) for lo in range(3)]
    out += [CodeProblem("count", k, op=op) for op in OPS for k in range(-9, 10)]
    out += [CodeProblem("extreme", k, op=op) for op in ("max", "min") for k in range(30)]
    return out


def held_out_code(per_family: int, seed: int) -> list[CodeProblem]:
    """``per_family`` problems of each family, from their own seed; never trained on."""
    rng = random.Random(seed)
    probs = all_problems()
    out: list[CodeProblem] = []
    for fam in FAMILIES:
        mine = [p for p in probs if p.family == fam]
        out += rng.sample(mine, per_family)
    return out


class CodeSource:
    """Training problems: a family uniformly, then a problem of it, never a held-out one."""

    def __init__(self, seed: int, held_out: Iterable[CodeProblem] = ()) -> None:
        self.rng = random.Random(seed)
        held = set(held_out)
        self.pool = {fam: [p for p in all_problems() if p.family == fam and p not in held] for fam in FAMILIES}

    def sample(self) -> CodeProblem:
        return self.rng.choice(self.pool[self.rng.choice(FAMILIES)])

    def batch(self, n: int) -> list[CodeProblem]:
        return [self.sample() for _ in range(n)]


def code_tokenizer() -> PieceTokenizer:
    """Pieces: the fragments the teacher's programs and plans are made of; digits, letters and JavaScript's
    punctuation as single characters (so a policy can write any program over that alphabet)."""
    pieces = ["function f(n){", "function f(xs){", "let s=0;", "for(let i=", "n;i", "++)", "--)", "{s+=", "*i+",
              ";}return s;}", "let c=0;", "for(const x of xs){", "if(x", "){c++;}}return c;}", "return xs.", "count(x=>x",
              ");}", "max()+", "min()+", "let m=", "xs[0]", ";for(const x of xs){if(x", "m){m=x;}}return m+", ";}",
              "<=", ">=", "sum ", " for i=", "..n", "count x", " in xs", "max of xs plus ", "min of xs plus ",
              *PLAN.values()]
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz+-*/%<>=!;:,.(){}[] "
    return PieceTokenizer(pieces, alphabet)


def verdict_counts(groups: Iterable[dict]) -> dict[str, int]:
    """Per-test verdicts of the sandbox over the scored groups (the accuracy component's details), plus
    ``unscored``: completions whose accuracy came back without verdicts (no program extracted, or a null score)."""
    counts = {v: 0 for v in VERDICTS}
    counts["unscored"] = 0
    for g in groups:
        for r in g["results"]:
            acc = r.get("components", {}).get("accuracy", {})
            verdicts = (acc.get("details") or {}).get("verdicts")
            if not verdicts:
                counts["unscored"] += 1
                continue
            for v in verdicts:
                counts[v] = counts.get(v, 0) + 1
    return counts
