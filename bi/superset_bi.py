"""Stock Superset on the published warehouse: configure, import the dashboard, serve, check.

Runs with the Python of Superset's own environment (`make bi` creates it from
`bi/requirements.txt`), never the project's: Superset pins its own Flask, SQLAlchemy and pandas.

    superset_bi.py up --published data/published/warehouse.duckdb --home data/bi [--port 8088]
        set up Superset's metadata database and admin user, import bi/dashboard (connected
        read-only to the published file), serve on 127.0.0.1, render every chart of the
        dashboard through the API (exit 1 if any fails), then keep serving until Ctrl-C.
    superset_bi.py check --url http://127.0.0.1:8088 --home data/bi
        render every chart of the dashboard of a running instance; exit 1 if any fails.
    superset_bi.py bundle --published PATH --out dashboard.zip
        the export bundle as a zip for "Import dashboard" in any Superset.

Secrets come from the environment (TCD_BI_SECRET_KEY, TCD_BI_ADMIN_PASSWORD); when unset, a
random one is made once and kept in the home folder (mode 600) for this local instance.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import requests

BUNDLE_DIR = Path(__file__).resolve().parent / "dashboard"
DASHBOARD_SLUG = "tcd"
ADMIN = "admin"
URI_PLACEHOLDER = "__TCD_PUBLISHED_DB__"


def _secret(home: Path, env: str, name: str) -> str:
    value = os.environ.get(env, "").strip()
    if value:
        return value
    path = home / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


def _environment(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "superset_config.py"
    config.write_text(
        "import os\n"
        "SECRET_KEY = os.environ['SUPERSET_SECRET_KEY']\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{home / 'superset.db'}'\n"
        "RATELIMIT_STORAGE_URI = 'memory://'\n"
        "BABEL_DEFAULT_LOCALE = 'en'\n"
        "SUPERSET_WEBSERVER_TIMEOUT = 120\n",
        encoding="utf-8",
    )
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(config),
        "SUPERSET_HOME": str(home),
        "SUPERSET_SECRET_KEY": _secret(home, "TCD_BI_SECRET_KEY", "secret_key"),
        "FLASK_APP": "superset.app:create_app()",
    }


def _superset(env: dict[str, str], *args: str) -> None:
    superset = Path(sys.executable).with_name("superset")
    proc = subprocess.run([str(superset), *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(
            f"superset {args[0]} failed / lệnh superset {args[0]} lỗi:\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )


def write_bundle(published: Path, out: Path, *, kind: str = "Dashboard") -> Path:
    """Zip bi/dashboard as a Superset export bundle, pointed at ``published`` (absolute).

    ``kind`` is the bundle type: ``Dashboard`` for *Dashboards → Import*, ``assets`` for the
    assets API, which overwrites every object it holds."""
    uri_path = str(published.resolve())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(BUNDLE_DIR.rglob("*.yaml")):
            text = path.read_text(encoding="utf-8").replace(URI_PLACEHOLDER, uri_path)
            if path.name == "metadata.yaml":
                text = text.replace("type: Dashboard", f"type: {kind}")
            bundle.writestr(f"tcd_dashboard/{path.relative_to(BUNDLE_DIR)}", text)
    return out


def setup(published: Path, home: Path) -> tuple[dict[str, str], str]:
    """Superset's metadata database, roles and admin user (idempotent)."""
    if not published.exists():
        sys.exit(
            f"Chưa có kho dữ liệu công bố tại {published}: chạy `make demo` trước. / "
            f"Nothing is published at {published}: run `make demo` first."
        )
    env = _environment(home)
    password = _secret(home, "TCD_BI_ADMIN_PASSWORD", "admin_password")
    _superset(env, "db", "upgrade")
    _superset(
        env, "fab", "create-admin", "--username", ADMIN, "--firstname", "TCD",
        "--lastname", "Admin", "--email", "admin@localhost", "--password", password,
    )  # fmt: skip
    _superset(env, "fab", "reset-password", "--username", ADMIN, "--password", password)
    _superset(env, "init")
    return env, password


def _session(url: str, password: str) -> requests.Session:
    """An API session as the admin: bearer token, CSRF token and its cookie."""
    session = requests.Session()
    login = session.post(
        f"{url}/api/v1/security/login",
        json={"username": ADMIN, "password": password, "provider": "db", "refresh": False},
        timeout=30,
    )
    login.raise_for_status()
    session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    csrf = session.get(f"{url}/api/v1/security/csrf_token/", timeout=30)
    csrf.raise_for_status()
    session.headers["X-CSRFToken"] = csrf.json()["result"]
    session.headers["Referer"] = url
    return session


def import_bundle(url: str, password: str, bundle: Path) -> None:
    """Import through the assets API, which overwrites every object of the bundle (the
    dashboard import keeps existing charts, datasets and databases as they were)."""
    session = _session(url, password)
    with open(bundle, "rb") as handle:
        answer = session.post(
            f"{url}/api/v1/assets/import/",
            files={"bundle": (bundle.name, handle, "application/zip")},
            data={"passwords": "{}"},
            timeout=300,
        )
    if not answer.ok:
        sys.exit(f"Import failed / nhập bảng điều khiển lỗi: {answer.status_code} {answer.text}")


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    superset = Path(sys.executable).with_name("superset")
    log = open(Path(env["SUPERSET_HOME"]) / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(superset), "run", "-h", "127.0.0.1", "-p", str(port), "--with-threads"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        if server.poll() is not None:
            sys.exit(f"Superset stopped at start; see {log.name}")
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    server.terminate()
    sys.exit(f"Superset did not answer on {url} within 120 s; see {log.name}")


def _query(form_data: dict) -> dict:
    """The query a chart's own front-end plug-in would send, for the viz types the bundle uses."""
    viz = form_data["viz_type"]
    if viz == "pivot_table_v2":
        columns = [*form_data.get("groupbyRows", []), *form_data.get("groupbyColumns", [])]
    elif viz.startswith("echarts_timeseries"):
        columns = [form_data["x_axis"], *form_data.get("groupby", [])]
    else:
        columns = list(form_data.get("groupby", []))
    return {
        "columns": columns,
        "metrics": form_data.get("metrics", []),
        "filters": [],
        "extras": {"having": "", "where": ""},
        "orderby": [],
        "row_limit": form_data.get("row_limit") or 10000,
    }


def check(url: str, password: str) -> int:
    """Render every chart of the dashboard through the chart-data API; the number that failed."""
    session = _session(url, password)
    listing = session.get(f"{url}/api/v1/dashboard/{DASHBOARD_SLUG}/charts", timeout=60)
    listing.raise_for_status()
    charts = listing.json()["result"]
    expected = len(list((BUNDLE_DIR / "charts").glob("*.yaml")))
    failures = 0
    if len(charts) != expected:
        print(f"FAIL dashboard has {len(charts)} charts, the bundle {expected}")
        failures += 1
    for chart in sorted(charts, key=lambda c: c["slice_name"]):
        form_data = chart["form_data"]
        datasource_id, datasource_type = str(form_data["datasource"]).split("__")
        payload = {
            "datasource": {"id": int(datasource_id), "type": datasource_type},
            "force": True,
            "queries": [_query(form_data)],
            "form_data": form_data,
            "result_format": "json",
            "result_type": "full",
        }
        answer = session.post(f"{url}/api/v1/chart/data", json=payload, timeout=120)
        name = chart["slice_name"]
        if not answer.ok:
            print(f"FAIL {name}: HTTP {answer.status_code} {answer.text[:500]}")
            failures += 1
            continue
        results = answer.json()["result"]
        errors = [r.get("error") for r in results if r.get("error") or r.get("status") == "failed"]
        rows = sum(r.get("rowcount") or 0 for r in results)
        if errors or rows == 0:
            print(f"FAIL {name}: {errors or 'no rows'}")
            failures += 1
        else:
            print(f"ok   {name}: {rows} rows")
    return failures


BROWSER_STATE = """
(() => {
  const text = document.body ? document.body.innerText : "";
  return JSON.stringify({
    loading: document.querySelectorAll('.loading, [data-test="loading-indicator"]').length,
    charts: document.querySelectorAll('canvas, table').length,
    errors: (text.match(/An error occurred|Unexpected error/g) || []).length,
  });
})()
"""


def check_in_browser(url: str, password: str, seconds: float = 120) -> int:
    """Open the dashboard in headless Chromium (when installed) and count the charts that show
    an error: a chart can answer the API and still fail to draw (a wrong option in its params)."""
    import json
    import re
    import shutil
    import socket

    import websocket  # websocket-client, a Superset dependency

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("skip browser check: no chromium on PATH")
        return 0
    session = requests.Session()
    page = session.get(f"{url}/login/", timeout=30)
    token = re.search(r'csrf_token[^>]*value="([^"]+)"', page.text).group(1)
    session.post(
        f"{url}/login/",
        data={"username": ADMIN, "password": password, "csrf_token": token},
        timeout=30,
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    browser = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
         f"--remote-debugging-port={port}", "--window-size=1600,1400", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        targets = None
        for _ in range(100):
            try:
                targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=2).json()
                break
            except requests.RequestException:
                time.sleep(0.3)
        target = next(t for t in targets or [] if t["type"] == "page")
        ws = websocket.create_connection(target["webSocketDebuggerUrl"], suppress_origin=True)
        counter = iter(range(1, 10**6))

        def call(method: str, **params):
            ident = next(counter)
            ws.send(json.dumps({"id": ident, "method": method, "params": params}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == ident:
                    return message.get("result", {})

        call("Network.enable")
        for name, value in session.cookies.get_dict().items():
            call("Network.setCookie", name=name, value=value, url=url)
        call("Page.navigate", url=f"{url}/superset/dashboard/{DASHBOARD_SLUG}/?standalone=1")
        expected = len(list((BUNDLE_DIR / "charts").glob("*.yaml")))
        deadline = time.monotonic() + seconds
        state = {}
        while time.monotonic() < deadline:
            time.sleep(2)
            result = call("Runtime.evaluate", expression=BROWSER_STATE, returnByValue=True)
            state = json.loads(result["result"]["value"])
            if not state["loading"] and state["charts"] + state["errors"] >= expected:
                break
        print(f"browser: {state}")
        return state.get("errors", 0) or (0 if state.get("charts", 0) >= expected else 1)
    finally:
        browser.kill()
        browser.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up")
    up.add_argument("--published", type=Path, required=True)
    up.add_argument("--home", type=Path, required=True)
    up.add_argument("--port", type=int, default=8088)
    up.add_argument("--no-wait", action="store_true", help="stop after the check")
    chk = sub.add_parser("check")
    chk.add_argument("--url", default="http://127.0.0.1:8088")
    chk.add_argument("--home", type=Path, required=True)
    bnd = sub.add_parser("bundle")
    bnd.add_argument("--published", type=Path, required=True)
    bnd.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "bundle":
        print(write_bundle(args.published, args.out))
        return
    if args.command == "check":
        password = _secret(args.home.resolve(), "TCD_BI_ADMIN_PASSWORD", "admin_password")
        failures = check(args.url, password) + check_in_browser(args.url, password)
        sys.exit(1 if failures else 0)
    home = args.home.resolve()

    def stop(signum, frame):  # SIGTERM stops the server as Ctrl-C does
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    env, password = setup(args.published, home)
    server = serve(env, args.port)
    url = f"http://127.0.0.1:{args.port}"
    try:
        assets = write_bundle(args.published, home / "assets.zip", kind="assets")
        import_bundle(url, password, assets)
        failures = check(url, password) + check_in_browser(url, password)
        if failures:
            sys.exit(f"{failures} chart(s) failed to render / {failures} biểu đồ lỗi")
        if args.no_wait:
            return
        print(
            f"\nSuperset: {url}/superset/dashboard/{DASHBOARD_SLUG}/ "
            f"(user {ADMIN}, password in TCD_BI_ADMIN_PASSWORD or {home / 'admin_password'}). "
            "Ctrl-C stops it."
        )
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
