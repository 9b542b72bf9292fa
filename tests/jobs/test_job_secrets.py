"""The job's archive, reports and testbed hold neither the PSK nor the password, and are
readable by their owner only (marker values in FLEXLAB_PSK / FLEXLAB_PASSWORD)."""

from __future__ import annotations

import stat
import zipfile

from jobkit import load_report

PSK_MARKER = "PskMarker-5f1c9e"
PASSWORD_MARKER = "PwMarker-a83d27"


def _private(path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def test_archive_reports_and_testbed_keep_the_secrets_out(job_env, tmp_path):
    job_env.env.update(FLEXLAB_PSK=PSK_MARKER, FLEXLAB_PASSWORD=PASSWORD_MARKER)
    testbed = job_env.lab_up("secrets")
    report_dir = tmp_path / "report"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1")
    assert result.returncode == 0, result.stdout[-4000:]
    assert load_report(report_dir)["passed"] is True   # the lab really ran with the marker login

    [archive] = report_dir.glob("archive/*/*.zip")
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        contents = {name: zipped.read(name) for name in names}
    assert "env.txt" in names and any(n.endswith(".log") and "-cli-" in n for n in names)
    # the CLI logs did carry the secrets before the scrub: their markers are there instead
    assert any(b"<redacted:FLEXLAB_PSK>" in data for data in contents.values())
    for name, data in contents.items():
        assert PSK_MARKER.encode() not in data, name
        assert PASSWORD_MARKER.encode() not in data, name
    assert _private(archive)

    files = [p for p in report_dir.rglob("*") if p.is_file() and p.suffix in (".json", ".md")]
    assert {p.name for p in files} >= {"failover_report.json", "failover_report.md"}
    for path in [*files, testbed]:
        text = path.read_bytes()
        assert PSK_MARKER.encode() not in text and PASSWORD_MARKER.encode() not in text, path
        assert _private(path), path
    assert _private(report_dir)
