"""Every check the job makes, per testcase (the in-process step tests cover each)."""

from __future__ import annotations

from flexlab.harness import dpd_capture, outage
from flexlab.harness.steps import baseline, converge, failure, measure, recovery, setup

#: Testcase -> the names of the checks it makes (templates take ``{spoke}``, ``{hub}``, ``{other}``).
CHECKS: dict[str, tuple[str, ...]] = {
    "CommonSetup": setup.CHECKS,
    "Baseline": baseline.CHECKS,
    "HubFailure": failure.CHECKS,
    "Failover": measure.CHECKS,
    "DpdSchedule": dpd_capture.CHECKS,
    "BgpConvergence": converge.CHECKS,
    "DataPlane": outage.CHECKS,
    "Recovery": recovery.CHECKS,
}
