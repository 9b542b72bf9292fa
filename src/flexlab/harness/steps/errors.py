"""The error a step of the job raises when it cannot do its work."""

from __future__ import annotations

from flexlab.errors import FlexlabError


class JobStepError(FlexlabError):
    """A step of the job could not do its work: a failure that left no log line, a node that
    does not answer again, expectations that were never learnt."""
