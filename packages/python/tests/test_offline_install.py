"""The install route the README gives for a machine without PyPI: a venv over Debian's packages
(--system-site-packages) and pip with --no-index --no-build-isolation, taken here for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_pip_installs_the_client_into_a_venv_over_debians_packages_without_an_index(tmp_path: Path) -> None:
    # A copy: setuptools builds inside the source tree, which must stay clean.
    source = tmp_path / "latchkey-python"
    shutil.copytree(ROOT / "packages/python", source, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.egg-info", "build"))
    venv = tmp_path / "venv"
    # No index, no configuration: nothing may come from the network.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120, env=env)
    python = venv / "bin" / "python"
    r = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--no-build-isolation", str(source)],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Successfully installed latchkey-0.1.0" in r.stdout
    found = subprocess.run([str(python), "-c", "import latchkey, httpx; print(latchkey.__file__); print(latchkey.Client.__name__)"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env, check=True)
    where, name = found.stdout.split()
    assert Path(where).is_relative_to(venv) and name == "Client", found.stdout
