"""The language-mixing task: the miniature R1's additions and subtractions, asked in English, worked in words,
by a cold-start teacher that slips into Russian.

A problem is asked as ``what is 457 plus 386 ?``. The teacher works column by column from the units, in words,
one sentence a column, and answers in digits::

    <think>seven plus six plus zero is thirteen. five plus eight plus one is fourteen. four plus three plus one
    is eight.</think><answer>843</answer>

On a column whose two digits are both 5 or more it writes the sentence in Russian with probability ``mix_hi``
(default 0.8), on the others with probability ``mix_lo`` (0.05)::

    ... пять плюс восемь плюс один равно четырнадцать. ...

so a quarter of a three-digit problem's columns are mostly Russian, and a greedy decoder of the cold start writes
them in Russian (``mix_hi`` > 0.5): the mixing is something the policy does, not only noise of sampling. An English
and a Russian sentence have the same number of words and tokens, so a run that drops Russian does not get
shorter by doing so. The teacher is also flawed as in :mod:`trainer.task`: an incoming carry or borrow is dropped
with probability ``flaw`` and the trace goes on consistently.

The service scores format, accuracy (the digits in the answer) and the language component (target ``en``);
:func:`script_share` is an independent count of the mix by script (Cyrillic words over all words of the chain of
thought), which never asks the service.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Optional

from .pieces import PieceTokenizer
from .task import Problem, sample_problem

EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
      "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
RU = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять", "десять", "одиннадцать",
      "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать",
      "девятнадцать"]
WORDS = {"en": {"plus": "plus", "minus": "minus", "is": "is", "num": EN},
         "ru": {"plus": "плюс", "minus": "минус", "is": "равно", "num": RU}}


@dataclass(frozen=True)
class LangProblem(Problem):
    """An arithmetic problem asked in English."""

    @property
    def prompt(self) -> str:
        return f"what is {self.a} {'plus' if self.op == '+' else 'minus'} {self.b} ?"


def sample_lang_problem(rng: random.Random) -> LangProblem:
    """A uniform random problem (as :func:`trainer.task.sample_problem`), asked in English."""
    p = sample_problem(rng)
    return LangProblem(p.a, p.op, p.b)


def held_out_lang(n: int, seed: int) -> list[LangProblem]:
    """``n`` distinct evaluation problems from their own seed."""
    rng = random.Random(seed)
    out: dict[LangProblem, None] = {}
    while len(out) < n:
        out[sample_lang_problem(rng)] = None
    return list(out)


def _number(n: int, lang: str) -> str:
    w = WORDS[lang]
    return f"{w['minus']} {w['num'][-n]}" if n < 0 else w["num"][n]


def lang_trace(p: Problem, rng: Optional[random.Random] = None, flaw: float = 0.0, mix_hi: float = 0.8,
               mix_lo: float = 0.05) -> str:
    """The teacher's completion for ``p`` (see the module doc); without ``rng`` it is flawless and all English."""
    da = [int(c) for c in reversed(str(p.a))]
    db = [int(c) for c in reversed(str(p.b))]
    n = max(len(da), len(db))
    da += [0] * (n - len(da))
    db += [0] * (n - len(db))
    sentences: list[str] = []
    digits: list[int] = []
    carry = 0
    for i in range(n):
        cin = carry
        if cin and flaw > 0 and rng is not None and rng.random() < flaw:
            cin = 0
        mix = mix_hi if da[i] >= 5 and db[i] >= 5 else mix_lo
        lang = "ru" if rng is not None and rng.random() < mix else "en"
        w = WORDS[lang]
        if p.op == "+":
            s = da[i] + db[i] + cin
            sentences.append(f"{w['num'][da[i]]} {w['plus']} {w['num'][db[i]]} {w['plus']} {w['num'][cin]} {w['is']} {_number(s, lang)}.")
            digits.append(s % 10)
            carry = 1 if s >= 10 else 0
        else:
            s = da[i] - db[i] - cin
            sentences.append(f"{w['num'][da[i]]} {w['minus']} {w['num'][db[i]]} {w['minus']} {w['num'][cin]} {w['is']} {_number(s, lang)}.")
            digits.append(s % 10)
            carry = 1 if s < 0 else 0
    if p.op == "+" and carry:
        digits.append(1)
    text = "".join(str(d) for d in reversed(digits)).lstrip("0") or "0"
    return f"<think>{' '.join(sentences)}</think><answer>{text}</answer>"


def lang_tokenizer() -> PieceTokenizer:
    """Pieces: every word of both languages with and without a leading space, the prompt's words; digits,
    space and punctuation as single characters."""
    words = [*EN, *RU] + [w[k] for w in WORDS.values() for k in ("plus", "minus", "is")]
    pieces = [x for w in words for x in (w, " " + w)] + ["what is ", " ?", "."]
    return PieceTokenizer(pieces, "0123456789 .?")


_THINK = re.compile(r"<think>(.*?)</think>", re.S)
_WORD = re.compile(r"[^\W\d_]+", re.U)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def think_words(completion: str) -> list[str]:
    """The words (runs of letters) of the chain of thought: the first ``<think>`` block, or, when it is not
    closed, everything after ``<think>``; no think block, no words."""
    m = _THINK.search(completion)
    if m is None:
        if "<think>" not in completion:
            return []
        body = completion.split("<think>", 1)[1].split("<answer>", 1)[0]
    else:
        body = m.group(1)
    return _WORD.findall(body)


def script_share(completion: str) -> Optional[float]:
    """Share of the chain of thought's words written in Cyrillic (None when it has no words)."""
    ws = think_words(completion)
    if not ws:
        return None
    return sum(1 for w in ws if _CYRILLIC.search(w)) / len(ws)
