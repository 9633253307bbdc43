"""The file formats a service may ask CDP to page its input in."""

from enum import Enum


class RequestFileFormat(str, Enum):
    CSV = "csv"
    PARQUET = "parquet"
