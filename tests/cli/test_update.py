"""pam update (pam.cli.scaffold.update_project): a newer tagged template reaches an edited project."""

from __future__ import annotations

import shutil

import pytest
from helpers import git, release, tree

NEW_STATUS = 'return f"{self.pages_done} page(s) summarized"'


@pytest.fixture
def project(tmp_path, template, pam):
    """A committed project with two services, made from the template at v0.3.0."""
    folder = tmp_path / "demo"
    assert pam("init", str(folder), "--template", str(template), cwd=tmp_path).exit_code == 0
    for name in ("rfm_segment", "churn_score"):
        assert pam("new", "service", name, cwd=folder).exit_code == 0
    git(folder, "add", "-A")
    git(folder, "commit", "--quiet", "-m", "pam init")
    return folder


def newer_template(folder):
    """v0.4.0 of the template: gunicorn logs errors to stdout; services say 'summarized'."""
    conf = folder / "template/project/gunicorn.conf.py"
    conf.write_text(conf.read_text().replace('accesslog = "-"', 'accesslog = "-"\nerrorlog = "-"'))
    service = folder / "template/service/{{ class_name }}.py.jinja"
    service.write_text(service.read_text().replace('return f"{self.pages_done} page(s) done"', NEW_STATUS))


def test_update_brings_template_changes_and_keeps_the_authors_edits(project, template, pam):
    functions = project / "rfm_segment/functions.py"
    functions.write_text(functions.read_text().replace(".fillna(0)", ".fillna(0)  # the author: no amount, no money"))
    main = project / "main.py"
    main.write_text(main.read_text() + "# the author's line\n")
    git(project, "commit", "--quiet", "-am", "author's edits")
    release(template, "v0.4.0", newer_template)

    result = pam("update", cwd=project)

    assert result.exit_code == 0, result.output
    assert ".fillna(0)  # the author: no amount, no money" in functions.read_text()
    assert main.read_text().endswith("# the author's line\n")
    assert 'errorlog = "-"' in (project / "gunicorn.conf.py").read_text()
    for name in ("rfm_segment", "churn_score"):
        assert NEW_STATUS in (project / name / f"{''.join(p.title() for p in name.split('_'))}Svc.py").read_text()
        assert "_commit: v0.4.0" in (project / name / ".copier-answers.yml").read_text()
    assert "_commit: v0.4.0" in (project / ".copier-answers.yml").read_text()
    assert "git+file://" in (project / "requirements.txt").read_text()
    assert "@v0.4.0#subdirectory=runtime" in (project / "requirements.txt").read_text()
    assert pam("test", cwd=project).exit_code == 0


def test_an_untouched_project_updated_equals_a_fresh_render(project, template, pam, tmp_path):
    release(template, "v0.4.0", newer_template)
    assert pam("update", cwd=project).exit_code == 0
    fresh = tmp_path / "fresh" / "demo"
    assert pam("init", str(fresh), "--template", str(template), "--vcs-ref", "v0.4.0").exit_code == 0
    for name in ("rfm_segment", "churn_score"):
        assert pam("new", "service", name, cwd=fresh).exit_code == 0
    assert tree(project) == tree(fresh)


def test_a_sibling_service_is_unaffected_by_anothers_edits(project, template, pam):
    svc = project / "rfm_segment/RfmSegmentSvc.py"
    svc.write_text(svc.read_text().replace('"summary"', '"rfm"'))
    git(project, "commit", "--quiet", "-am", "rename the stream")
    release(template, "v0.4.0", newer_template)
    assert pam("update", cwd=project).exit_code == 0
    assert '"rfm"' in svc.read_text()
    sibling = (project / "churn_score/ChurnScoreSvc.py").read_text()
    assert '"summary"' in sibling
    assert '"rfm"' not in sibling


def test_a_conflicting_edit_is_marked_inline_and_listed(project, template, pam):
    svc = project / "rfm_segment/RfmSegmentSvc.py"
    svc.write_text(svc.read_text().replace('page(s) done"', 'page(s) processed so far"'))
    git(project, "commit", "--quiet", "-am", "my status line")
    release(template, "v0.4.0", newer_template)

    result = pam("update", cwd=project)

    assert result.exit_code == 1
    assert "rfm_segment/RfmSegmentSvc.py" in result.output
    text = svc.read_text()
    assert "<<<<<<< before updating" in text
    assert "page(s) processed so far" in text
    assert "page(s) summarized" in text
    assert "<<<<<<<" not in (project / "churn_score/ChurnScoreSvc.py").read_text()


def test_a_dirty_tree_is_refused_with_what_to_do(project, template, pam):
    release(template, "v0.4.0", newer_template)
    (project / "main.py").write_text("# half done\n")
    result = pam("update", cwd=project)
    assert result.exit_code == 1
    assert "commit or stash" in result.output
    assert (project / "main.py").read_text() == "# half done\n"
    assert "_commit: v0.3.0" in (project / ".copier-answers.yml").read_text()


def test_a_project_not_under_git_is_refused(project, pam):
    shutil.rmtree(project / ".git")
    result = pam("update", cwd=project)
    assert result.exit_code == 1
    assert "not under git" in result.output


def test_plain_copier_update_works_too(project, template):
    import subprocess
    import sys

    release(template, "v0.4.0", newer_template)
    copier = [sys.executable, "-m", "copier", "update", "--quiet", "--defaults"]
    subprocess.run([*copier, "."], cwd=project, check=True)
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "project updated")
    subprocess.run([*copier, "rfm_segment"], cwd=project, check=True)
    assert 'errorlog = "-"' in (project / "gunicorn.conf.py").read_text()
    assert NEW_STATUS in (project / "rfm_segment/RfmSegmentSvc.py").read_text()


def test_a_new_service_comes_at_the_projects_version_unless_told(project, template, pam):
    release(template, "v0.4.0", newer_template)
    assert pam("new", "service", "same_version", cwd=project).exit_code == 0
    assert pam("new", "service", "newer_version", "--vcs-ref", "v0.4.0", cwd=project).exit_code == 0
    assert "_commit: v0.3.0" in (project / "same_version/.copier-answers.yml").read_text()
    assert "_commit: v0.4.0" in (project / "newer_version/.copier-answers.yml").read_text()
    assert NEW_STATUS in (project / "newer_version/NewerVersionSvc.py").read_text()
