"""Errors that end a command with a one-line message instead of a traceback."""


class GkauditError(Exception):
    """Base class; `exit_code` is what the CLI returns."""

    exit_code = 3


class ConfigError(GkauditError):
    """Bad user input: targets file, option value, unknown check id. Exit code 2."""

    exit_code = 2


class ScannerOffline(GkauditError):
    """The scanner itself cannot reach the network (its resolver cannot resolve a control name). Exit 3."""

    exit_code = 3
