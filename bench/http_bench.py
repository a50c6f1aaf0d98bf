"""Cartable pages over HTTP: gunicorn on a cases dataset, N clients signed in as real
accounts, pages per second and latency. Numbers, not pass/fail.

Usage (on a database loaded by bench/cases_dataset.py; this bench only reads it, apart
from the session rows of its sign-ins):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench \\
        .venv/bin/python bench/http_bench.py --now 2026-11-28T12:00:00+03:30 \\
        [--workers 3] [--threads 1] [--clients 4] [--seconds 30]

What it does:
1. collectstatic into a scratch PISHKHAN_VAR_DIR (the production settings' manifest
   storage needs it; no static file is requested) and a session per account, signed in
   through Django's test client (the session rows land in the dataset's database).
2. Starts gunicorn on 127.0.0.1 with the production settings (DEBUG off, HTTPS off so
   that plain http works, a random SECRET_KEY), through bench/http_app.py, which freezes
   the clock at --now like bench/cartable.py does.
3. Each of --clients threads signs in as one account (round robin over --accounts) and
   requests its cartable's tabs in turn over one keep-alive connection, for --warmup
   seconds unrecorded, then --seconds recorded.
4. Reports pages per second, median / p95 / max latency as the clients saw it, and the
   CPU time the gunicorn workers (and PostgreSQL's backends, when the database is local)
   spent per page, read from /proc: the server's own work, whatever else runs beside it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from run import percentile  # noqa: E402 - after the path fix

DEFAULT_NOW = "2026-11-28T12:00:00+03:30"
DEFAULT_ACCOUNTS = ("tm-1113", "inspector-1108", "planner-1101", "district-3")
TICKS = os.sysconf("SC_CLK_TCK")


def server_environment(var_dir: Path, now: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="pishkhan.settings",
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PISHKHAN_VAR_DIR=str(var_dir),
        PISHKHAN_BENCH_NOW=now,
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(BENCH), env.get("PYTHONPATH", "")]),
    )
    return env


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- sign-ins and pages -----------------------------------------------------------------


def sessions_and_pages(
    accounts: list[str], env: dict[str, str]
) -> dict[str, tuple[str, str, list[str]]]:
    """For each account: its session cookie (name, value) and its cartable's tab URLs."""
    os.environ.update({k: env[k] for k in ("DEBUG", "HTTPS", "SECRET_KEY", "ALLOWED_HOSTS")})
    os.environ.update(PISHKHAN_VAR_DIR=env["PISHKHAN_VAR_DIR"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from pishkhan.accounts.access import load_principal
    from pishkhan.accounts.models import User
    from pishkhan.cases.cartable import CARTABLE_TABS, cartable_roles

    result = {}
    base = reverse("cases:cartable")
    for username in accounts:
        user = User.objects.get(username=username)
        roles = cartable_roles(load_principal(user))
        if not roles:
            raise SystemExit(f"{username} has no cartable")
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        urls = [f"{base}?{urlencode({'role': roles[0], 'tab': tab})}" for tab in CARTABLE_TABS]
        result[username] = (settings.SESSION_COOKIE_NAME, cookie, urls)
    return result


# --- the server -------------------------------------------------------------------------


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> Any:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "http_app:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        "--chdir",
        str(BENCH),
    ]
    server = subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603 - ours
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped; see its messages above")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/accounts/login/")
            connection.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped; see its messages above") from None
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def postgres_backends(database: str) -> list[int]:
    """The local PostgreSQL backends serving `database` (empty when it is remote)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if cmdline.startswith("postgres:") and f" {database} " in cmdline:
            pids.append(int(proc.name))
    return pids


# --- the clients ------------------------------------------------------------------------


@dataclass
class Client:
    cookie: str
    urls: list[str]
    samples: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


def drive(client: Client, port: int, record_from: float, stop_at: float) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": client.cookie, "Connection": "keep-alive"}
    index = 0
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        url = client.urls[index % len(client.urls)]
        index += 1
        try:
            connection.request("GET", url, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            client.errors[type(error).__name__] = client.errors.get(type(error).__name__, 0) + 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        took = time.perf_counter() - now
        if response.status != 200 or b"</html>" not in body:
            key = f"HTTP {response.status}"
            client.errors[key] = client.errors.get(key, 0) + 1
        elif now >= record_from:
            client.samples.append(took * 1000)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--now", default=DEFAULT_NOW, help="the frozen clock (as the dataset)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help=">1: gthread workers")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--accounts",
        type=lambda raw: [a.strip() for a in raw.split(",") if a.strip()],
        default=list(DEFAULT_ACCOUNTS),
    )
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database of bench/cases_dataset.py")
    database = url.rsplit("/", 1)[-1].split("?")[0]

    if not args.port:
        args.port = free_port()
    var_dir = Path(tempfile.mkdtemp(prefix="pishkhan-http-"))
    env = server_environment(var_dir, args.now)
    try:
        progress("collectstatic, sign-ins …")
        collectstatic(env)
        signed_in = sessions_and_pages(args.accounts, env)
        progress(f"gunicorn: {args.workers} workers × {args.threads} threads …")
        server = start_gunicorn(env, args.port, args.workers, args.threads)
        try:
            report = run(args, server, signed_in, database)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


def run(
    args: argparse.Namespace,
    server: Any,
    signed_in: dict[str, tuple[str, str, list[str]]],
    database: str,
) -> dict[str, Any]:
    accounts = list(signed_in)
    clients = []
    for i in range(args.clients):
        name, value, urls = signed_in[accounts[i % len(accounts)]]
        clients.append(Client(f"{name}={value}", urls))
    start = time.perf_counter()
    record_from = start + args.warmup
    stop_at = record_from + args.seconds
    threads = [
        threading.Thread(target=drive, args=(c, args.port, record_from, stop_at)) for c in clients
    ]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, record_from - time.perf_counter()))
    workers = children(server.pid)
    backends = postgres_backends(database)
    cpu_before = (cpu_seconds(workers), cpu_seconds(backends), time.process_time())
    wall_before = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall_before
    cpu_after = (cpu_seconds(workers), cpu_seconds(backends), time.process_time())
    samples = [s for c in clients for s in c.samples]
    errors: dict[str, int] = {}
    for c in clients:
        for key, count in c.errors.items():
            errors[key] = errors.get(key, 0) + count
    pages = len(samples)

    def per_page(seconds: float) -> float:
        return round(seconds * 1000 / pages, 2) if pages else 0.0

    return {
        "workers": args.workers,
        "threads": args.threads,
        "clients": args.clients,
        "accounts": accounts,
        "seconds": round(wall, 2),
        "pages": pages,
        "pages_per_second": round(pages / wall, 1) if wall else 0.0,
        "median_ms": round(statistics.median(samples), 1) if samples else 0.0,
        "p95_ms": round(percentile(samples, 0.95), 1) if samples else 0.0,
        "max_ms": round(max(samples), 1) if samples else 0.0,
        "worker_cpu_ms_per_page": per_page(cpu_after[0] - cpu_before[0]),
        "postgres_cpu_ms_per_page": per_page(cpu_after[1] - cpu_before[1]),
        "client_cpu_ms_per_page": per_page(cpu_after[2] - cpu_before[2]),
        "load_average": os.getloadavg(),
        "errors": errors,
        "cores": os.cpu_count(),
    }


def print_report(r: dict[str, Any]) -> None:
    print(
        f"| gunicorn | clients | pages/s | median ms | p95 ms | max ms | worker CPU ms/page "
        f"| PostgreSQL CPU ms/page | client CPU ms/page | errors |\n"
        f"|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
        f"| {r['workers']} × {r['threads']} | {r['clients']} | {r['pages_per_second']} "
        f"| {r['median_ms']} | {r['p95_ms']} | {r['max_ms']} | {r['worker_cpu_ms_per_page']} "
        f"| {r['postgres_cpu_ms_per_page']} | {r['client_cpu_ms_per_page']} "
        f"| {r['errors'] or 'none'} |"
    )
    print(
        f"\n{r['pages']} cartable pages in {r['seconds']} s over {r['cores']} cores, accounts "
        f"{', '.join(r['accounts'])}; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in r['load_average'])}."
    )


if __name__ == "__main__":
    main()
