"""The `watershed` command line (命令行)."""

import typer

from api.cli import baseline, db, demo, load, raster, token
from api.cli.check import check
from api.cli.overlap import overlap
from api.cli.serve import serve

app = typer.Typer(
    help="流域底线管控平台 (watershed bottom-line platform)",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(baseline.app, name="baseline")
app.command()(serve)
app.command(name="load")(load.load)
app.command()(check)
app.command()(overlap)
app.add_typer(token.app, name="token")
app.add_typer(demo.app, name="demo")
app.add_typer(raster.app, name="raster")
