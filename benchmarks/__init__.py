"""flexlab benchmarks: harness speed, measurement precision and scale (issue 6).

Run them with ``make bench`` or ``.venv/bin/python -m benchmarks.run [NAME ...]``; each
prints its figures and writes ``benchmarks/results/<name>.json`` with the machine it ran
on. They are not tests: they take minutes, start embedded labs and real pyATS jobs.
"""
