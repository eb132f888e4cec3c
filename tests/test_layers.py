"""The apps depend downwards: import-linter's contract in pyproject.toml holds (issue 10).

CI runs `make test`, not `make lint`, so the contract is checked here too.
"""

import subprocess
import sys
from pathlib import Path

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


def test_an_upward_import_breaks_a_contract(tmp_path):
    # The same packages without the ignored imports: windows imports evaluations today.
    config = tmp_path / "importlinter.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_packages = ["hall", "windows", "evaluations", "reports"]\n'
        "\n"
        "[[tool.importlinter.contracts]]\n"
        'name = "windows does not import evaluations"\n'
        'type = "forbidden"\n'
        'source_modules = ["windows"]\n'
        'forbidden_modules = ["evaluations"]\n',
        encoding="utf-8",
    )
    result = lint_imports(str(config))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "windows.console.views -> evaluations.services.alerts" in result.stdout
