"""GPU trainer workers for reward-verifier: GRPO updates from the service's scored groups.

Modules that need only the standard library (``client``, ``exchange``, ``task``, ``tokenizer``, ``adapters``)
import no torch, so CI without a GPU (or without torch) can test them against the real service. The torch
parts (``model``, ``grpo``, ``sft``, ``worker``, ``evaluate``, ``r1``) are imported only where used.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
