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
  from a web font service, replaced here by the copy it ships itself.

textual-serve is an optional dependency (the `serve` extra); this module
imports it only inside `make_server`, so the rest of pivot never needs it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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


def explorer_command(data_dir: Path | None, db_path: Path | None) -> str:
    """The shell command textual-serve runs for each browser tab: this Python, this
    pivot, the same corpus and store (as absolute paths; $PIVOT_DATA and $PIVOT_DB are
    inherited when no option is given)."""
    argv = [sys.executable, "-m", "tui"]
    if data_dir is not None:
        argv += ["--data", str(Path(data_dir).resolve())]
    if db_path is not None:
        argv += ["--db", str(Path(db_path).resolve())]
    return shlex.join(argv)


def _host_name(host_header: str) -> str:
    """'127.0.0.1:8000' -> '127.0.0.1', '[::1]:8000' -> '::1'."""
    parsed = urlsplit(f"//{host_header}")
    return (parsed.hostname or "").lower()


def make_server(command: str, host: str, port: int, *, title: str = "pivot") -> Any:
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
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(self._guard)
            return app

        @web.middleware
        async def _guard(
            self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
        ) -> web.StreamResponse:
            host_name = _host_name(request.host)
            if loopback_only and not _is_loopback_literal(host_name):
                return web.Response(status=421, text="pivot serve answers only to a loopback address\n")
            if request.path == "/ws":
                origin = request.headers.get("Origin")
                if origin is None or urlsplit(origin).netloc.lower() != request.host.lower():
                    return web.Response(status=403, text="websocket from another origin refused\n")
            return await handler(request)

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            # Every URL of the page is the one the browser used (so http://localhost:8000
            # and http://127.0.0.1:8000 both work, and the websocket's Origin is the page's).
            base = f"{request.scheme}://{request.host}"
            font_size = 16
            with contextlib.suppress(ValueError):
                font_size = max(6, min(64, int(request.query.get("fontsize", "16"))))
            static = base + "/static/"
            context = {
                "font_size": font_size,
                "app_websocket_url": ("wss" if request.scheme == "https" else "ws") + f"://{request.host}/ws",
                "config": {"static": {"url": static}},
                "application": {"name": self.title},
            }
            response = aiohttp_jinja2.render_template("app_index.html", request, context)
            response.text = local_only_page(response.text or "", static)
            return response

        async def on_startup(self, app: web.Application) -> None:
            self.console.print(f"pivot serve: open {self.public_url} in a browser (Ctrl+C to stop)", highlight=False)

    return PivotServer(command, host=host, port=port, title=title, public_url=display_url(host, port))


def local_only_page(html: str, static_url: str) -> str:
    """textual-serve's page with its links to other hosts (a web font) replaced by the
    font it ships in its static folder."""
    return _FONT_LINK.sub(lambda m: _LOCAL_FONT.format(static=static_url), html)


def display_url(host: str, port: int) -> str:
    """The address to open: a wildcard bind is shown as this machine's name."""
    name = host.strip("[]")
    if name in ("", "0.0.0.0", "::"):
        name = socket.gethostname()
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}"
