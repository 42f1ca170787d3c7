"""What the command line does, as functions: train, sample, evaluate, report."""
