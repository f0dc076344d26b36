"""`pivot serve`: the explorer in a real browser, and who may reach it.

The browser test starts `pivot serve` on a free 127.0.0.1 port with the small
corpus and a store of its own, opens it in Debian's headless Chromium through
Selenium and /usr/bin/chromedriver, waits (polling, bounded) until the claims
table is on the page's terminal, takes a screenshot, and checks that the page
asked for nothing but 127.0.0.1. The server and the browser are stopped in
every case (scripts/browser_screenshot.py: try/finally, timeouts).

Without Chromium it is skipped with the reason, except under CI ($CI set),
where .ci/run installs Chromium and its absence is a failure.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tui.serve import explorer_command, is_loopback, local_only_page

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "small"


def _helpers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("browser_screenshot", ROOT / "scripts" / "browser_screenshot.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bs = _helpers()


def _need_browser() -> None:
    problem = bs.browser_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test, but {problem} (.ci/run installs Chromium when /usr/bin/chromium is missing)")
    pytest.skip(problem)


def _need_textual_serve() -> None:
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("textual-serve is not installed, though the test extra lists it")
        pytest.skip("textual-serve is not installed: pip install -e '.[test]'")


def test_the_claims_table_renders_in_headless_chromium(tmp_path: Path) -> None:
    _need_browser()
    shot = tmp_path / "browser.png"
    with bs.served(SMALL, tmp_path / "store.db") as url, bs.chromium(1280, 800) as driver:
        assert url.startswith("http://127.0.0.1:")
        driver.get(url)
        screen = bs.wait_for_text(driver, ["Claims", "Meta cuts 8,000 employees", "19 claims"])
        assert "Microsoft laid off 15,000" in screen
        assert driver.save_screenshot(str(shot))
        assert bs.foreign_urls(bs.requested_urls(driver)) == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a drawn screen, not a blank page


def _get(port: int, path: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_only_loopback_names_and_the_pages_own_origin_are_answered(tmp_path: Path) -> None:
    _need_textual_serve()
    with bs.served(SMALL, tmp_path / "store.db") as url:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        assert _get(port, "/", {"Host": f"localhost:{port}"}) == 200
        # a name of another site pointed at 127.0.0.1 (DNS rebinding) is not answered
        assert _get(port, "/", {"Host": f"attacker.example:{port}"}) == 421
        upgrade = {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        }
        # a page of another site cannot open the explorer's websocket
        assert _get(port, "/ws", {**upgrade, "Origin": "http://attacker.example"}) == 403
        assert _get(port, "/ws", upgrade) == 403  # no Origin at all
        page = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            page.request("GET", "/")
            html = page.getresponse().read().decode()
        finally:
            page.close()
        assert "googleapis" not in html
        assert f"ws://127.0.0.1:{port}/ws" in html


def test_a_non_loopback_address_is_refused_without_a_terminal_or_public(tmp_path: Path) -> None:
    _need_textual_serve()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "serve",
            "--data",
            str(SMALL),
            "--db",
            str(tmp_path / "s.db"),
            "--host",
            "0.0.0.0",
            "--port",
            str(bs.free_port()),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "not a loopback address" in result.stderr and "may be private" in result.stderr
    assert "--public" in result.stderr
    assert not (tmp_path / "s.db").exists()  # refused before anything was built or bound


def test_without_textual_serve_it_says_how_to_install_it() -> None:
    code = "import sys; sys.modules['textual_serve'] = None\nfrom tui.cli import main\nmain(['serve'])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install textual-serve" in lines[0] and "'.[serve]'" in lines[0]


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
    ],
)
def test_what_counts_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_served_command_runs_the_same_corpus_and_store(tmp_path: Path) -> None:
    data = tmp_path / "my corpus"
    argv = shlex.split(explorer_command(data, tmp_path / "s.db"))
    assert argv == [
        "exec",
        sys.executable,
        "-m",
        "tui",
        "--data",
        str(data.resolve()),
        "--db",
        str((tmp_path / "s.db").resolve()),
    ]
    assert "--data" not in explorer_command(None, None)


def test_the_page_links_no_other_host() -> None:
    html = (
        '<link rel="stylesheet" href="http://127.0.0.1:1/static/css/xterm.css" />\n'
        '<link\n  rel="stylesheet"\n  href="https://fonts.googleapis.com/css?family=Roboto%20Mono"\n/>'
    )
    out = local_only_page(html, "http://127.0.0.1:1/static/")
    assert "googleapis" not in out and "xterm.css" in out
    assert 'url("http://127.0.0.1:1/static/fonts/RobotoMono-VariableFont_wght.ttf")' in out
