"""Import path existing plugins use for the batch uploader."""

from pam.uploader import DEFAULT_BATCH_SIZE, ResultBatchUploader

__all__ = ["DEFAULT_BATCH_SIZE", "ResultBatchUploader"]
