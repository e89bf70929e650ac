"""`watershed serve`: the API and the map, over HTTP or HTTPS (``--tls``, api/tls.py)."""

from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from api.cli.common import console, friendly_errors
from api.tls import ensure_local_certificates, machine_names
from layers.settings import get_settings


@friendly_errors
def serve(
    host: str | None = typer.Option(None, help="监听地址（默认 WATERSHED_HOST）"),
    port: int | None = typer.Option(None, help="端口（默认 WATERSHED_PORT）"),
    tls: bool = typer.Option(
        False,
        "--tls",
        envvar="WATERSHED_TLS",
        help="以 HTTPS 提供服务（平板离线使用与定位需要）；未给证书时自动生成本地 CA 与服务器证书",
    ),
    cert: Annotated[
        Path | None,
        typer.Option(envvar="WATERSHED_TLS_CERT", help="已有的服务器证书（PEM，可含证书链）"),
    ] = None,
    key: Annotated[
        Path | None, typer.Option(envvar="WATERSHED_TLS_KEY", help="证书的私钥（PEM）")
    ] = None,
    tls_name: Annotated[
        list[str] | None,
        typer.Option(
            "--tls-name",
            envvar="WATERSHED_TLS_NAMES",
            help="生成证书时另外包含的域名或 IP（可重复），如 NAT 地址或内网域名",
        ),
    ] = None,
) -> None:
    """启动 API 与地图服务。"""
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    ssl: dict = {}
    if cert or key:
        if not (cert and key):
            raise typer.BadParameter("--cert 与 --key 须同时给出 (give both --cert and --key)")
        tls = True
        ssl = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
        console.print(f"HTTPS 证书：{cert}")
    elif tls:
        names, addresses = machine_names(tls_name or [])
        files = ensure_local_certificates(settings.var_dir, names, addresses)
        ssl = {"ssl_certfile": str(files.certfile), "ssl_keyfile": str(files.keyfile)}
        console.print(f"HTTPS 证书（本地 CA 签发）：{files.certfile}")
        console.print("证书包含：" + "、".join([*names, *map(str, addresses)]))
        console.print(
            f"平板须先信任本地 CA：在平板浏览器打开 https://<本机地址>:{port}/ca 按说明操作"
        )
    scheme = "https" if tls else "http"
    console.print(f"地图与 API：{scheme}://{host}:{port}/  （API 文档：/docs）")
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, log_level="info", **ssl)
