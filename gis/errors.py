"""Domain errors (错误).

Every error the platform raises on bad input derives from :class:`WatershedError` and
carries a message meant for the person who supplied the input: what was wrong and how to
fix it. ``gis/``, ``layers/`` and ``etl/`` raise these; ``api/`` maps each class to an HTTP
status in one table and the CLI prints the message, so no web concern leaks into domain code.
"""


class WatershedError(Exception):
    """Base class of every error caused by input the user can correct."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class InvalidInputError(WatershedError):
    """Input that is malformed or out of range (bad value, bad geometry, unknown key)."""


class NotFoundError(WatershedError):
    """A referenced thing (layer, section, unit, project) does not exist."""


class ConflictError(WatershedError):
    """The request contradicts what is stored (an id reused for other content)."""


class TooLargeError(InvalidInputError):
    """An upload over its size limit."""


class UnsupportedMediaError(InvalidInputError):
    """An upload of a type the platform does not accept."""


class CrsError(InvalidInputError):
    """The coordinate reference system is missing, ambiguous or unsupported."""


class EncodingError(InvalidInputError):
    """An attribute table cannot be decoded without producing mojibake."""


class BaselineError(InvalidInputError):
    """A bottom-line list (底线管控清单) file is malformed or inconsistent."""


class DatabaseUnavailableError(WatershedError):
    """The database cannot be reached or lacks PostGIS."""
