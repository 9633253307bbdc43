"""Finding a project's services: every folder holding ``service.yaml`` (or ``service.yml``)."""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pam.errors import PamError
from pam.names import check_name
from pam.service import Service

log = logging.getLogger(__name__)
CONFIG_NAMES = ("service.yaml", "service.yml")


class ServiceLoadError(PamError):
    """A service folder that cannot be registered; the message says why."""


@dataclass
class Registry:
    services: dict[str, type[Service]] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)  # endpoint -> folder name
    errors: dict[str, str] = field(default_factory=dict)  # folder name -> reason


def discover(project_dir: Path) -> Registry:
    """Load every service folder of ``project_dir``; a folder that fails is reported, the rest still load."""
    registry = Registry()
    for folder in sorted(path for path in Path(project_dir).iterdir() if path.is_dir()):
        config = config_file(folder)
        if config is None:
            continue
        try:
            endpoint, service_cls = load_service(folder, config)
            if endpoint in registry.services:
                raise ServiceLoadError(f"endpoint /{endpoint} is already served by {registry.folders[endpoint]}/")
        except ServiceLoadError as exc:
            registry.errors[folder.name] = exc.message
            log.error("service folder %s/ not loaded: %s", folder.name, exc.message)
            continue
        registry.services[endpoint] = service_cls
        registry.folders[endpoint] = folder.name
        log.info("service /%s registered from %s/", endpoint, folder.name)
    return registry


def config_file(folder: Path) -> Path | None:
    """The folder's ``service.yaml`` (or ``service.yml``); None when it is not a service folder."""
    return next((folder / name for name in CONFIG_NAMES if (folder / name).is_file()), None)


def read_config(config_path: Path) -> tuple[str, str]:
    """The endpoint (without its leading ``/``) and class name a service config declares."""
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ServiceLoadError(
            f"{config_path.name} is not valid YAML: {getattr(exc, 'problem', None) or exc}{where}"
        ) from None
    if not isinstance(config, dict):
        raise ServiceLoadError(f"{config_path.name} must map `endpoint` and `class`")
    endpoint, class_name = config.get("endpoint"), config.get("class")
    if not isinstance(endpoint, str) or not isinstance(class_name, str):
        raise ServiceLoadError(f"{config_path.name} needs `endpoint: /<Name>` and `class: <ClassName>` as text")
    return check_name(endpoint.strip().lstrip("/"), "endpoint", ServiceLoadError), class_name


def load_service(folder: Path, config_path: Path) -> tuple[str, type[Service]]:
    """Read one folder's config and import its class; raise ServiceLoadError saying what is wrong."""
    endpoint, class_name = read_config(config_path)
    if not class_name.isidentifier():
        raise ServiceLoadError(f"class {class_name!r} is not a Python class name")
    if not folder.name.isidentifier():
        raise ServiceLoadError(f"folder name {folder.name!r} is not a Python package name")
    if not (folder / f"{class_name}.py").is_file():
        raise ServiceLoadError(f"class {class_name} should be in {folder.name}/{class_name}.py, which does not exist")
    project = str(folder.parent.resolve())
    if project not in sys.path:
        sys.path.insert(0, project)
    _forget_other_package(folder)
    module_name = f"{folder.name}.{class_name}"
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - whatever the import raised, report it by name
        raise ServiceLoadError(f"importing {module_name} failed: {type(exc).__name__}: {exc}") from None
    service_cls = getattr(module, class_name, None)
    if not (isinstance(service_cls, type) and issubclass(service_cls, Service)):
        raise ServiceLoadError(f"{module_name} has no class {class_name} derived from pam.service.Service")
    return endpoint, service_cls


def _forget_other_package(folder: Path) -> None:
    """Drop a same-named package another project loaded in this process, so this folder's code loads."""
    loaded = sys.modules.get(folder.name)
    if loaded is None or folder.resolve() in [Path(path).resolve() for path in getattr(loaded, "__path__", [])]:
        return
    for name in [name for name in sys.modules if name == folder.name or name.startswith(f"{folder.name}.")]:
        del sys.modules[name]
