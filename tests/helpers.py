"""Constants shared by the tests."""

#: CLI flags of a tiny, quick run on the digits built-in.
TINY = ["--width", "8", "--batch-size", "32", "--z-dim", "16", "--eval-every", "0",
        "--sample-every", "10", "--checkpoint-every", "10", "--log-every", "5", "--quiet"]
