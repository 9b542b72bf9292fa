"""The failover job as staged steps: each takes values and returns values.

inputs (JobInputs, frozen) -> setup (connect, apply configs) -> learn (LearnedLab) ->
baseline (Baseline) -> failure (FailureRecord) -> measure (Measurements) -> converge
(Convergence) -> data plane (flexlab.harness.outage.DataPlane) -> recovery
(RecoveryResult) -> cleanup. The live resources (devices, lab, failure ledger) travel in
:class:`~flexlab.harness.steps.resources.JobResources`; :mod:`.record` writes the returned
values into the run's report record. ``flexlab/job/flexvpn_failover.py`` is a thin
sequence over them. :data:`.inventory.CHECKS` names every check the job makes, per testcase.
"""
