"""Adapters that plug the reward service into other trainers (standard library only).

* :mod:`trainer.adapters.trl`:  reward functions for TRL's ``GRPOTrainer(reward_funcs=...)`` and the experimental
  async trainer, one picklable callable per component, backed by one POST /v1/score per batch (so TRL logs each
  component as ``rewards/<name>/mean``).
* :mod:`trainer.adapters.verl`: ``compute_score`` for verl's ``custom_reward_function`` (per sample: the naive,
  DAPO and PRIME reward managers) and ``compute_score_batch`` (the batch reward manager).

OpenRLHF needs no adapter: point ``--remote_rm_url`` (HEAD: ``--reward.remote_url``) at the service's
``POST /get_reward``. trainer/README.md has one command per trainer.
"""
