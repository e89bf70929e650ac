"""`watershed token …`: API tokens (访问令牌) with roles viewer < analyst < editor < admin."""

import typer

from api.audit import cli_actor, record_separately
from api.auth import create_token, revoke_token
from api.cli.common import console, friendly_errors
from api.cli.db import ensure_up
from layers import migrate
from layers.db import make_engine
from layers.models.system import ROLES
from layers.settings import get_settings

app = typer.Typer(help="访问令牌：创建与撤销 (API tokens)", no_args_is_help=True)


@app.command()
@friendly_errors
def create(
    role: str = typer.Option(..., "--role", "-r", help=f"角色：{' < '.join(ROLES)}"),
    name: str | None = typer.Option(
        None, "--name", "-n", help="令牌名称（记入审计日志），默认为角色名"
    ),
) -> None:
    """创建一个令牌；令牌只显示这一次（最后一行），数据库只保存其 SHA-256。"""
    ensure_up()
    engine = make_engine(get_settings())
    try:
        migrate.upgrade(engine)
        token = create_token(engine, role, name)
        record_separately(
            engine,
            cli_actor(),
            "token.create",
            f"tokens/{name or role}",
            detail={"token_role": role},
        )
    finally:
        engine.dispose()
    console.print(f"已创建令牌：名称 {name or role}，角色 {role}。请妥善保存，之后无法再次查看：")
    typer.echo(token)


@app.command()
@friendly_errors
def revoke(name: str = typer.Argument(..., help="要撤销的令牌名称")) -> None:
    """撤销某一名称的全部令牌。"""
    ensure_up()
    engine = make_engine(get_settings())
    try:
        count = revoke_token(engine, name)
        record_separately(
            engine, cli_actor(), "token.revoke", f"tokens/{name}", detail={"revoked": count}
        )
    finally:
        engine.dispose()
    console.print(f"已撤销 {count} 个令牌（名称 {name}）。")


DEMO_TOKENS = (("demo-viewer", "viewer"), ("demo-admin", "admin"))


@app.command()
@friendly_errors
def demo() -> None:
    """为演示创建查看者与管理员令牌（撤销上一次的演示令牌后重新创建并打印）。"""
    ensure_up()
    engine = make_engine(get_settings())
    try:
        migrate.upgrade(engine)
        tokens = []
        for name, role in DEMO_TOKENS:
            revoked = revoke_token(engine, name)
            tokens.append((name, role, create_token(engine, role, name)))
            record_separately(
                engine,
                cli_actor(),
                "token.create",
                f"tokens/{name}",
                detail={"token_role": role, "revoked": revoked, "demo": True},
            )
    finally:
        engine.dispose()
    console.print("演示令牌（登录地图或 Authorization: Bearer 使用；上一次的演示令牌已撤销）：")
    for _name, role, token in tokens:
        typer.echo(f"  {role:<7} {token}")
