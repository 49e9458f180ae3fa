"""Imports flow one way: sources ← claims ← claims.admin, claims.api, public,
and nothing of the project imports bench/ (STYLE.md). The contracts are
import-linter's, in pyproject.toml ([tool.importlinter]); this test runs them
with the suite, so CI refuses a wrong-way import."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_imports_keep_the_contracts_of_pyproject():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: " in result.stdout
    assert " 0 broken." in result.stdout
