"""The ``pam`` command: a thin front to the templates and tools of ``pam.cli``'s modules.

Each command only parses its flags and calls the Python API; a ``PamError`` becomes a
red line on stderr and exit status 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pam import __version__
from pam.errors import PamError

TEMPLATE_HELP = "Template repository (path or git URL). Default: the repository pam was installed from."
REF_HELP = "Git ref of the template (tag, branch, commit). Default: the tag of this pam version, if any."
SERVICE_REF_HELP = "Git ref of the template (tag, branch, commit). Default: the version the project came from."


class _Group(click.Group):
    """Turns pam's errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PamError as exc:
            raise click.ClickException(exc.message) from exc


def _template_options(ref_help: str = REF_HELP):
    def add(command):
        command = click.option("--vcs-ref", envvar="PAM_TEMPLATE_REF", help=ref_help)(command)
        return click.option("--template", envvar="PAM_TEMPLATE", help=TEMPLATE_HELP)(command)

    return add


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="pam")
def main() -> None:
    """Create, test, run and upgrade PAM Real CDP Data Plugin projects."""


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--project-name", help="The project's name. Default: the folder's name.")
@click.option("--python-version", type=click.Choice(["3.10", "3.11", "3.12", "3.13"]), help="Docker image Python.")
@click.option(
    "--requirements",
    type=click.Choice(["overwrite", "keep", "merge"]),
    help="What to do with an existing requirements.txt (asked when not given).",
)
@click.option("--force", is_flag=True, help="Overwrite other existing files the template also writes.")
@click.option("--no-git", is_flag=True, help="Do not `git init` the project.")
@_template_options()
def init(directory: Path, project_name, python_version, requirements, force, no_git, template, vcs_ref) -> None:
    """Create a plugin project in DIRECTORY (default: here)."""
    from pam.cli.scaffold import init_project
    from pam.cli.source import resolve_source

    root = init_project(
        directory,
        resolve_source(template, vcs_ref),
        project_name=project_name,
        python_version=python_version,
        requirements=requirements or _ask_requirements,
        force=force,
        git=not no_git,
    )
    click.secho(f"Created a pam project in {root}", fg="green")
    click.echo("Next: pam new service <name>   (e.g. pam new service rfm_segment)")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask_requirements(path: Path) -> str:
    if not _interactive():
        raise click.UsageError(f"{path} exists: pass --requirements overwrite, keep or merge")
    return click.prompt(
        f"{path.name} already exists: overwrite, keep or merge?",
        type=click.Choice(["overwrite", "keep", "merge"]),
        default="merge",
    )


@main.group(cls=_Group)
def new() -> None:
    """Add a part to the project."""


@new.command("service")
@click.argument("name")
@click.option("--force", is_flag=True, help="Render over an existing folder of that name.")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".", help="Project folder.")
@_template_options(SERVICE_REF_HELP)
def new_service(name: str, force: bool, project: Path, template, vcs_ref) -> None:
    """Add the service NAME (snake_case, e.g. rfm_segment) to the project."""
    from pam.cli.scaffold import new_service as create

    folder = create(project, name, template, vcs_ref, force=force)
    click.secho(f"Created service {folder.name}/", fg="green")
    click.echo(f"Next: write your logic in {folder.name}/functions.py, then: pam test {folder.name}")


@main.command("test", context_settings={"ignore_unknown_options": True})
@click.argument("name", required=False)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".", help="Project folder.")
def test_command(name: str | None, pytest_args: tuple[str, ...], project: Path) -> None:
    """Run the tests of service NAME (or of all services) with pytest; extra arguments go to pytest."""
    from pam.cli.project import find_root, run_tests

    sys.exit(run_tests(find_root(project), name, pytest_args))


@main.command()
@click.option("--vcs-ref", envvar="PAM_TEMPLATE_REF", help="Template version to move to. Default: the latest tag.")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".", help="Project folder.")
def update(vcs_ref: str | None, project: Path) -> None:
    """Bring the project and its services to a newer template, keeping your edits."""
    from pam.cli.scaffold import update_project

    report = update_project(project, vcs_ref)
    for folder in report.updated:
        click.echo(f"updated {folder}")
    if report.conflicts:
        click.secho("Conflicts to resolve (marked inline with <<<<<<< / >>>>>>>):", fg="yellow")
        for path in report.conflicts:
            click.echo(f"  {path}")
        sys.exit(1)
    click.secho("Up to date. Review with `git diff`, then commit.", fg="green")


@main.command("run")
@click.argument("service")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="CSV file (one per event type, in order), folder of CSVs, or folder of page folders. "
    "Repeatable. Default: sample data shipped with pam.",
)
@click.option("--page-rows", type=click.IntRange(min=1), default=1000, show_default=True, help="Rows per page.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A runtime parameter. Repeatable.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder. Default: pam-run/.")
@click.option("--dry-run", is_flag=True, help="Run fully, upload nothing (runtime parameter dry_run=true).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=600, show_default=True)
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".", help="Project folder.")
def run_command(service, inputs, page_rows, params, out, dry_run, timeout, project) -> None:
    """Run SERVICE end to end against a local CDP simulator and write what CDP would receive."""
    from pam.cli.progress import ProgressDisplay
    from pam.cli.project import find_root
    from pam.cli.run import run_service

    parameters = {}
    for item in params:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--param")
        parameters[key] = value
    display = ProgressDisplay(sys.stderr)
    try:
        result = run_service(
            find_root(project), service, inputs, page_rows, parameters, out, dry_run, timeout, progress=display
        )
    finally:
        display.close()
    summary = result.summary
    rows_out = ", ".join(f"{stream} {rows:,}" for stream, rows in summary["rows_out"].items()) or "none"
    click.echo(f"{summary['status']}: {summary['pages']['delivered']}/{summary['pages']['total']} pages, ", nl=False)
    click.echo(
        f"{summary['rows_in']:,} rows in, rows out: {rows_out}; {summary['uploads']['results']} upload(s) ", nl=False
    )
    click.echo(f"in {summary['seconds']:.1f} s")
    click.echo(f"results in {result.out} (summary.json, results/, reports.json, plugin.log)")
    if not result.ok:
        click.secho(f"the run failed: {result.reason}", fg="red", err=True)
        click.echo("the plugin's last log lines:", err=True)
        for line in result.log_lines[-40:]:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
