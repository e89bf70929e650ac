"""`watershed token …`: API tokens (访问令牌) with roles viewer < analyst < editor < admin."""

import json
import os
from pathlib import Path

import typer

from api.audit import cli_actor, record_separately
from api.auth import create_token, principal_for, revoke_token
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
#: The demo tokens themselves (only their hashes are in the database), so that `make run`
#: prints the same tokens again and every tablet signed in with one stays signed in.
DEMO_FILE = "demo-tokens.json"


def _kept_demo_tokens(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _keep_demo_tokens(path: Path, tokens: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(tokens, out)
    path.chmod(0o600)


@app.command()
@friendly_errors
def demo(
    new: bool = typer.Option(False, "--new", help="撤销现有演示令牌并重新创建"),
) -> None:
    """打印演示用的查看者与管理员令牌：仍有效的沿用（已登录的平板不会掉线），否则新建。"""
    ensure_up()
    settings = get_settings()
    path = settings.var_dir / DEMO_FILE
    kept = _kept_demo_tokens(path)
    engine = make_engine(settings)
    tokens, created = [], []
    try:
        migrate.upgrade(engine)
        for name, role in DEMO_TOKENS:
            token = None if new else kept.get(name)
            principal = principal_for(engine, token) if token else None
            if principal is None or (principal.name, principal.role) != (name, role):
                revoked = revoke_token(engine, name)
                token = create_token(engine, role, name)
                created.append(name)
                record_separately(
                    engine,
                    cli_actor(),
                    "token.create",
                    f"tokens/{name}",
                    detail={"token_role": role, "revoked": revoked, "demo": True},
                )
            tokens.append((name, role, token))
    finally:
        engine.dispose()
    _keep_demo_tokens(path, {name: token for name, _, token in tokens})
    if created:
        console.print(f"演示令牌（新建：{'、'.join(created)}；同名的旧演示令牌已撤销）：")
    else:
        console.print("演示令牌（沿用仍有效的令牌；--new 重新创建）：")
    for _name, role, token in tokens:
        typer.echo(f"  {role:<7} {token}")
