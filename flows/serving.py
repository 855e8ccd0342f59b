"""`redcross serve`: the nightly and backfill deployments, served against a real Prefect server."""

from __future__ import annotations

from redcross.flows.backfill import backfill
from redcross.flows.nightly import nightly
from redcross.flows.plumbing.orchestration import answers, prefect_api_url

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"


class ServerUnreachable(RuntimeError):
    """No Prefect server answers where PREFECT_API_URL points (or it is not set)."""


def check_server(api_url: str | None = None) -> str:
    """The API URL of a Prefect server that answers its health check, or ServerUnreachable."""
    url = api_url or prefect_api_url()
    if not url:
        raise ServerUnreachable(
            "没有设置 PREFECT_API_URL：定时运行需要一个常驻的 Prefect 服务器（prefect server start）。\n"
            "PREFECT_API_URL is not set: schedules need a running Prefect server (`prefect server start`), "
            "e.g. export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    if not answers(url):
        raise ServerUnreachable(
            f"连不上 Prefect 服务器 {url}。请先运行 prefect server start。\n"
            f"cannot reach the Prefect server at {url}; start it with `prefect server start`"
        )
    return url


def serve_deployments(home: str) -> None:
    """Serve `nightly/nightly` (02:00 Asia/Shanghai) and `backfill/backfill` (on demand) until stopped."""
    from prefect import serve
    from prefect.schedules import Cron

    serve(
        nightly.prefect.to_deployment(
            name="nightly",
            schedule=Cron(NIGHTLY_CRON, timezone=TIMEZONE),
            parameters={"home": home},
            description="每晚 02:00 处理收件箱 / take in the inbox at 02:00 Asia/Shanghai",
        ),
        backfill.prefect.to_deployment(
            name="backfill",
            parameters={"home": home},
            description="按年份重新导入 / load chosen years again (years, unit, source)",
        ),
        limit=1,
    )
