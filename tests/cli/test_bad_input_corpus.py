"""Every CLI entry point refuses the bad-input corpus: exit code 2, one line naming the file
or field, no traceback, and nothing written anywhere (not even the requested output dir)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
from badinputkit import DESIGNS, INSPECTS, MATRICES, history_files

from flexlab.cli import main
from flexlab.labs.embedded_testbed import default_lab_info, write_embedded_testbed
from flexlab.packaged import EMBEDDED_MATRIX, JOB_FILE


class Sandbox:
    """A private HOME, state dir and cwd; inputs in ``inputs``, the requested output in ``out``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inputs = root / "in"
        self.out = root / "out"
        self.inputs.mkdir()
        self.before: set[Path] = set()

    def snapshot(self) -> None:
        self.before = set(self.root.rglob("*"))

    def written(self) -> list[str]:
        """Files and directories created since the snapshot, inputs excepted."""
        return sorted(str(p.relative_to(self.root)) for p in set(self.root.rglob("*")) - self.before
                      if self.inputs not in p.parents)

    def file(self, name: str, data: bytes) -> Path:
        path = self.inputs / name
        path.write_bytes(data)
        return path


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    box = Sandbox(tmp_path)
    for var, sub in (("HOME", "home"), ("XDG_STATE_HOME", "xdg-state"), ("XDG_DATA_HOME", "xdg-data"),
                     ("FLEXLAB_STATE_DIR", "state"), ("MPLCONFIGDIR", "in/matplotlib")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return box


def refused(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, run, *mentions: str, bullets: bool = False) -> str:
    """Run ``run()`` and check the refusal; returns the error line. ``bullets``: the matrix
    reader lists every invalid row, one "  - " line each, under its one-line error."""
    capsys.readouterr()
    sandbox.snapshot()
    try:
        code = run()
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    lines = [line for line in captured.err.strip().splitlines() if not (bullets and line.startswith("  - "))]
    assert "Traceback" not in captured.err + captured.out
    assert code == 2, captured.err
    assert len(lines) == 1, captured.err
    for text in mentions:
        assert text in (captured.err if bullets else lines[0]), captured.err
    assert sandbox.written() == []
    return lines[0]


# -- design files through render, topology, lab up and the job ------------------------------------
DESIGN_ENTRY_POINTS = {
    "render": lambda f, out: ["render", "--kind", "cisco_iol", "--out", str(out), "--design", str(f)],
    "topology": lambda f, out: ["topology", "--kind", "cisco_iol", "-o", str(out / "t.clab.yml"), "--design", str(f)],
    "lab-up": lambda f, out: ["lab", "up", "--embedded", "--name", "corpus", "--design", str(f),
                              "--testbed-out", str(out / "testbed.yaml")],
}


@pytest.mark.parametrize("entry", list(DESIGN_ENTRY_POINTS))
@pytest.mark.parametrize(("case", "data", "expect"), DESIGNS, ids=[c[0] for c in DESIGNS])
def test_bad_design_is_refused(capsys, sandbox, entry, case, data, expect):
    design = sandbox.file(f"{case}.yaml", data)
    argv = DESIGN_ENTRY_POINTS[entry](design, sandbox.out)
    refused(capsys, sandbox, lambda: main(argv), str(design), expect)


@pytest.mark.parametrize(("case", "data", "expect"), DESIGNS, ids=[c[0] for c in DESIGNS])
def test_bad_design_is_refused_by_the_job(capsys, sandbox, monkeypatch, case, data, expect):
    design = sandbox.file(f"{case}.yaml", data)
    job = _job(sandbox, monkeypatch, "--design", str(design))
    refused(capsys, sandbox, job, str(design), expect)


# -- command-line values ----------------------------------------------------------------------------
BAD_ARGUMENTS = [
    (["lab", "up", "--embedded", "--name", "../../x"], "--name '../../x'"),
    (["lab", "status", "--name", "a/b"], "--name 'a/b'"),
    (["lab", "up", "--embedded", "--time-scale", "nan"], "--time-scale"),
    (["lab", "up", "--embedded", "--time-scale", "inf"], "--time-scale"),
    (["lab", "up", "--embedded", "--time-scale", "0"], "--time-scale"),
    (["lab", "up", "--embedded", "--time-scale", "-1"], "--time-scale"),
    (["lab", "up", "--embedded", "--spokes", "0"], "--spokes"),
    (["lab", "up", "--embedded", "--spokes", "9999"], "spokes"),
    (["lab", "up", "--embedded", "--testbed-out", "/dev/null/x"], "--testbed-out /dev/null/x"),
    (["lab", "up", "--embedded", "--config-dir", "/nonexistent/configs"], "--config-dir /nonexistent/configs"),
    (["lab", "up", "--embedded", "--image", "iol-99"], "--image 'iol-99'"),
    (["render", "--kind", "cisco_iol", "--out", "OUT", "--spokes", "0"], "--spokes"),
    (["render", "--kind", "cisco_iol", "--out", "OUT", "--spokes", "two"], "--spokes"),
    (["topology", "--kind", "cisco_iol", "-o", "OUT/t.yml", "--spokes", "-3"], "--spokes"),
]


@pytest.mark.parametrize(("argv", "expect"), BAD_ARGUMENTS, ids=[" ".join(a[0][:2] + a[0][-2:]) for a in BAD_ARGUMENTS])
def test_bad_argument_is_refused(capsys, sandbox, argv, expect):
    argv = [a.replace("OUT", str(sandbox.out)) for a in argv]
    refused(capsys, sandbox, lambda: main(argv), expect)


@pytest.mark.parametrize(("data", "expect"), [
    (b"hostname hub1\n\x00\x01binary\n", "binary"),
    ("hostname hub1\n".encode("utf-16"), "UTF-16"),
    (b"hostname caf\xe9\n", "not UTF-8"),
], ids=["binary", "utf16", "latin1"])
def test_config_dir_with_a_non_text_file_is_refused_before_the_lab_starts(capsys, sandbox, data, expect):
    configs = sandbox.inputs / "configs"
    configs.mkdir()
    bad = configs / "hub1.cfg"
    bad.write_bytes(data)
    argv = ["lab", "up", "--embedded", "--name", "corpus", "--config-dir", str(configs)]
    refused(capsys, sandbox, lambda: main(argv), str(bad), expect)


# -- inspect output, matrices, history ----------------------------------------------------------------
@pytest.mark.parametrize(("case", "data", "expect"), INSPECTS, ids=[c[0] for c in INSPECTS])
def test_bad_inspect_output_is_refused(capsys, sandbox, case, data, expect):
    inspect = sandbox.file(f"{case}.json", data)
    argv = ["testbed", "--from-inspect", str(inspect), "-o", str(sandbox.out / "testbed.yaml")]
    refused(capsys, sandbox, lambda: main(argv), str(inspect), expect)


@pytest.mark.parametrize("command", ["certify", "nightly"])
@pytest.mark.parametrize(("case", "data", "expect"), MATRICES, ids=[c[0] for c in MATRICES])
def test_bad_matrix_is_refused(capsys, sandbox, command, case, data, expect):
    matrix = sandbox.file(f"{case}.yaml", data)
    argv = [command, "--matrix", str(matrix), "--out", str(sandbox.out), "--history", str(sandbox.inputs / "h.sqlite")]
    refused(capsys, sandbox, lambda: main(argv), str(matrix), expect, bullets=True)


def test_bad_history_is_refused_by_trend(capsys, sandbox):
    for _case, history, expect in history_files(sandbox.inputs):
        argv = ["trend", "--history", str(history), "--out", str(sandbox.out)]
        refused(capsys, sandbox, partial(main, argv), str(history), expect)


def test_certify_refuses_an_output_directory_in_use(capsys, sandbox):
    sandbox.out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from flexlab.locks import lock_output_dir; "
         "held = lock_output_dir(Path(sys.argv[1])); print('held', flush=True); time.sleep(60)", str(sandbox.out)],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert holder.stdout.readline().strip() == "held"
        matrix = EMBEDDED_MATRIX
        argv = ["certify", "--matrix", str(matrix), "--out", str(sandbox.out), "--no-history"]
        refused(
            capsys, sandbox, lambda: main(argv), f"certify output directory {sandbox.out} is in use by pid {holder.pid}"
        )
    finally:
        holder.kill()
        holder.wait()


# -- the job's own arguments and testbed ----------------------------------------------------------------
def _job(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, *argv: str, testbed: Path | None = None):
    """The job file's main() with a pyATS runtime stand-in (it refuses before easypy runs anything)."""
    from pyats.topology import loader

    if testbed is None:
        testbed = write_embedded_testbed(default_lab_info(), ("admin", "admin"), sandbox.inputs / "testbed.yaml")
    spec = importlib.util.spec_from_file_location("flexvpn_failover_job_under_test", JOB_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, "argv", ["flexvpn_failover_job", "--report-dir", str(sandbox.out), *argv])
    runtime = SimpleNamespace(testbed=loader.load(str(testbed)), directory=str(sandbox.out / "runinfo"))
    return lambda: module.main(runtime)


def test_job_refuses_zero_iterations(capsys, sandbox, monkeypatch):
    refused(capsys, sandbox, _job(sandbox, monkeypatch, "--iterations", "0"), "--iterations")


def test_job_refuses_an_option_it_does_not_know(capsys, sandbox, monkeypatch):
    """easypy keeps its own options out of sys.argv, so a misspelt job option must not be ignored."""
    refused(capsys, sandbox, _job(sandbox, monkeypatch, "--failure-mdoe", "freeze"),
            "unrecognized arguments: --failure-mdoe freeze")


@pytest.mark.parametrize(("argv", "mention"), [
    (["--cumulative", "--hubs", "hub1"], "--cumulative needs at least two different hubs"),
    (["--cumulative", "--hubs", "hub1,hub2"], "--cumulative fails every hub of --hubs (hub1, hub2)"),
    (["--hubs", "hub1,hub7"], "--hubs names devices not in the testbed: hub7"),
    (["--expect-from", "configs"], "--expect-from configs needs --skip-config or --config-dir"),
    (["--expect-from", "everywhere"], "--expect-from"),
])
def test_job_refuses_hub_sequences_it_cannot_run(capsys, sandbox, monkeypatch, argv, mention):
    refused(capsys, sandbox, _job(sandbox, monkeypatch, *argv), mention)


def _three_hub_testbed(sandbox: Sandbox) -> Path:
    devices = "".join(f"  {name}: {{os: ios, type: router, custom: {{role: {role}}}, "
                      f"connections: {{cli: {{command: 'true'}}}}}}\n"
                      for name, role in (("hub1", "hub"), ("hub2", "hub"), ("hub3", "hub"), ("spoke1", "spoke")))
    return sandbox.file("three.yaml", ("testbed: {name: t, custom: {flexlab: {lab: embedded, name: corpus}}}\n"
                                       "devices:\n" + devices).encode())


def test_job_refuses_a_third_hub_the_design_does_not_describe(capsys, sandbox, monkeypatch):
    refused(capsys, sandbox, _job(sandbox, monkeypatch, "--skip-config", testbed=_three_hub_testbed(sandbox)),
            "has no node hub3", "--expect-from configs")


def test_job_refuses_a_device_without_connections(capsys, sandbox, monkeypatch):
    testbed = sandbox.file("testbed.yaml", b"testbed: {name: t, custom: {flexlab: {lab: embedded, name: corpus}}}\n"
                                           b"devices:\n  hub1: {os: iosxe, type: router, custom: {role: hub}, "
                                           b"connections: {}}\n")
    refused(capsys, sandbox, _job(sandbox, monkeypatch, testbed=testbed), "'hub1' has no 'cli' connection")


def test_job_refuses_a_binary_config_dir_file(capsys, sandbox, monkeypatch):
    configs = sandbox.inputs / "configs"
    configs.mkdir()
    (configs / "hub1.cfg").write_bytes(b"\x00\x00")
    refused(capsys, sandbox, _job(sandbox, monkeypatch, "--config-dir", str(configs)), "hub1.cfg is binary")


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1", "fast"])
def test_job_refuses_a_time_scale_no_lab_can_run(capsys, sandbox, monkeypatch, value):
    monkeypatch.setenv("FLEXLAB_TIME_SCALE", value)
    refused(capsys, sandbox, _job(sandbox, monkeypatch), "time scale")


# -- topology files for `lab up --embedded -t` --------------------------------------------------------
def _topology(nodes: str, links: str = "[]") -> bytes:
    return f"name: corpus\ntopology:\n  nodes:\n{nodes}\n  links: {links}\n".encode()


_IOL = "    {name}:\n      kind: cisco_iol\n      image: vrnetlab/cisco_iol:17.12.01\n"
BAD_TOPOLOGIES = [
    ("unknown-kind", _topology("    r1:\n      kind: linux\n      image: alpine:3\n"), "topology.nodes.r1.kind"),
    ("no-kind", _topology("    r1:\n      image: vrnetlab/cisco_iol:17.12.01\n"), "topology.nodes.r1.kind"),
    ("unknown-image", _topology("    r1:\n      kind: cisco_iol\n      image: vrnetlab/cisco_iol:15.1\n"),
     "topology.nodes.r1.image"),
    ("link-to-unknown-node", _topology(_IOL.format(name="r1"), "[{endpoints: ['r1:eth1', 'r9:eth1']}]"),
     "topology.links[0].endpoints[1]"),
    ("mgmt-port-in-a-link", _topology(_IOL.format(name="r1") + _IOL.format(name="r2"),
                                      "[{endpoints: ['r1:Ethernet0/0', 'r2:eth1']}]"),
     "topology.links[0].endpoints[0]"),
    ("port-used-twice", _topology(_IOL.format(name="r1") + _IOL.format(name="r2"),
                                  "[{endpoints: ['r1:eth1', 'r2:eth1']}, {endpoints: ['r1:e0/1', 'r2:eth2']}]"),
     "topology.links[1].endpoints[0]"),
    ("missing-startup-config", _topology(_IOL.format(name="r1") + "      startup-config: gone/r1.partial.cfg\n"),
     "topology.nodes.r1.startup-config"),
    ("no-nodes", b"name: corpus\ntopology:\n  nodes: {}\n", "topology.nodes"),
    ("no-name", b"topology:\n  nodes:\n    r1: {kind: cisco_iol, image: x}\n", "name"),
    ("not-yaml", b"name: [corpus\n", "not valid YAML"),
]


@pytest.mark.parametrize(("case", "data", "expect"), BAD_TOPOLOGIES, ids=[c[0] for c in BAD_TOPOLOGIES])
def test_bad_topology_is_refused_before_the_lab_starts(capsys, sandbox, case, data, expect):
    topology = sandbox.file(f"{case}.clab.yml", data)
    argv = ["lab", "up", "--embedded", "--name", "corpus", "-t", str(topology),
            "--testbed-out", str(sandbox.out / "testbed.yaml")]
    refused(capsys, sandbox, lambda: main(argv), str(topology), expect)


@pytest.mark.parametrize(("extra", "expect"), [
    ([], "topology file not found"), (["--spokes", "3"], "--spokes"), (["--image", "csr-17.3"], "--image"),
], ids=["missing-file", "with-spokes", "with-image"])
def test_topology_option_misuse_is_refused(capsys, sandbox, extra, expect):
    argv = ["lab", "up", "--embedded", "--name", "corpus", "-t", str(sandbox.inputs / "none.clab.yml"), *extra]
    refused(capsys, sandbox, lambda: main(argv), "none.clab.yml", expect)


def test_binary_startup_config_is_refused_before_the_lab_starts(capsys, sandbox):
    sandbox.file("r1.partial.cfg", b"hostname r1\n\x00\x01binary\n")
    topology = sandbox.file(
        "bin.clab.yml", _topology(_IOL.format(name="r1") + "      startup-config: r1.partial.cfg\n")
    )
    argv = ["lab", "up", "--embedded", "--name", "corpus", "-t", str(topology)]
    refused(capsys, sandbox, lambda: main(argv), "topology.nodes.r1.startup-config", "binary")
