"""Line types of a bottom-line list (底线类型), one module each, found by discovery.

A module here is a line type: its ``Spec`` (a pydantic model whose ``type`` literal is the
module's name) says what a list may write; its measurement lives in ``layers/lines/`` under
the same name. Adding a type means adding those two modules and their tests, nothing else.
"""

import importlib
import pkgutil
from typing import Annotated, Any, Union

from pydantic import Field

from gis.lines.base import LineSpec, Members, Reference, SectionRef

__all__ = ["LINE_TYPES", "LineSpec", "Members", "Reference", "SectionRef", "line_union"]


def _discover() -> dict[str, type[LineSpec]]:
    types: dict[str, type[LineSpec]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "base":
            continue
        spec = importlib.import_module(f"{__name__}.{info.name}").Spec
        (name,) = spec.model_fields["type"].annotation.__args__
        if name != info.name:
            raise RuntimeError(f"gis/lines/{info.name}.py declares type '{name}'")
        types[name] = spec
    return types


#: Every line type by name, in alphabetical order.
LINE_TYPES: dict[str, type[LineSpec]] = _discover()


def line_union() -> Any:
    """The pydantic type of one line of a list: a union discriminated by ``type``."""
    return Annotated[Union[tuple(LINE_TYPES.values())], Field(discriminator="type")]  # noqa: UP007
