"""What every CLI command shares: settings, the console, and turning domain errors into exits."""

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from gis.errors import WatershedError

console = Console()
err_console = Console(stderr=True)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Print a WatershedError as a one-paragraph message and exit 1 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WatershedError as exc:
            err_console.print(f"[bold red]错误[/]：{exc}", highlight=False)
            raise typer.Exit(code=1) from None

    return wrapper


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def progress_bar(title: str, disabled: bool = False) -> Iterator[Callable[[str, float], None]]:
    """A rich progress bar on stderr, fed as ``progress(stage, fraction)`` by long jobs."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=disabled,
        transient=True,
    )
    task = bar.add_task(title, total=1.0)
    with bar:
        yield lambda stage, fraction: bar.update(task, description=stage, completed=fraction)
