"""Where templates come from (pam.cli.source): explicit, environment, or the installed runtime's repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import git

from pam.cli import source
from pam.cli.source import TemplateSource, absolute, installed_repository, matching_tag, resolve_source
from pam.errors import UsageError


def test_an_explicit_template_wins_and_its_matching_tag_is_chosen(template):
    assert resolve_source(str(template)) == TemplateSource(str(template), "v0.3.0")
    assert resolve_source(str(template), "main") == TemplateSource(str(template), "main")


def test_environment_variables_name_the_template_and_ref(template, monkeypatch):
    monkeypatch.setenv("PAM_TEMPLATE", str(template))
    monkeypatch.setenv("PAM_TEMPLATE_REF", "HEAD")
    assert resolve_source() == TemplateSource(str(template), "HEAD")


def test_a_relative_path_is_recorded_absolute(template, monkeypatch):
    monkeypatch.chdir(template.parent)
    assert absolute(template.name) == str(template)
    assert absolute("https://example.com/pam.git") == "https://example.com/pam.git"


def test_a_folder_without_copier_yml_is_refused(tmp_path):
    with pytest.raises(UsageError, match=r"holds no copier\.yml"):
        absolute(str(tmp_path))


def test_no_matching_tag_leaves_the_choice_to_copier(template):
    git(template, "tag", "-d", "v0.3.0")
    assert matching_tag(str(template)) is None
    assert matching_tag(str(template.parent / "not-a-repository")) is None


class FakeDistribution:
    def __init__(self, direct_url: dict | None, urls: list[str]):
        self.direct_url, self.metadata = direct_url, {"Project-URL": urls}
        self.metadata = type("Meta", (), {"get_all": lambda _self, key: urls})()

    def read_text(self, name):
        return json.dumps(self.direct_url) if self.direct_url is not None else None


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        ({"url": "file://{repo}/runtime", "dir_info": {}}, "{repo}"),
        ({"url": "file://{repo}", "dir_info": {"editable": True}}, "{repo}"),
        ({"url": "https://git.example.com/pam.git", "vcs_info": {"vcs": "git"}}, "https://git.example.com/pam.git"),
        (None, "https://github.com/pam-real-cdp/pam-python"),
    ],
    ids=["local-runtime-folder", "editable-repo", "git-url", "metadata-url"],
)
def test_the_installed_repository_is_found(template, monkeypatch, direct_url, expected):
    if direct_url is not None:
        direct_url = {
            key: value.format(repo=template) if isinstance(value, str) else value for key, value in direct_url.items()
        }
    fake = FakeDistribution(direct_url, ["Repository, https://github.com/pam-real-cdp/pam-python"])
    monkeypatch.setattr(source, "distribution", lambda name: fake)
    assert installed_repository() == expected.format(repo=template)


def test_nothing_to_go_on_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(source, "distribution", lambda name: FakeDistribution(None, []))
    with pytest.raises(UsageError, match="--template"):
        installed_repository()


def test_this_checkout_is_what_an_install_from_it_points_to():
    """In the test environment the runtime is installed from this repository."""
    found = Path(installed_repository())
    assert (found / "copier.yml").is_file()
    assert (found / "runtime" / "pam").is_dir()
