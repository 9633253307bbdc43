"""The one entry point: tests, lint, benchmarks and the demo. ``nox`` alone runs tests and lint."""

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True
# Sessions run on the interpreter nox runs on (3.10+): nothing else is assumed on the machine.


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the runtime installed from this checkout."""
    session.install("./runtime", "pytest>=8", "ruff>=0.6")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: wall time and peak memory of a paged job and of one large upload."""
    session.install("./runtime")
    session.run("python", "bench/run.py", *session.posargs)
