"""`pivot add` under attack: pages that are not text, ids too long for a file name, a full
disk, a read-only folder, a page far larger than an article, a server that never finishes.
Every failure is one line about the page (never "the store is damaged"), and nothing is
written unless everything is. The real `pivot` process where the process matters (a full
disk or a file-size limit, permissions a child obeys even as root); the same click command
in this process (pivot_in) where only what it says and writes is tested."""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import resource
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import assert_clear_error, pivot_here
from tui.store import ensure_store

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "fixtures" / "small"
PAGE = REPO / "tests" / "fixtures" / "pages" / "ledger-meta-capex.html"


def pivot(*args: object, preexec=None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    argv = [str(a) for a in args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIVOT_")}
    if "--data" in argv:  # the store beside the corpus's folder, never the user's cache
        env["PIVOT_DB"] = str(Path(argv[argv.index("--data") + 1]).parent / "store.db")
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv], env=env, capture_output=True, text=True, preexec_fn=preexec, timeout=timeout
    )


def pivot_in(*args: object) -> subprocess.CompletedProcess[str]:
    """`pivot ARGS` as pivot() runs it, in this process (click's CliRunner): for a test of what
    `pivot add` says and writes, not of its process."""
    argv = [str(a) for a in args]
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PIVOT_")}
    if "--data" in argv:
        env["PIVOT_DB"] = str(Path(argv[argv.index("--data") + 1]).parent / "store.db")
    return pivot_here(*argv, code=None, env=env)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(SMALL, out)
    return out


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_a_utf16_page_with_an_odd_number_of_bytes_is_about_the_page(data: Path, tmp_path: Path) -> None:
    odd = tmp_path / "odd.txt"
    odd.write_bytes(b"\xff\xfeA")
    before = files_under(data)
    result = pivot_in("add", odd, "--data", data)
    assert result.returncode == 1
    assert_clear_error(result.stderr, "odd.txt", "UTF-16", "odd number of bytes")
    assert "damaged" not in result.stderr
    assert files_under(data) == before


def test_a_byte_that_is_not_utf8_is_named_with_its_offset(data: Path, tmp_path: Path) -> None:
    page = tmp_path / "latin.txt"
    page.write_bytes(b"Meta Cuts Jobs Again\n\nMeta plans to cut 3,600 employees in Malm\xf6 and elsewhere.\n")
    result = pivot_in("add", page, "--data", data)
    assert result.returncode == 1
    assert_clear_error(result.stderr, "latin.txt", "byte 0xf6 at offset 63", "line 3")


def test_a_nul_in_a_page_is_about_the_page_and_names_no_file_it_did_not_write(data: Path, tmp_path: Path) -> None:
    page = tmp_path / "nul.txt"
    page.write_bytes(b"Meta Cuts Jobs Again\n\nMeta plans to cut 3,600\x00 employees.\n")
    before = files_under(data)
    result = pivot_in("add", page, "--data", data)
    assert result.returncode == 1
    assert_clear_error(result.stderr, "nul.txt", "NUL", "line 3")
    assert "own check" not in result.stderr and "sources/" not in result.stderr
    assert files_under(data) == before


def test_a_page_nested_ten_thousand_deep_is_read(data: Path, tmp_path: Path) -> None:
    page = tmp_path / "deep.html"
    text = "<p>Northwind Labs plans to cut 1,200 employees, about 9% of its staff, in 2027.</p>"
    page.write_text("<html><body>" + "<div>" * 10_000 + text + "</div>" * 10_000 + "</body></html>", encoding="utf-8")
    result = pivot_in("add", page, "--id", "deep", "--data", data)
    assert result.returncode == 0, result.stderr
    drafted = (data / "sources" / "deep.yaml").read_text(encoding="utf-8")
    assert "value: 1200" in drafted and "value: 9" in drafted


@pytest.mark.parametrize("length", [300, 245])
def test_a_long_id_is_one_line_and_writes_nothing(data: Path, length: int) -> None:
    before = files_under(data)
    result = pivot_in("add", PAGE, "--id", "a" * length, "--data", data)
    assert result.returncode == 1
    assert_clear_error(result.stderr, f"{length} characters", "the limit is 120")
    assert files_under(data) == before


def _big_page(tmp_path: Path) -> Path:
    """A 150 KB text page of figures of our own."""
    lines = ["Northwind Trims Its Workforce Again", ""]
    i = 0
    while sum(len(x) + 1 for x in lines) < 150_000:
        lines.append(f"Northwind cut {100 + i} jobs at plant {i} in 2026, about {1 + i % 9}% of the staff there.")
        i += 1
    page = tmp_path / "big.txt"
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return page


@contextlib.contextmanager
def small_disk(tmp_path: Path, how: str) -> Iterator[tuple[Path, object]]:
    """A real 1 MiB tmpfs where this process may mount one (how="tmpfs"); else, or asked for,
    a file-size limit of 100 KB on the child (RLIMIT_FSIZE, SIGXFSZ ignored so that writes
    fail with EFBIG)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = (
        how == "tmpfs"
        and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode == 0
    )

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    try:
        yield mount, (None if mounted else limit)
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("how", ["tmpfs", "file-size limit"])
def test_a_full_disk_leaves_nothing_behind(tmp_path: Path, how: str) -> None:
    page = _big_page(tmp_path)
    with small_disk(tmp_path, how) as (disk, preexec):
        data = disk / "data"
        shutil.copytree(SMALL, data)
        ensure_store(data, disk / "store.db")  # the corpus's store is there already (pivot add only reads it)
        if preexec is None:  # fill the tmpfs but for what the page cannot fit in
            filler = disk / "filler"
            with open(filler, "wb") as fh, contextlib.suppress(OSError):
                fh.write(b"\0" * (1024 * 1024 - 100_000 - sum(f.stat().st_size for f in disk.rglob("*") if f.is_file())))
        before = files_under(data)
        result = pivot("add", page, "--id", "big", "--data", data, preexec=preexec)
        assert result.returncode == 1, result.stdout
        *progress, last = result.stderr.splitlines()
        assert all(x.startswith("drafting: sentence") for x in progress)  # a long page says how far it has got
        assert_clear_error(last, "nothing written")
        assert "no space left" in result.stderr or "larger than this system allows" in result.stderr
        assert files_under(data) == before  # no text, no draft, no texts/ folder, no temporary file


def test_a_failure_after_the_text_is_written_removes_the_text(data: Path, permissions) -> None:
    chmod, run = permissions
    chmod(data / "sources", 0o555)  # the text can be written, the draft cannot
    before = files_under(data)
    result = run("add", PAGE, "--id", "ledger", "--data", data)
    assert result.returncode == 1
    assert_clear_error(result.stderr, "sources/ledger.yaml", "permission denied", "nothing written")
    assert files_under(data) == before  # texts/ledger.txt and texts/ removed again


def test_a_long_page_is_drafted_with_a_progress_line(data: Path, tmp_path: Path) -> None:
    """Just over PROGRESS_EVERY sentences (a line every 2,000): the first line comes, and
    every sentence is drafted (was 3,000 sentences; drafting is most of this test's time)."""
    from tui.draft.drafter import PROGRESS_EVERY

    n = PROGRESS_EVERY + 100
    lines = ["Northwind's Year of Cuts", ""]
    lines += [
        f"In 2026, Northwind cut {1000 + i} jobs at unit {i}; that is about {1 + i % 20}% of its staff there." for i in range(n)
    ]
    page = tmp_path / "long.txt"
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = pivot_in("add", page, "--id", "long", "--data", data)
    assert result.returncode == 0, result.stderr
    progress = [x for x in result.stderr.splitlines() if x.startswith("drafting: sentence")]
    assert progress and progress[0].startswith(f"drafting: sentence {PROGRESS_EVERY:,} of {n + 1:,},"), progress  # and the title
    drafted = re.search(r"^(\d+) figure claim", result.stdout, re.M)
    assert drafted and int(drafted.group(1)) >= n


class _Slow(http.server.BaseHTTPRequestHandler):
    release = threading.Event()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        if self.path == "/endless":
            chunk = b"<p>" + b"Northwind cut jobs. " * 3000 + b"</p>\n"
            with contextlib.suppress(OSError):
                while not self.release.is_set():
                    self.wfile.write(chunk)
            return
        self.wfile.write(b"<")
        self.wfile.flush()
        self.release.wait(60)  # then never a byte more: the client's deadline decides

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Slow.release.clear()
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Slow)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        _Slow.release.set()
        httpd.shutdown()
        httpd.server_close()


def test_a_slow_server_is_given_up_on_at_the_deadline(data: Path, server: str) -> None:
    result = pivot_in("add", f"{server}/slow", "--timeout", "1", "--data", data)
    assert result.returncode == 1
    assert_clear_error(result.stderr, "gave up after 1 s", "pivot add page.html")
    assert not (data / "texts").exists()


def test_a_page_larger_than_any_article_is_refused(data: Path, server: str) -> None:
    result = pivot_in("add", f"{server}/endless", "--data", data)
    assert result.returncode == 1
    assert_clear_error(result.stderr, "over 20 MB")


def test_a_malformed_address_is_one_line(data: Path) -> None:
    result = pivot_in("add", "http://[::1", "--data", data)
    assert result.returncode == 1
    assert_clear_error(result.stderr, "http://[::1", "not a valid web address")
