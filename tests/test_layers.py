"""The apps depend downwards: import-linter's contract in pyproject.toml holds (issue 10).

CI runs `make test`, not `make lint`, so the contract is checked here too.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_layers_contract_is_kept():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


APPS = (
    "hall",
    "windows",
    "evaluations",
    "complaints",
    "rectification",
    "imports",
    "reports",
    "demo",
)


def lint_copy(tmp_path: Path, *, upward: str) -> subprocess.CompletedProcess:
    """lint-imports on a copy of the apps with one module added: `upward` (path, source)."""
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path, source = upward.split(":", 1)
    (tmp_path / path).write_text(source, encoding="utf-8")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("upward", "reported"),
    [
        ("windows/upward.py:import complaints.models\n", "windows.upward -> complaints.models"),
        (
            "complaints/upward.py:from rectification import models\n",
            "complaints.upward -> rectification.models",
        ),
        (
            "rectification/upward.py:import imports.visits\n",
            "rectification.upward -> imports.visits",
        ),
        ("evaluations/upward.py:import reports.models\n", "evaluations.upward -> reports.models"),
    ],
)
def test_an_upward_or_sideways_import_breaks_the_contract(tmp_path, upward, reported):
    result = lint_copy(tmp_path, upward=upward)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 1 broken." in result.stdout
    assert reported in result.stdout
