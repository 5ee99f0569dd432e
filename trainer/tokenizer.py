"""A character-level tokenizer with the R1 tags as single tokens (no dependencies).

Vocabulary: ``<pad>`` (0), ``<bos>`` (1), ``<eos>`` (2), the four tags ``<think>``, ``</think>``, ``<answer>``,
``</answer>``, then one token per character of ``0123456789+-= ``. Decoding renders the tags as their text, so
what the service scores is exactly what the policy emitted (minus ``<eos>`` and padding).
"""
from __future__ import annotations

PAD, BOS, EOS = 0, 1, 2
TAGS = ("<think>", "</think>", "<answer>", "</answer>")
CHARS = "0123456789+-= "


def decode_ids(itos: list[str], ids: list[int]) -> str:
    """Text of ``ids`` under the vocabulary ``itos``, stopping at the first ``<eos>``; padding and ``<bos>`` are dropped."""
    out: list[str] = []
    for t in ids:
        if t == EOS:
            break
        if t in (PAD, BOS):
            continue
        out.append(itos[t])
    return "".join(out)


class CharTokenizer:
    """Encode text to ids and back; ids of specials are class constants PAD, BOS, EOS."""

    pad_id = PAD
    bos_id = BOS
    eos_id = EOS

    def __init__(self) -> None:
        self.itos: list[str] = ["<pad>", "<bos>", "<eos>", *TAGS, *CHARS]
        self.stoi = {s: i for i, s in enumerate(self.itos)}

    @property
    def vocab_size(self) -> int:
        """Number of token ids."""
        return len(self.itos)

    def encode(self, text: str) -> list[int]:
        """Ids of ``text``; tags are matched first, then single characters (ValueError on unknown ones)."""
        ids: list[int] = []
        i = 0
        while i < len(text):
            if text[i] == "<":
                for tag in TAGS:
                    if text.startswith(tag, i):
                        ids.append(self.stoi[tag])
                        i += len(tag)
                        break
                else:
                    raise ValueError(f"unknown token at {i} in {text!r}")
                continue
            if text[i] not in self.stoi:
                raise ValueError(f"unknown character {text[i]!r} in {text!r}")
            ids.append(self.stoi[text[i]])
            i += 1
        return ids

    def decode(self, ids: list[int]) -> str:
        """Text of ``ids``, stopping at the first ``<eos>``; padding and ``<bos>`` are dropped."""
        return decode_ids(self.itos, ids)
