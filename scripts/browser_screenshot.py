"""Make screenshots/browser.png: the real `pivot serve` on the bundled corpus, in
Debian's headless Chromium at 1280x800, driven by Selenium and the system's
chromedriver.

    python scripts/browser_screenshot.py [--data DIR] [-o screenshots/browser.png]

Needs the `test` extra (selenium, textual-serve) and `apt-get install chromium
chromium-driver`. The helpers here are also what tests/test_serve.py uses: a
server on a free loopback port that is always stopped, a browser that is
always quit, and a bounded wait for text on the page's terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
LOOPBACK = "127.0.0.1"
POLL = 0.1  # seconds between two looks; every wait is bounded by a deadline
# Without the background-networking flags Chromium calls home at start and this
# machine's closed network refuses it; --host-resolver-rules makes every name
# unresolvable, so nothing but the 127.0.0.1 address can be reached at all.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]
# The page's xterm.js draws on a canvas, so its text is not in the DOM. This script,
# run before the page's own, keeps the Terminal object textual-serve's client stores
# as `this.terminal`, so the screen can be read from xterm's own buffer: what it draws.
CAPTURE_TERMINAL_JS = """
(() => {
  const found = [];
  window.__pivotTerminals = found;
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
      if (value && value.buffer && value.buffer.active) found.push(value);
    },
  });
})();
"""
READ_SCREEN_JS = """
const t = (window.__pivotTerminals || [])[0];
if (!t || !document.body.classList.contains("-first-byte")) return null;
const b = t.buffer.active, lines = [];
for (let i = 0; i < t.rows; i++) {
  const line = b.getLine(b.viewportY + i);
  lines.push(line ? line.translateToString(true) : "");
}
return lines.join("\\n");
"""


class BrowserTestError(RuntimeError):
    """The server or the browser did not do what was waited for, in time."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
    try:
        conn.request("GET", "/")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextlib.contextmanager
def served(data_dir: Path, db_path: Path, *, port: int | None = None, timeout: float = 60.0) -> Iterator[str]:
    """`pivot serve` on a free loopback port in its own process group, until it answers;
    yields its URL; afterwards it (and every explorer it started) is always stopped."""
    with serving(data_dir, db_path, port=port, timeout=timeout) as (_, port):
        yield f"http://{LOOPBACK}:{port}/"


@contextlib.contextmanager
def serving(
    data_dir: Path,
    db_path: Path,
    *options: str,
    host: str = LOOPBACK,
    port: int | None = None,
    timeout: float = 60.0,
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`pivot serve --host HOST OPTIONS` on a free port in its own process group, until it
    answers on 127.0.0.1; yields the process and its port; afterwards it (and every
    explorer it started) is always stopped."""
    port = port or free_port()
    argv = [
        sys.executable,
        "-m",
        "tui",
        "serve",
        "--data",
        str(data_dir),
        "--db",
        str(db_path),
        "--host",
        host,
        "--port",
        str(port),
        *options,
    ]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
        )
        try:
            deadline = time.monotonic() + timeout
            while not _answers(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    said = log.read().decode("utf-8", "replace")
                    why = (
                        f"exited with {proc.returncode}" if proc.returncode is not None else f"not answering after {timeout:.0f}s"
                    )
                    raise BrowserTestError(f"pivot serve {why}:\n{said}")
                time.sleep(POLL)
            yield proc, port
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (textual-serve shuts down and quits its explorers), then SIGKILL to
    whatever is left of the process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def browser_problem() -> str | None:
    """Why the browser test cannot run here, or None."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return f"{' and '.join(missing)} not found: apt-get install chromium chromium-driver"
    for module, package in (("selenium", "selenium"), ("textual_serve", "textual-serve")):
        try:
            __import__(module)
        except ImportError:
            return f"{package} is not installed: pip install -e '.[test]'"
    return None


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 800, *, timeout: float = 30.0) -> Iterator[WebDriver]:
    """Headless Chromium from /usr/bin, through /usr/bin/chromedriver, with a fresh
    profile; always quit afterwards (driver, browser and profile)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="pivot-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={width},{height}")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        service = Service(executable_path=str(CHROMEDRIVER))
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.set_page_load_timeout(timeout)
            driver.set_script_timeout(timeout)
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
            )
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CAPTURE_TERMINAL_JS})
            yield driver
        finally:
            try:
                driver.quit()
            finally:
                service.stop()


def screen_text(driver: WebDriver) -> str | None:
    """The terminal's visible lines, as xterm.js holds them; None before the first output."""
    text = driver.execute_script(READ_SCREEN_JS)
    return text if isinstance(text, str) else None


def wait_for_text(driver: WebDriver, wanted: list[str], *, timeout: float = 60.0) -> str:
    """Poll the screen until every WANTED string is on it (and has stayed for one more
    look, so the frame is finished); the screen, else BrowserTestError with the last one."""
    deadline = time.monotonic() + timeout
    last: str | None = None
    seen_once = False
    while True:
        last = screen_text(driver)
        if last is not None and all(w in last for w in wanted):
            if seen_once:
                return last
            seen_once = True
        else:
            seen_once = False
        if time.monotonic() > deadline:
            raise BrowserTestError(f"not on the page after {timeout:.0f}s: {wanted!r}; the screen was:\n{last}")
        time.sleep(POLL)


def requested_urls(driver: WebDriver) -> list[str]:
    """Every URL the page asked for (requests and websockets), from Chromium's log."""
    import json

    urls: list[str] = []
    for entry in driver.get_log("performance"):  # type: ignore[no-untyped-call]
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(params["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            urls.append(params["url"])
    return urls


def foreign_urls(urls: list[str]) -> list[str]:
    """The URLs that go anywhere but 127.0.0.1 (data: and blob: are in the page; chrome:,
    chrome-untrusted: and about: are the browser's own first tab, never on the network:
    Chromium 150 asks its new-tab page for chrome-untrusted://new-tab-page/...)."""
    local = ("data", "blob", "chrome", "chrome-untrusted", "about")
    return [u for u in urls if urlsplit(u).scheme not in local and urlsplit(u).hostname != LOOPBACK]


def shoot(data_dir: Path, output: Path, *, wanted: list[str], width: int = 1280, height: int = 800) -> Path:
    """Serve DATA_DIR, open it, wait for WANTED on the screen, save a PNG at OUTPUT."""
    with (
        tempfile.TemporaryDirectory(prefix="pivot-serve-") as tmp,
        served(data_dir, Path(tmp) / "store.db") as url,
        chromium(width, height) as driver,
    ):
        driver.get(url)
        wait_for_text(driver, wanted)
        output.parent.mkdir(parents=True, exist_ok=True)
        if not driver.save_screenshot(str(output)):
            raise BrowserTestError(f"Chromium could not save {output}")
        foreign = foreign_urls(requested_urls(driver))
        if foreign:
            raise BrowserTestError(f"the page asked for other hosts: {foreign}")
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="corpus (default: the bundled one)")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "screenshots" / "browser.png")
    args = parser.parse_args()
    problem = browser_problem()
    if problem:
        sys.exit(f"error: {problem}")
    path = shoot(args.data, args.output, wanted=["Claims", "Meta"])
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
