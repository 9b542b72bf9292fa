"""The GitHub Actions workflows pass actionlint (types of expressions, contexts such as
strategy.job-total, job needs, the inputs of popular actions, shellcheck of run scripts when
installed), and the check fails on a broken workflow."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
WORKFLOWS = PROJECT / ".github" / "workflows"
CONFIG = PROJECT / ".github" / "actionlint.yaml"     # the self-hosted runners' labels
#: A workflow with two mistakes actionlint must find: a job that needs a job that does not
#: exist, and a matrix key that is not defined.
BROKEN = """\
name: broken
on: push
jobs:
  build:
    needs: [setup]
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ matrix.shard }}"
"""


def actionlint() -> str:
    """The actionlint the test extra installs (next to this Python), else one on PATH."""
    sibling = Path(sys.executable).with_name("actionlint")
    found = str(sibling) if sibling.exists() else shutil.which("actionlint")
    assert found, "actionlint is not installed: pip install -e '.[test]' (pyproject.toml, the test extra)"
    return found


def lint(*files: Path) -> subprocess.CompletedProcess[str]:
    command = [actionlint(), "-no-color", "-config-file", str(CONFIG), *map(str, files)]
    return subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=120)


def test_the_project_workflows_pass_actionlint() -> None:
    workflows = sorted(WORKFLOWS.glob("*.y*ml"))
    assert workflows   # there is something to check
    result = lint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_workflow_fails(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.write_text(BROKEN)
    result = lint(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'job "build" needs job "setup" which does not exist' in result.stdout
    assert 'property "shard" is not defined' in result.stdout


def test_the_gitlab_example_shards_with_auto_and_merges_with_options_the_cli_accepts() -> None:
    import shlex

    import yaml

    from flexlab.cli import build_parser

    pipeline = yaml.safe_load((PROJECT / "docs" / "examples" / "gitlab-ci.yml").read_text())
    certify, merge = pipeline["certify"], pipeline["merge"]
    assert certify["parallel"] >= 2 and merge["needs"] == ["certify"]

    def flexlab_args(job: dict, marker: str) -> list[str]:
        line = next(line for line in job["script"] if marker in line).split("||")[0]
        line = line.replace('"$MATRIX"', "src/flexlab/data/matrices/matrix.yaml")
        words = shlex.split(line)
        return words[words.index(".venv/bin/flexlab") + 1:]

    shard = build_parser().parse_args(flexlab_args(certify, "flexlab certify"))
    assert shard.func.__name__ == "run_certify" and shard.shard == "auto"
    merged = build_parser().parse_args(flexlab_args(merge, "flexlab certify merge"))
    assert merged.func.__name__ == "run_merge" and merged.trend
