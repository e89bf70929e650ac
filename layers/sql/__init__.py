"""Hand-written SQL, one statement per ``.sql`` file in this package, loaded with
importlib.resources: the one loader of packaged SQL, shared by every module (the loader's
``load_*.sql`` statements too).

One convention in every file: values are bound parameters written ``:name`` (casts as
``CAST(:name AS type)``, since ``:name::type`` is not a parameter to SQLAlchemy), and names
taken from the registry or a model (tables, columns; never from input) are ``{name}``.

- :func:`query` — a SQLAlchemy ``TextClause`` (connections and sessions);
- :func:`composed` — a psycopg ``Composed`` for the loader's raw cursors (COPY), the
  ``{name}`` parts filled with :mod:`psycopg.sql` identifiers and ``:name`` turned into
  psycopg's ``%(name)s``;
- :func:`template` — the text, for statements assembled from registry names.
"""

import re
from functools import cache
from importlib.resources import files

from psycopg import sql
from sqlalchemy import TextClause, text

# A bound parameter as SQLAlchemy's text() reads one: not a cast (::), not escaped (\:).
_PARAMETER = re.compile(r"(?<![:\w\\]):([A-Za-z_]\w*)(?![\w:])")


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


def parameters(statement: str) -> list[str]:
    """The bound parameters of a statement in this package's convention, in order."""
    return _PARAMETER.findall(statement)


@cache
def _psycopg_text(name: str) -> str:
    escaped = template(name).replace("%", "%%")
    return _PARAMETER.sub(r"%(\1)s", escaped)


def composed(name: str, **parts: sql.Composable) -> sql.Composed:
    """The statement ``name`` for a psycopg cursor, ``{placeholders}`` filled by ``parts``."""
    return sql.SQL(_psycopg_text(name)).format(**parts)
