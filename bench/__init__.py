"""Benchmark harness: the standard workload W1 and a load runner (``python -m bench run``)."""
