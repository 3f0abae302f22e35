"""How heavy and how fast the diagnosis page is for a 3 MB CI log, in Chromium.

Serves the app with production settings (gunicorn, DEBUG off, a scratch SQLite database with
the shipped catalogue), pastes a 3 MB CI-style log (real pip failures among generated noise, as
in bench/diagnose.py) into /diagnose/ and prints: the result page's size, the server's time to
the first byte, and the browser's time from the click to the loaded page, on desktop and with
the CPU slowed four times (a phone). Goal: a page under 300 KB that is loaded within 1 s on
desktop.

The server has diagnosed a one-line log first (through the API), so that it has compiled its
matcher as a running site has; each figure is the median of --runs pastes (their spread and
the machine's load average follow it), since a wall-clock time is only as steady as the
machine it is taken on.

    .venv/bin/python bench/diagnosis_page.py [--megabytes 3] [--runs 3]

Needs Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from serving import server_cpu_seconds, server_environment

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = 18150
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
NAVIGATION_TIMES = """() => {
    const entry = performance.getEntriesByType("navigation")[0];
    return {ttfb: entry.responseStart - entry.requestStart, loaded: entry.loadEventEnd - entry.responseStart};
}"""


def serve(env: dict[str, str]) -> subprocess.Popen:
    for command in (["migrate", "--noinput"], ["load_catalogue"], ["collectstatic", "--noinput"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "kb.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "1", "--timeout", "60"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def measure(browser, server: subprocess.Popen, log: str, cpu_slowdown: int) -> dict[str, float]:
    page = browser.new_page()
    if cpu_slowdown > 1:
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
    page.goto(f"http://127.0.0.1:{PORT}/diagnose/")
    page.locator("#id_log").evaluate("(textarea, log) => { textarea.value = log; }", log)
    # The paste is laid out (seconds for 3 MB in a textarea) before the person clicks: wait
    # for two frames so that this cost is not counted as the diagnosis's.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    cpu_before = server_cpu_seconds(server.pid)
    started = time.perf_counter()
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.click(".diagnose-form button[type=submit]")
    page.wait_for_load_state("load")
    clicked_to_loaded = time.perf_counter() - started
    times = page.evaluate(NAVIGATION_TIMES)
    server_cpu = server_cpu_seconds(server.pid) - cpu_before
    figures = {"bytes": len(posted.value.body()), "click_to_load": clicked_to_loaded, "server_cpu": server_cpu, **times}
    page.close()
    return figures


def warm_up() -> None:
    """One diagnosis, so that the server compiles its matcher before the timed pastes."""
    log = b"ERROR: No matching distribution found for x\n"
    urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/diagnose", data=log, timeout=60).read()


def report(name: str, runs: list[dict[str, float]]) -> None:
    def median(figure: str) -> float:
        return statistics.median(run[figure] for run in runs)

    clicks = sorted(run["click_to_load"] for run in runs)
    print(
        f"{name}: page {median('bytes') / 1024:.0f} KB; server CPU {median('server_cpu') * 1000:.0f} ms; "
        f"time to first byte {median('ttfb'):.0f} ms; "
        f"response to load {median('loaded'):.0f} ms; click to load {median('click_to_load'):.2f} s "
        f"(median of {len(runs)}, {clicks[0]:.2f}-{clicks[-1]:.2f} s; load "
        + " ".join(f"{average:.1f}" for average in os.getloadavg())
        + ")"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from diagnose import build_log  # noqa: PLC0415  (bench/diagnose.py sets Django up on import)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    log = build_log(args.megabytes, random.Random(7)).decode()
    with tempfile.TemporaryDirectory() as scratch:
        server = serve(server_environment(f"sqlite:///{Path(scratch) / 'bench.sqlite3'}", KB_RATE_LIMIT="1000"))
        try:
            warm_up()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                print(f"log: {len(log.encode()) / 1e6:.2f} MB, {log.count(chr(10)):,} lines")
                for name, slowdown in (("desktop", 1), ("phone (CPU 4x slower)", 4)):
                    report(name, [measure(browser, server, log, slowdown) for _ in range(args.runs)])
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
