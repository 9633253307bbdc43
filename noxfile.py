"""The one entry point: the demo, tests, lint and benchmarks. ``nox`` alone runs tests and lint."""

import json
import tempfile
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True
# Sessions run on the interpreter nox runs on (3.10+): nothing else is assumed on the machine.

REPO = Path(__file__).resolve().parent


@nox.session
def demo(session: nox.Session) -> None:
    """Scaffold a demo plugin, test its service, and run it end to end against the local CDP simulator."""
    session.install("./runtime", "pytest>=8")
    project = Path(tempfile.mkdtemp(prefix="pam-demo-")) / "demo_plugin"
    template = ["--template", str(REPO), "--vcs-ref", "HEAD"]  # this checkout, as it is
    session.run("pam", "init", str(project), *template)
    session.cd(project)
    session.run("pam", "new", "service", "rfm_segment", "--vcs-ref", "HEAD")
    session.run("pam", "test", "rfm_segment")
    session.run("pam", "run", "rfm_segment", "--out", str(project / "pam-run" / "demo"))
    summary = json.loads((project / "pam-run" / "demo" / "summary.json").read_text())
    session.log(json.dumps({key: summary[key] for key in ("status", "pages", "rows_in", "rows_out", "seconds")}))
    session.log(f"The demo plugin is in {project}; its run's results are in {project / 'pam-run' / 'demo'}")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the runtime installed from this checkout."""
    session.install("./runtime", "pytest>=8", "ruff>=0.6", "nox")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: a paged job and one large upload (time, peak memory), and pam init + new service."""
    session.install("./runtime")
    session.run("python", "bench/run.py", *session.posargs)
