"""Service discovery (pam.registry): every folder with service.yaml, failures reported by name."""

from __future__ import annotations

from pathlib import Path

from pam.registry import discover


def make_service(project: Path, folder: str, config: str, code: str | None = None, class_name: str = "Svc") -> None:
    (project / folder).mkdir(parents=True)
    (project / folder / "service.yaml").write_text(config)
    if code is not None:
        (project / folder / f"{class_name}.py").write_text(code)


SERVICE = "from pam.service import Service\n\n\nclass {name}(Service):\n    pass\n"


def test_good_folders_register_and_bad_ones_are_named(tmp_path):
    project = tmp_path / "proj"
    make_service(project, "reg_good", "endpoint: /GoodSvc\nclass: GoodSvc\n", SERVICE.format(name="GoodSvc"), "GoodSvc")
    make_service(project, "reg_plain", "endpoint: Plain\nclass: Plain\n", SERVICE.format(name="Plain"), "Plain")
    make_service(project, "reg_notsvc", "endpoint: /NotSvc\nclass: NotSvc\n", "class NotSvc:\n    pass\n", "NotSvc")
    make_service(project, "reg_list", "- a\n- b\n")
    make_service(project, "reg_badend", "endpoint: /a/b\nclass: Svc\n")
    make_service(project, "reg_dup", "endpoint: /GoodSvc\nclass: Dup\n", SERVICE.format(name="Dup"), "Dup")
    make_service(project, "reg-dash", "endpoint: /Dash\nclass: Dash\n", SERVICE.format(name="Dash"), "Dash")
    (project / "reg_not_a_service").mkdir()

    registry = discover(project)

    assert sorted(registry.services) == ["GoodSvc", "Plain"]
    assert registry.folders == {"GoodSvc": "reg_dup", "Plain": "reg_plain"}
    assert registry.errors == {
        "reg-dash": "folder name 'reg-dash' is not a Python package name",
        "reg_badend": "endpoint 'a/b' may hold only letters, digits, '-', '_' and '.' (and is not '.' or '..')",
        "reg_good": "endpoint /GoodSvc is already served by reg_dup/",
        "reg_list": "service.yaml must map `endpoint` and `class`",
        "reg_notsvc": "reg_notsvc.NotSvc has no class NotSvc derived from pam.service.Service",
    }
