"""Image certification: run the failover job over a matrix of images, keep the results in a
history database, and turn them into reports people and CI read.

- :mod:`flexlab.certify.matrix`: the matrix file (validated before anything is deployed)
- :mod:`flexlab.certify.runner`: per row, bring the lab up, run the job, collect, tear down
- :mod:`flexlab.certify.outputs`: summary.json, report.md, report.html, junit.xml, failover.png
- :mod:`flexlab.certify.history` / :mod:`flexlab.certify.trend`: SQLite history, trends, regressions
"""
