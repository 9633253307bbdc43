"""Merging requirements by package name (pam.cli.requirements)."""

from __future__ import annotations

from pam.cli.requirements import merge_requirements

TEMPLATE = "# runtime\npam-python @ git+file:///repo@v1#subdirectory=runtime\npandas>=2.0\n"


def test_every_line_of_the_author_is_kept_and_missing_packages_added():
    ours = "-r base.txt\nrequests==2.31  # http\n\n# tools\nPandas>=1.5\n"
    merged = merge_requirements(ours, TEMPLATE)
    assert merged.startswith(ours)
    assert merged.count("pandas") + merged.count("Pandas") == 1
    assert merged.endswith("pam-python @ git+file:///repo@v1#subdirectory=runtime\n")


def test_names_compare_in_canonical_form():
    merged = merge_requirements("PAM_Python==0.1\npandas\n", TEMPLATE)
    assert merged == "PAM_Python==0.1\npandas\n"


def test_a_file_without_a_final_newline_or_empty():
    assert merge_requirements("requests", TEMPLATE).startswith("requests\n# Added by pam init:\n")
    assert merge_requirements("", TEMPLATE).count("\n") == 3
