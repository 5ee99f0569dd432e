"""GSM8K labels through OpenRLHF's /get_reward call (run on its own by npm test: it needs the math extractor's
``#### 72`` rule, on the gold and the prediction side)."""
from __future__ import annotations

import unittest

from trainer.tests.callsite import float_paths, need_url, post_json
from trainer.tests.test_callsite_openrlhf import chat_prompt, r1


class GSM8KLabels(unittest.TestCase):
    """GSM8K labels keep the worked solution before ``#### 72``; the math verifier reads the answer after it
    (on both sides). Needs the math extractor's ``####`` rule."""

    def test_gsm8k_label_scores_a_right_answer(self) -> None:
        url = need_url() + "/get_reward"
        p = chat_prompt("Natalia sold clips to 48 of her friends in April, and then half as many in May. How many in all?")
        label = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 72"
        answers = ["72", "60", "48 + 24 = 72\n#### 72"]  # the last one answers in GSM8K's own style
        reply = post_json(url, {"query": [p + r1("48 + 24", a) + "<|im_end|>" for a in answers],
                                "prompts": [p] * 3, "labels": [label] * 3})
        self.assertEqual(float_paths(reply), [])
        self.assertEqual(reply["extra_logs"]["accuracy"], [1.0, 0.0, 1.0])
        self.assertEqual(reply["rewards"], [2.0, 1.0, 2.0])


if __name__ == "__main__":
    unittest.main()
