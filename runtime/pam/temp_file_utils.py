"""``TempfileUtils``: the temp-path helpers plugin code already calls (thin front to ``pam.temp``)."""

from __future__ import annotations

from typing import Any

from pam import temp


class _Roots(type):
    """Lets tests pin the roots with ``TempfileUtils.temp_base_path = ...``; unset, the environment rules."""

    @property
    def temp_base_path(cls) -> str:
        return str(temp.base_root())

    @temp_base_path.setter
    def temp_base_path(cls, value: str | None) -> None:
        temp.set_root("base", value)

    @property
    def temp_datasource_path(cls) -> str:
        return str(temp.datasource_root())

    @temp_datasource_path.setter
    def temp_datasource_path(cls, value: str | None) -> None:
        temp.set_root("datasource", value)


class TempfileUtils(metaclass=_Roots):
    """Paths in a job's temp folder ``TEMP_DATASOURCE_PATH/YYYY_MM_DD/<service>/<token>``.

    Plugin code never deletes these files: the framework removes old date folders.
    """

    @staticmethod
    def get_temp_path(service_name: str, token: str) -> str:
        """The job's folder (created), without a trailing slash."""
        return str(temp.job_dir(service_name, token))

    @staticmethod
    def get_temp_file_name(service_name: str, token: str, prefix: str = "", extension: str = "") -> str:
        """A unique file path ``<prefix>_<uuid>.<extension>`` in the job's folder."""
        return str(temp.unique_file(temp.job_dir(service_name, token), prefix, extension))

    @staticmethod
    def get_temp_path_for_service(service: Any, service_name: str) -> str:
        """The folder of ``service``'s job, without a trailing slash."""
        return str(temp.job_dir(service_name, service.request.token, getattr(service, "started_on", None)))

    @staticmethod
    def get_temp_file_name_for_service(service: Any, service_name: str, prefix: str = "", extension: str = "") -> str:
        """A unique file path in ``service``'s job folder."""
        folder = temp.job_dir(service_name, service.request.token, getattr(service, "started_on", None))
        return str(temp.unique_file(folder, prefix, extension))
