"""Every command the demo prints under "Try next" works as printed (issue 14, item 8).

They are run through a shell exactly as a newcomer would paste them, `uv run`
and all, in the folder the demo ran in; `UV_PROJECT` points uv at this
checkout as running them from the clone would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is installed by `make setup`")
def test_the_demos_try_next_commands_run_as_printed(tmp_path):
    demo = subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--db", "demo.db"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    tail = demo.stdout.split("\nTry next", 1)[1].splitlines()[1:]
    commands = [line.strip() for line in tail if line.strip()]
    assert len(commands) == 10
    env = os.environ | {"UV_PROJECT": str(ROOT), "UV_FROZEN": "1"}
    for command in commands:
        assert command.startswith("uv run isf-ledger --db demo.db "), command
        run = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert run.returncode == 0, (command, run.stderr)
        assert "Traceback" not in run.stderr, command
    assert "<svg" in (tmp_path / "morag.html").read_text()
