"""The `watershed` command line (命令行)."""

import typer

from api.cli import baseline, db
from api.cli.check import check
from api.cli.serve import serve

app = typer.Typer(
    help="曾都区流域底线管控平台 (watershed bottom-line platform)",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(baseline.app, name="baseline")
app.command()(serve)
app.command()(check)
