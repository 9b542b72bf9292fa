"""Exception base: every error a user can cause derives from FlexlabError and carries a
message that names the cause, so the CLI prints it without a traceback."""


class FlexlabError(Exception):
    """An error with a message meant for the user."""
