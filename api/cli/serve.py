"""`watershed serve`: the API and the map."""

import typer
import uvicorn

from api.cli.common import console, friendly_errors
from layers.settings import get_settings


@friendly_errors
def serve(
    host: str | None = typer.Option(None, help="监听地址（默认 WATERSHED_HOST）"),
    port: int | None = typer.Option(None, help="端口（默认 WATERSHED_PORT）"),
) -> None:
    """启动 API 与地图服务。"""
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    console.print(f"地图与 API：http://{host}:{port}/  （API 文档：/docs）")
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, log_level="info")
