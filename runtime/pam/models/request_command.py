"""One command from CDP, as the service sees it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RequestCommand:
    """A ``start`` or ``dataset`` command, with the callback URLs CDP sent along.

    ``runtime_parameters`` holds every field CDP sent that has no built-in meaning, as
    strings; ``input_files`` the paths of a page's extracted files, sorted by name.
    """

    sqlite_download: str = ""
    sqlite_upload: str = ""
    runtime_parameters: dict[str, str] = field(default_factory=dict)
    token: str = ""
    cmd: str = ""
    data_api: str = ""
    response_api: str = ""
    is_end: bool = True
    next: str = ""
    input_files: list[str] = field(default_factory=list)
    service_name: str = ""
    log_api: str | None = None
    sqlite_download_v2: str | None = None
