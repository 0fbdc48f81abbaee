"""The one error type library code raises; only the CLI turns it into an exit code."""


class KitError(Exception):
    """A problem the kit can explain: bad input, a missing file, a failed build step."""
