"""The install part of the README's scripts, run against a stub apt-get on a machine without Chromium."""

import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system-packages.sh"

STUB = """#!/bin/sh
echo "DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-} apt-get $*" >> "$APT_LOG"
"""


def _run(tmp_path: Path, *args: str, chromium: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "apt-get"
    stub.write_text(STUB)
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "apt.log"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "APT_LOG": str(log),
        "WEBMAP_CHROMIUM": str(chromium),
    }
    env.pop("DEBIAN_FRONTEND", None)
    done = subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False)
    lines = log.read_text().splitlines() if log.exists() else []
    return done, lines


AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="as another user the script goes through sudo")


@AS_ROOT
def test_installs_chromium_when_absent(tmp_path):
    done, calls = _run(tmp_path, chromium=tmp_path / "no-chromium")
    assert done.returncode == 0, done.stderr
    assert calls == [
        "DEBIAN_FRONTEND=noninteractive apt-get update -qq",
        "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell",
    ]


@AS_ROOT
def test_adds_missing_tools_and_skips_present_ones(tmp_path):
    done, calls = _run(tmp_path, "webmap-no-such-tool", "sh", chromium=tmp_path / "no-chromium")
    assert done.returncode == 0, done.stderr
    assert calls[-1] == ("DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                         "chromium-headless-shell webmap-no-such-tool")


@AS_ROOT
def test_the_full_browser_when_asked_for(tmp_path):
    done, calls = _run(tmp_path, chromium=tmp_path / "absent" / "chromium")
    assert done.returncode == 0, done.stderr
    assert calls[-1] == "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium"


def test_nothing_runs_when_everything_is_there(tmp_path):
    present = tmp_path / "chromium"
    present.write_text("#!/bin/sh\n")
    present.chmod(0o755)
    done, calls = _run(tmp_path, "sh", chromium=present)
    assert done.returncode == 0, done.stderr
    assert calls == []
