"""Typed, versioned result documents shared by the harness and certify (docs/results.md).

- :mod:`flexlab.results.job`: a job's per-run record (runs/<tag>.json) and its failover report
  (failover_report.json), with the per-case record and its nested DPD bound;
- :mod:`flexlab.results.records`: the nested records (DPD model, observed and declared schedule,
  a probe target's outage, the lab's description);
- :mod:`flexlab.results.certify`: the certification summary (summary.json);
- :mod:`flexlab.results.versioning`: the schema version rule and the validating loader;
- :mod:`flexlab.results.schema`: the committed JSON schemas (``python -m flexlab.results.schema``).

This package imports neither the harness, nor certify, nor the simulator.
"""
