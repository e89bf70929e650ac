"""Hand-written SQL of the layers package, one statement per ``.sql`` file, loaded with
importlib.resources. Use ``query(name)``: it is the one loader, shared by every module."""

from functools import cache
from importlib.resources import files

from sqlalchemy import TextClause, text


def quote_identifier(identifier: str) -> str:
    """A PostgreSQL identifier, quoted (for names taken from the registry, never from input)."""
    return '"' + identifier.replace('"', '""') + '"'


@cache
def template(name: str) -> str:
    """The text of ``layers/sql/<name>.sql`` (for statements assembled from registry names)."""
    return files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")


@cache
def query(name: str) -> TextClause:
    """The statement in ``layers/sql/<name>.sql`` as a bindable TextClause."""
    return text(template(name))
