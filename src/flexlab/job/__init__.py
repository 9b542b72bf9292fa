"""The pyATS job (``flexvpn_failover_job.py``) and its aetest testscript (``flexvpn_failover.py``).

They ship inside the package so an installed flexlab runs them; ``pyats run job`` takes the
job by path (flexlab.packaged.JOB_FILE).
"""
