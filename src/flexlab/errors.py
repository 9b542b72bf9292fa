"""Exception base: every error a user can cause derives from FlexlabError and carries a
message that names the cause, so the CLI prints it without a traceback."""


class FlexlabError(Exception):
    """An error with a message meant for the user."""


class TimingInputError(FlexlabError):
    """Configuration, log or clock input that timing cannot use (the message says why).

    Raised where the bound reads a running config (flexlab.bound) and where a failover is timed
    from logs and clocks (flexlab.failover_timing).
    """
