"""`pivot serve`: the explorer in a web browser, through textual-serve.

textual-serve starts one explorer process per browser tab (the command given
to it, run by a shell) and carries the terminal to xterm.js over a websocket.
What is added here, all about who may read the corpus:

- loopback is the default; any other address is refused unless confirmed
  (`cli.py` asks), since anyone who can reach it reads the whole corpus;
- a request whose Host is not a loopback name is refused on a loopback bind,
  so a web page on another site cannot reach the explorer by pointing a
  name of its own at 127.0.0.1 (DNS rebinding);
- the websocket is refused unless its Origin is the page's own, so a page on
  another site open in the same browser cannot drive the explorer
  (websockets are not bound by the same-origin policy);
- the page asks nothing of another host: textual-serve's page links a font
  from a web font service, replaced here by the copy it ships itself;
- the Host header is read strictly (a name or an address, and a numeric port)
  and only its checked parts go into the page;
- at most `max_sessions` explorers run at once (each is a process of its own):
  one more tab gets a page, or a line on its terminal, saying so;
- an explorer ends with its server: it is started with `exec` (no shell left
  between them), and ends when the server dies (Linux's parent-death signal) or
  its input reaches its end (see end_with_server).

textual-serve is an optional dependency (the `serve` extra); this module
imports it only inside `make_server`, so the rest of pivot never needs it.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import os
import re
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from aiohttp import web

INSTALL_HINT = "pivot serve needs textual-serve: pip install textual-serve (or, in pivot's checkout: pip install -e '.[serve]')"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_FONT_LINK = re.compile(r'<link\b[^>]*href="https://fonts\.googleapis\.com/[^"]*"[^>]*>', re.IGNORECASE | re.DOTALL)
_LOCAL_FONT = """<style>
      @font-face {{
        font-family: "Roboto Mono";
        src: url("{static}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
        font-weight: 100 700;
      }}
    </style>"""


class ServeUnavailable(RuntimeError):
    """textual-serve is not installed."""


def is_loopback(host: str) -> bool:
    """Whether every address HOST names is on this machine only (127.0.0.0/8, ::1).

    A wildcard (0.0.0.0, ::, the empty name) is every interface, so not loopback;
    a name is looked up, and counts as loopback only when all it resolves to is."""
    name = host.strip().strip("[]").lower()
    if not name:
        return False
    if _is_loopback_literal(name):
        return True
    try:
        ipaddress.ip_address(name)
        return False
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses)


def _is_loopback_literal(name: str) -> bool:
    """A loopback name or address as written, with no lookup (for a request's Host)."""
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


SERVED_BY = "PIVOT_SERVED_BY"  # set for the explorers a server starts: the server's pid
DEFAULT_MAX_SESSIONS = 8  # explorers at once (each a Python process of 20-25 MB and more)


def explorer_command(data_dir: Path | None, db_path: Path | None) -> str:
    """The shell command textual-serve runs for each browser tab: this Python, this
    pivot, the same corpus and store (as absolute paths; $PIVOT_DATA and $PIVOT_DB are
    inherited when no option is given). `exec`: the shell becomes the explorer, so that
    the explorer's parent is the server and no shell is left behind when it ends."""
    argv = [sys.executable, "-m", "tui"]
    if data_dir is not None:
        argv += ["--data", str(Path(data_dir).resolve())]
    if db_path is not None:
        argv += ["--db", str(Path(db_path).resolve())]
    return "exec " + shlex.join(argv)


def end_with_server(server_pid: int) -> None:
    """In an explorer that `pivot serve` started: end when the server ends, however it ends.

    A server killed with SIGKILL cannot stop its explorers; each would live on, idle,
    its input at end of file. So: Linux's parent-death signal (SIGTERM, which the web
    driver turns into a clean exit) once the parent is gone, and, on every system, a
    watch on standard input that sends the same SIGTERM when the server's end of the
    pipe closes (poll's POLLHUP: nothing is read, the driver keeps reading its input).
    A server already gone before this ran is seen by the parent pid."""
    import select
    import signal
    import threading

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the watch on standard input remains
        pass
    if os.getppid() != server_pid:
        os._exit(0)  # the server is gone already
    try:
        fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else 0
        poller = select.poll()
        poller.register(fd, 0)  # POLLHUP and POLLERR are always reported
    except (OSError, ValueError, AttributeError):
        return

    def watch() -> None:
        while True:
            try:
                events = poller.poll()
            except InterruptedError:
                continue
            except OSError:
                return
            if any(ev & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, ev in events):
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="pivot-serve-watch", daemon=True).start()


_HOST = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::(?P<port>[0-9]{1,5}))?")


def parse_host(host_header: str) -> tuple[str, int | None] | None:
    """A Host header as (name or address in lower case, port), or None unless it is
    exactly a name (letters, digits, dots, hyphens), an IPv4 address or a bracketed IPv6
    address, with at most a numeric port: '127.0.0.1:8000' -> ('127.0.0.1', 8000),
    '[::1]:8000' -> ('::1', 8000); '127.0.0.1:x' and 'localhost#@evil.com' -> None."""
    m = _HOST.fullmatch(host_header or "")
    if m is None:
        return None
    port = int(m["port"]) if m["port"] is not None else None
    if port is not None and not 0 < port < 65536:
        return None
    if m["v6"] is not None:
        try:
            ipaddress.IPv6Address(m["v6"])
        except ValueError:
            return None
        return m["v6"].lower(), port
    return m["name"].lower(), port


def host_part(name: str, port: int | None) -> str:
    """A parsed Host written back ('::1', 8000 -> '[::1]:8000')."""
    shown = f"[{name}]" if ":" in name else name
    return shown if port is None else f"{shown}:{port}"


def full_text(max_sessions: int) -> str:
    return (
        f"pivot serve is running {max_sessions} explorer{'' if max_sessions == 1 else 's'}, as many as it "
        f"runs at once (--max-sessions {max_sessions}): close another tab of it, then reload this page."
    )


FULL_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pivot: every session in use</title></head>
<body style="background:#0c181f;color:#eee;font-family:monospace;padding:2em">
<p>{text}</p></body></html>
"""


def make_server(command: str, host: str, port: int, *, title: str = "pivot", max_sessions: int = DEFAULT_MAX_SESSIONS) -> Any:
    """A textual-serve Server for COMMAND on HOST:PORT, with the guards above.

    Raises ServeUnavailable when textual-serve is not installed."""
    try:
        import aiohttp_jinja2
        from aiohttp import WSMsgType, web  # noqa: F401  (textual-serve's own server)
        from textual_serve.server import Server
    except ImportError as exc:
        raise ServeUnavailable(INSTALL_HINT) from exc

    loopback_only = is_loopback(host)

    class PivotServer(Server):
        sessions = 0  # explorers running now

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(self._guard)
            return app

        @web.middleware
        async def _guard(
            self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
        ) -> web.StreamResponse:
            parsed = parse_host(request.host)
            if loopback_only and (parsed is None or not _is_loopback_literal(parsed[0]) or (parsed[1] is None and port != 80)):
                return web.Response(status=421, text="pivot serve answers only to a loopback address with its port\n")
            if parsed is None:
                return web.Response(status=400, text="pivot serve: the request's Host is not a name or an address\n")
            if request.path == "/ws":
                origin = request.headers.get("Origin")
                if origin is None or urlsplit(origin).netloc.lower() != request.host.lower():
                    return web.Response(status=403, text="websocket from another origin refused\n")
            return await handler(request)

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            if self.sessions >= max_sessions:
                return web.Response(
                    status=503, text=FULL_PAGE.format(text=html.escape(full_text(max_sessions))), content_type="text/html"
                )
            # Every URL of the page is the one the browser used (so http://localhost:8000
            # and http://127.0.0.1:8000 both work, and the websocket's Origin is the page's),
            # written from the Host's checked parts (the guard refused any other Host)
            parsed = parse_host(request.host)
            assert parsed is not None
            where = host_part(*parsed)
            base = f"{request.scheme}://{where}"
            font_size = 16
            with contextlib.suppress(ValueError):
                font_size = max(6, min(64, int(request.query.get("fontsize", "16"))))
            static = base + "/static/"
            context = {
                "font_size": font_size,
                "app_websocket_url": ("wss" if request.scheme == "https" else "ws") + f"://{where}/ws",
                "config": {"static": {"url": static}},
                "application": {"name": self.title},
            }
            response = aiohttp_jinja2.render_template("app_index.html", request, context)
            response.text = local_only_page(response.text or "", static)
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            if self.sessions >= max_sessions:
                # a tab opened while another took the last session: its terminal says so
                websocket = web.WebSocketResponse()
                await websocket.prepare(request)
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await websocket.send_bytes(("\r\n  " + full_text(max_sessions) + "\r\n").encode())
                await websocket.close()
                return websocket
            self.sessions += 1
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions -= 1

        async def on_startup(self, app: web.Application) -> None:
            self.console.print(f"pivot serve: open {self.public_url} in a browser (Ctrl+C to stop)", highlight=False)

    return PivotServer(command, host=host, port=port, title=title, public_url=display_url(host, port))


def local_only_page(page: str, static_url: str) -> str:
    """textual-serve's page with its links to other hosts (a web font) replaced by the
    font it ships in its static folder. The URL goes into a <style> block, where HTML's
    escapes mean nothing: any character but a URL's plain ones is %-encoded, so that no
    quote, angle bracket or backslash can end the url(), the rule or the block."""
    safe = quote(static_url, safe=":/[]@.-_~")
    return _FONT_LINK.sub(lambda m: _LOCAL_FONT.format(static=safe), page)


def display_url(host: str, port: int) -> str:
    """The address to open: a wildcard bind is shown as this machine's name."""
    name = host.strip("[]")
    if name in ("", "0.0.0.0", "::"):
        name = socket.gethostname()
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}"
