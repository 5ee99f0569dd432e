"""The synthetic verifiable task of the miniature R1: column-wise addition and subtraction of numbers < 1000.

A problem is ``a+b=`` or ``a-b=`` (a >= b for subtraction). A teacher trace works column by column from the
units, writing the carry (or borrow) it takes in explicitly::

    457+386=  ->  <think>7+6+0=13 5+8+1=14 4+3+1=8</think><answer>843</answer>
    457-386=  ->  <think>7-6-0=1 5-8-0=-3 4-3-1=0</think><answer>71</answer>

The answer's digits are the column results mod 10, read from the top column down (plus a final carry),
leading zeros dropped.

The cold-start teacher is deliberately flawed, like the imperfect cold-start data of R1: where a carry or
borrow of 1 comes in, it writes ``+0`` / ``-0`` instead with probability ``flaw`` (default 0.5) and carries on
consistently, so the trace ends in a wrong answer. Imitating it (the SFT control) reproduces the flaw; a
reward from a verifier (the service's math accuracy) can teach the policy to do better than its teacher.

The rewards are never computed here: the service scores the completions. This module only makes problems,
traces and the reference answers (``str(a op b)``) sent as ``{"type": "math", "answer": ...}``.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Iterable


@dataclass(frozen=True)
class Problem:
    """One arithmetic problem."""

    a: int
    op: str  # "+" or "-"
    b: int

    @property
    def prompt(self) -> str:
        """What the policy is conditioned on, e.g. ``457+386=``."""
        return f"{self.a}{self.op}{self.b}="

    @property
    def answer(self) -> int:
        """The exact result."""
        return self.a + self.b if self.op == "+" else self.a - self.b

    def reference(self) -> dict:
        """The service's reference object for this problem."""
        return {"type": "math", "answer": str(self.answer)}


def trace(p: Problem, rng: random.Random | None = None, flaw: float = 0.0) -> str:
    """The teacher's completion for ``p``; with probability ``flaw`` each incoming carry/borrow is dropped."""
    da = [int(c) for c in reversed(str(p.a))]
    db = [int(c) for c in reversed(str(p.b))]
    n = max(len(da), len(db))
    da += [0] * (n - len(da))
    db += [0] * (n - len(db))
    steps: list[str] = []
    digits: list[int] = []
    carry = 0
    for i in range(n):
        cin = carry
        if cin and flaw > 0 and rng is not None and rng.random() < flaw:
            cin = 0  # the teacher forgets the carry / borrow
        if p.op == "+":
            s = da[i] + db[i] + cin
            steps.append(f"{da[i]}+{db[i]}+{cin}={s}")
            digits.append(s % 10)
            carry = 1 if s >= 10 else 0
        else:
            s = da[i] - db[i] - cin
            steps.append(f"{da[i]}-{db[i]}-{cin}={s}")
            digits.append(s % 10)
            carry = 1 if s < 0 else 0
    if p.op == "+" and carry:
        digits.append(1)
    text = "".join(str(d) for d in reversed(digits)).lstrip("0") or "0"
    return f"<think>{' '.join(steps)}</think><answer>{text}</answer>"


def sample_problem(rng: random.Random, lo: int = 10, hi: int = 999) -> Problem:
    """A uniform random problem; subtraction is ordered so the result is not negative."""
    a, b = rng.randint(lo, hi), rng.randint(lo, hi)
    if rng.random() < 0.5:
        return Problem(a, "+", b)
    if a < b:
        a, b = b, a
    return Problem(a, "-", b)


class ProblemSource:
    """Training problems, never one of the held-out evaluation problems."""

    def __init__(self, seed: int, held_out: Iterable[Problem] = (),
                 sampler: Callable[[random.Random], Problem] = sample_problem) -> None:
        self.rng = random.Random(seed)
        self.held_out = set(held_out)
        self.sampler = sampler

    def sample(self) -> Problem:
        """The next training problem."""
        while True:
            p = self.sampler(self.rng)
            if p not in self.held_out:
                return p

    def batch(self, n: int) -> list[Problem]:
        """``n`` training problems."""
        return [self.sample() for _ in range(n)]


def held_out_set(n: int, seed: int = 12345) -> list[Problem]:
    """``n`` distinct evaluation problems from their own seed."""
    rng = random.Random(seed)
    out: dict[Problem, None] = {}
    while len(out) < n:
        out[sample_problem(rng)] = None
    return list(out)


def count_carries(p: Problem) -> int:
    """How many columns take a carry or borrow of 1 (the teacher's weak spot)."""
    t = trace(p)
    return sum(1 for s in t[len("<think>"):t.index("</think>")].split(" ") if ("+1=" in s or "-1=" in s))
