"""A piece tokenizer: a fixed list of text pieces (whole words, code fragments) matched longest first, with one
token per character of a fixed alphabet as the fallback (no dependencies).

It has the interface of :class:`trainer.tokenizer.CharTokenizer` (``pad_id``, ``bos_id``, ``eos_id``,
``vocab_size``, ``encode``, ``decode``), so the model, the worker and SFT take either. Decoding is plain
concatenation of the pieces, so what the service scores is exactly what the policy emitted (minus ``<eos>`` and
padding), and any sequence of tokens decodes: a policy that writes ``seven`` and ``plus`` with no space between
them wrote ``sevenplus``.

The vocabulary is the task's: the language task (``trainer.task_lang``) grows it with the words of both
languages its teacher writes, each with and without a leading space; the code task (``trainer.task_code``) with
JavaScript fragments.
"""
from __future__ import annotations

from typing import Iterable

from .tokenizer import BOS, EOS, PAD, TAGS, decode_ids


class PieceTokenizer:
    """Encode text to ids (greedy longest match over pieces, then single characters) and back."""

    pad_id = PAD
    bos_id = BOS
    eos_id = EOS

    def __init__(self, pieces: Iterable[str], alphabet: str) -> None:
        itos: list[str] = ["<pad>", "<bos>", "<eos>", *TAGS]
        for p in [*pieces, *alphabet]:
            if p and p not in itos:
                itos.append(p)
        self.itos = itos
        self.stoi = {s: i for i, s in enumerate(itos)}
        self.max_piece = max(len(s) for s in itos[3:])

    @property
    def vocab_size(self) -> int:
        """Number of token ids."""
        return len(self.itos)

    def encode(self, text: str) -> list[int]:
        """Ids of ``text``: at each position the longest piece that matches (ValueError when none does)."""
        ids: list[int] = []
        i = 0
        while i < len(text):
            for n in range(min(self.max_piece, len(text) - i), 0, -1):
                t = self.stoi.get(text[i:i + n])
                if t is not None and t >= 3:
                    ids.append(t)
                    i += n
                    break
            else:
                raise ValueError(f"no piece matches at {i} in {text!r}")
        return ids

    def decode(self, ids: list[int]) -> str:
        """Text of ``ids``, stopping at the first ``<eos>``; padding and ``<bos>`` are dropped."""
        return decode_ids(self.itos, ids)
