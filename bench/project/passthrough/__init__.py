"""Benchmark service: passes every input row through to CDP in batches."""
