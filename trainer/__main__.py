"""``python -m trainer r1 ...``: the miniature R1 run (cold start, GRPO worker through the service, evals).

``python -m trainer r1-lang ...`` / ``r1-code ...``: the language-consistency ablation and the code-accuracy run
(:mod:`trainer.r1_tasks`).

``python -m trainer r1-ddp --world-size N ...``: the miniature R1 with N data-parallel ranks (:mod:`trainer.ddp`).

``python -m trainer lang-check --url URL``: does the service's language component tell the teacher's Russian from
its English? (:mod:`trainer.lang_check`)

``python -m trainer decode-bench``: eager vs CUDA-graph decoding time on a GPU (:mod:`trainer.decode_bench`).

``python -m trainer check --url URL``: ask the service whether it is ready (stdlib only).
"""
from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "r1":
        from .r1 import main as r1_main
        return r1_main(rest)
    if cmd == "r1-lang":
        from .r1_tasks import lang_main
        return lang_main(rest)
    if cmd == "r1-code":
        from .r1_tasks import code_main
        return code_main(rest)
    if cmd == "r1-ddp":
        from .ddp import main as ddp_main
        return ddp_main(rest)
    if cmd == "lang-check":
        from .lang_check import main as lang_check_main
        return lang_check_main(rest)
    if cmd == "decode-bench":
        from .decode_bench import main as bench_main
        return bench_main(rest)
    if cmd == "check":
        from .client import RewardClient
        url = rest[rest.index("--url") + 1] if "--url" in rest else "http://127.0.0.1:8080"
        needs = tuple(rest[rest.index("--needs") + 1].split(",")) if "--needs" in rest else None  # e.g. --needs math
        print(json.dumps(RewardClient(url).wait_ready(timeout=30, needs=needs)))
        return 0
    print(f"unknown command {cmd!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
