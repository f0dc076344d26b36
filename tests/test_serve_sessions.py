"""`pivot serve` under attack (issue 21, cases 6, 7 and 19): a killed server takes its explorers
with it, the number of explorers is bounded, and the Host header is read strictly.

Everything here is the real thing: `pivot serve` in its own process group on a free
127.0.0.1 port, real websockets (aiohttp's client, as a browser tab opens them, with the
page's Origin), the explorers it starts found in /proc by their parent, a real SIGKILL,
and each process's end waited for through a pidfd (no sleeping, no polling of the clock).
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from tui.serve import local_only_page, parse_host

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "small"
LOOPBACK = "127.0.0.1"


def _helpers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("browser_screenshot", ROOT / "scripts" / "browser_screenshot.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bs = _helpers()


def aiohttp() -> ModuleType:
    import aiohttp as module  # textual-serve's own HTTP library

    return module


def _need_textual_serve() -> None:
    if importlib.util.find_spec("textual_serve") is None:
        if os.environ.get("CI"):
            pytest.fail("textual-serve is not installed, though the test extra lists it")
        pytest.skip("textual-serve is not installed: pip install -e '.[test]'")


def _status(port: int, path: str = "/", host: str | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host if host is not None else f"{LOOPBACK}:{port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def served(tmp_path: Path, *options: str, host: str = LOOPBACK):
    """The real `pivot serve` with OPTIONS on a free port, answering (the browser test's
    helper): (process, port); stopped afterwards with every explorer it started."""
    return bs.serving(SMALL, tmp_path / "store.db", *options, host=host)


def children(pid: int) -> list[int]:
    """The processes whose parent is PID (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        fields = stat[stat.rindex(b")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def cmdline(pid: int) -> list[str]:
    with open(f"/proc/{pid}/cmdline", "rb") as fh:
        return [a.decode() for a in fh.read().split(b"\0") if a]


def wait_gone(pids: list[int], limit: float = 60, *, every: bool = True) -> None:
    """Block until every process in PIDS has ended (or, with every=False, one of them),
    through pidfds; fail after LIMIT seconds."""
    fds = []
    for pid in pids:
        try:
            fds.append(os.pidfd_open(pid))
        except ProcessLookupError:
            if not every:
                return
    try:
        deadline = time.monotonic() + limit
        waiting = list(fds)
        while waiting:
            ready, _, _ = select.select(waiting, [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"still running after {limit:.0f}s: {[p for p in pids if os.path.exists(f'/proc/{p}')]}"
            if not every:
                return
            waiting = [fd for fd in waiting if fd not in ready]
    finally:
        for fd in fds:
            os.close(fd)


async def open_tab(session, port: int):
    """A browser tab's websocket (the page's Origin), and the first bytes its explorer sent."""
    ws = await session.ws_connect(f"ws://{LOOPBACK}:{port}/ws?width=80&height=24", origin=f"http://{LOOPBACK}:{port}")
    message = await ws.receive(timeout=120)
    return ws, message


# --- 6. a killed server leaves no explorer behind ---------------------------------------


async def test_a_killed_server_takes_every_explorer_with_it(tmp_path: Path) -> None:
    _need_textual_serve()
    with served(tmp_path) as (server, port):
        async with aiohttp().ClientSession() as session:
            tabs = [await open_tab(session, port) for _ in range(2)]
            assert all(m.type == aiohttp().WSMsgType.BINARY for _, m in tabs)  # each explorer drew its screen
            explorers = children(server.pid)
            assert len(explorers) == 2
            # no shell between the server and its explorers (exec): the explorer is the child
            assert all(cmdline(p)[1:3] == ["-m", "tui"] for p in explorers), [cmdline(p) for p in explorers]
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
            wait_gone(explorers)
            for ws, _ in tabs:
                await ws.close()


def test_an_explorer_ends_when_its_input_ends(tmp_path: Path, small_db: Path) -> None:
    """The watch on standard input alone (the parent-death signal cannot fire: this test,
    its parent, lives on): the server's end of the pipe closes, the explorer ends."""
    _need_textual_serve()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIVOT_", "TEXTUAL"))}
    env.update(
        PIVOT_SERVED_BY=str(os.getpid()),
        TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
        PIVOT_STATE_DIR=str(tmp_path / "state"),
        PIVOT_KEYMAP=str(tmp_path / "keymap.toml"),
    )
    explorer = subprocess.Popen(
        [sys.executable, "-m", "tui", "--data", str(SMALL), "--db", str(small_db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        assert explorer.stdout is not None and explorer.stdin is not None
        assert explorer.stdout.readline() == b"__GANGLION__\n"  # the web driver started
        explorer.stdin.close()  # as the pipe of a server that died
        explorer.wait(timeout=60)
    finally:
        if explorer.poll() is None:
            explorer.kill()
            explorer.wait()


# --- 7. a bounded number of sessions ----------------------------------------------------


async def test_sessions_are_bounded_and_a_full_server_says_so(tmp_path: Path) -> None:
    _need_textual_serve()
    with served(tmp_path, "--max-sessions", "2") as (server, port):
        async with aiohttp().ClientSession() as session:
            first, second = [await open_tab(session, port) for _ in range(2)]
            assert len(children(server.pid)) == 2
            status, page = _status(port)
            assert status == 503 and "--max-sessions 2" in page and "close another tab" in page
            ws, message = await open_tab(session, port)  # a tab whose page came before the last session went
            assert message.type == aiohttp().WSMsgType.BINARY and b"as many as it runs at once" in message.data
            assert (await ws.receive(timeout=30)).type in (aiohttp().WSMsgType.CLOSE, aiohttp().WSMsgType.CLOSED)
            assert len(children(server.pid)) == 2  # no third explorer was started
            explorers = children(server.pid)
            await first[0].close()  # a tab closed: its explorer ends, its session is free
            wait_gone(explorers, every=False)
            deadline = time.monotonic() + 60
            while _status(port)[0] != 200:
                assert time.monotonic() < deadline, "the closed tab's session was never given back"
            third, message = await open_tab(session, port)
            assert message.type == aiohttp().WSMsgType.BINARY and b"as many as it runs" not in message.data
            assert len(children(server.pid)) == 2
            for ws in (second[0], third):
                await ws.close()


# --- 19. the Host header ------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, ok",
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("[::1]:8000", ("::1", 8000)),
        ("LOCALHOST:80", ("localhost", 80)),
        ("localhost", ("localhost", None)),
        ("127.0.0.1:x", None),
        ("localhost#@evil.com", None),
        ("localhost:8000#@evil.com", None),
        ('127.0.0.1:1"><script>alert(1)</script>', None),
        ("127.0.0.1:99999", None),
        ("[::1", None),
        ("user@127.0.0.1:8000", None),
        ("", None),
    ],
)
def test_a_host_header_is_a_name_or_an_address_and_a_numeric_port(host: str, ok) -> None:
    assert parse_host(host) == ok


def test_the_page_cannot_be_broken_out_of_by_its_url() -> None:
    html = '<link\n  rel="stylesheet"\n  href="https://fonts.googleapis.com/css?family=Roboto%20Mono"\n/>'
    out = local_only_page(html, 'http://127.0.0.1:1"></style><script>alert(1)</script>/static/')
    assert "<script" not in out and '"></style>' not in out and "\\" not in out
    assert out.count("</style>") == 1


def test_only_a_loopback_name_with_a_numeric_port_is_answered(tmp_path: Path) -> None:
    _need_textual_serve()
    with served(tmp_path) as (_, port):
        assert _status(port, host=f"localhost:{port}")[0] == 200
        assert _status(port, host=f"[::1]:{port}")[0] == 200
        for host in (
            f'127.0.0.1:{port}"><script>alert(1)</script>',
            "127.0.0.1:x",
            "localhost#@evil.com",
            f"localhost:{port}#@evil.com",
            "127.0.0.1",  # no port, and the server is not on port 80
        ):
            status, text = _status(port, host=host)
            assert status == 421 and "<script" not in text, (host, status)
        status, page = _status(port)
        assert status == 200 and f'url("http://127.0.0.1:{port}/static/fonts/' in page


def test_a_public_server_refuses_a_host_that_is_not_a_name(tmp_path: Path) -> None:
    """On another address than loopback any name is answered (that is what --public asks
    for), but only a name or an address with a numeric port: nothing else reaches the page."""
    _need_textual_serve()
    with served(tmp_path, "--public", host="0.0.0.0") as (_, port):
        status, page = _status(port, host=f"pivot.example:{port}")
        assert status == 200 and f"ws://pivot.example:{port}/ws" in page
        status, text = _status(port, host=f'pivot.example:{port}"><script>alert(1)</script>')
        assert status == 400 and "<script" not in text
