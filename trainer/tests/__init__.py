"""Tests: test_ci_* need only the standard library and a running service (REWARD_URL); test_torch_* need torch."""
