"""Benchmark service: one large ``_upload_result``."""
