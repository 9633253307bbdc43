"""pam init / pam new service (pam.cli.scaffold): real Copier renders of this repository's templates."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from helpers import files_under, git

PROJECT_FILES = {
    ".copier-answers.yml",
    ".dockerignore",
    ".gitignore",
    "AGENT.md",
    "Dockerfile",
    "README.md",
    "gunicorn.conf.py",
    "main.py",
    "pyproject.toml",
    "requirements-dev.txt",
    "requirements.txt",
    "run_unit_test.sh",
}
SERVICE_FILES = {
    "rfm_segment/.copier-answers.yml",
    "rfm_segment/RfmSegmentSvc.py",
    "rfm_segment/__init__.py",
    "rfm_segment/functions.py",
    "rfm_segment/service.yaml",
    "rfm_segment/test_rfm_segment.py",
}


@pytest.fixture
def project(tmp_path, template, pam):
    """A project made by pam init from the tagged template."""
    result = pam("init", str(tmp_path / "demo"), "--template", str(template), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    return tmp_path / "demo"


def folder_with_requirements(tmp_path, text):
    """A folder that is not a project yet but has the author's requirements.txt."""
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "requirements.txt").write_text(text)
    return folder


def listing(folder):
    return [path for path in files_under(folder) if not path.startswith(".git/")]


def test_init_renders_the_seed_project_structure(project, template):
    assert set(listing(project)) == PROJECT_FILES
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers == {
        "_commit": "v0.3.0",
        "_src_path": str(template),
        "kind": "project",
        "project_name": "demo",
        "python_version": "3.12",
    }
    assert (
        f"pam-python @ git+file://{template}@v0.3.0#subdirectory=runtime" in (project / "requirements.txt").read_text()
    )
    assert (project / "run_unit_test.sh").stat().st_mode & 0o111
    assert git(project, "rev-parse", "--is-inside-work-tree").strip() == "true"
    assert "FROM python:3.12-slim" in (project / "Dockerfile").read_text()
    assert "workers = 1" in (project / "gunicorn.conf.py").read_text()


def test_new_service_renders_a_service_folder(project, pam):
    result = pam("new", "service", "rfm_segment", cwd=project)
    assert result.exit_code == 0, result.output
    assert set(listing(project)) == PROJECT_FILES | SERVICE_FILES
    assert yaml.safe_load((project / "rfm_segment/service.yaml").read_text()) == {
        "endpoint": "/RfmSegmentSvc",
        "class": "RfmSegmentSvc",
    }
    answers = yaml.safe_load((project / "rfm_segment/.copier-answers.yml").read_text())
    assert (answers["kind"], answers["service_name"], answers["_commit"]) == ("service", "rfm_segment", "v0.3.0")


def test_the_generated_project_passes_its_own_tests_and_lint(project, pam):
    for name in ("rfm_segment", "churn_score"):
        assert pam("new", "service", name, cwd=project).exit_code == 0
    assert pam("test", cwd=project).exit_code == 0
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=project, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    style = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=project, capture_output=True, text=True
    )
    assert style.returncode == 0, style.stdout


def test_pam_test_reports_failing_tests_and_unknown_services(project, pam):
    pam("new", "service", "rfm_segment", cwd=project)
    functions = project / "rfm_segment/functions.py"
    functions.write_text(functions.read_text().replace('frequency=("_id", "count")', 'frequency=("_id", "nunique")'))
    assert pam("test", "rfm_segment", cwd=project).exit_code == 0  # same result: still passes
    functions.write_text(functions.read_text().replace(".fillna(0)", ".fillna(1)"))
    assert pam("test", "rfm_segment", cwd=project).exit_code != 0
    unknown = pam("test", "nope", cwd=project)
    assert unknown.exit_code == 1
    assert "no service 'nope'" in unknown.output
    assert "rfm_segment" in unknown.output


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("1abc", "not allowed"),
        ("a-b", "not allowed"),
        ("../x", "not allowed"),
        ("Rfm", "not allowed"),
        ("class", "Python keyword"),
        ("match", "Python keyword"),
        ("json", "hide the Python module"),
        ("pandas", "hide the Python module"),
    ],
)
def test_bad_service_names_are_refused_and_nothing_is_written(project, pam, name, fragment):
    before = listing(project.parent)
    result = pam("new", "service", name, cwd=project)
    assert result.exit_code == 1
    assert fragment in result.output
    assert listing(project.parent) == before


def test_an_empty_or_missing_name_is_refused(project, pam):
    assert pam("new", "service", "", cwd=project).exit_code == 1
    missing = pam("new", "service", cwd=project)
    assert missing.exit_code == 2
    assert "Missing argument 'NAME'" in missing.output


def test_an_existing_folder_needs_force(project, pam):
    pam("new", "service", "rfm_segment", cwd=project)
    functions = project / "rfm_segment/functions.py"
    functions.write_text("# mine\n")
    (project / "rfm_segment/notes.txt").write_text("keep me")
    refused = pam("new", "service", "rfm_segment", cwd=project)
    assert refused.exit_code == 1
    assert "already exists" in refused.output
    assert functions.read_text() == "# mine\n"
    assert pam("new", "service", "rfm_segment", "--force", cwd=project).exit_code == 0
    assert "def summarize_customers" in functions.read_text()
    assert (project / "rfm_segment/notes.txt").read_text() == "keep me"


def test_outside_a_project_it_says_how_to_make_one(tmp_path, template, pam):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = pam("new", "service", "rfm_segment", "--template", str(template), cwd=elsewhere)
    assert result.exit_code == 1
    assert "pam init" in result.output
    assert listing(elsewhere) == []


def test_a_template_that_fails_to_render_leaves_nothing(project, pam, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "copier.yml").write_text("kind:\n  type: str\n  default: service\n_subdirectory: nowhere\n")
    before = listing(project.parent)
    result = pam("new", "service", "rfm_segment", "--template", str(broken), cwd=project)
    assert result.exit_code == 1
    assert "rendering the template" in result.output
    assert listing(project.parent) == before


def test_init_refuses_an_existing_project_and_clobbering_files(project, template, pam, tmp_path):
    again = pam("init", str(project), "--template", str(template))
    assert again.exit_code == 1
    assert "already a pam project" in again.output
    other = tmp_path / "other"
    other.mkdir()
    (other / "main.py").write_text("print('mine')\n")
    refused = pam("init", str(other), "--template", str(template))
    assert refused.exit_code == 1
    assert "main.py" in refused.output
    assert listing(other) == ["main.py"]
    assert pam("init", str(other), "--template", str(template), "--force").exit_code == 0
    assert "Server(app)" in (other / "main.py").read_text()


@pytest.mark.parametrize("mode", ["overwrite", "keep", "merge"])
def test_init_with_an_existing_requirements_file(tmp_path, template, pam, mode):
    mine = "requests==2.31.0\nPandas>=1.5  # pinned by me\n"
    folder = folder_with_requirements(tmp_path, mine)
    result = pam("init", str(folder), "--template", str(template), "--requirements", mode)
    assert result.exit_code == 0, result.output
    text = (folder / "requirements.txt").read_text()
    if mode == "keep":
        assert text == mine
    elif mode == "overwrite":
        assert "requests" not in text
        assert "pam-python @ git+file://" in text
    else:
        assert text.startswith(mine)
        assert "pam-python @ git+file://" in text
        assert "pandas>=2.0" not in text  # the author already names pandas


def test_init_asks_about_requirements_only_when_it_can(tmp_path, template, pam):
    folder = folder_with_requirements(tmp_path, "requests\n")
    result = pam("init", str(folder), "--template", str(template))
    assert result.exit_code == 2
    assert "--requirements" in result.output
    assert listing(folder) == ["requirements.txt"]


def test_plain_copier_renders_the_same_project(tmp_path, template, project, pam):
    pam("new", "service", "rfm_segment", cwd=project)
    plain = tmp_path / "plain"
    copier = [sys.executable, "-m", "copier", "copy", "--quiet", "--defaults"]
    subprocess.run([*copier, "-d", "project_name=demo", str(template), str(plain)], check=True)
    subprocess.run([*copier, "-d", "kind=service", str(template), str(plain / "rfm_segment")], check=True)
    assert listing(plain) == listing(project)
    for relative in listing(project):
        assert (plain / relative).read_text() == (project / relative).read_text(), relative


def test_init_prompts_for_requirements_on_a_terminal(tmp_path, template, pam, monkeypatch):
    folder = folder_with_requirements(tmp_path, "requests\n")
    monkeypatch.setattr("pam.cli._interactive", lambda: True)
    result = pam("init", str(folder), "--template", str(template), input="keep\n")
    assert result.exit_code == 0, result.output
    assert "overwrite, keep or merge?" in result.output
    assert (folder / "requirements.txt").read_text() == "requests\n"
