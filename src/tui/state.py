"""What the explorer keeps between runs: the query history, named views and the user's keymap.

No Textual here. The history lives in the user's data folder (platformdirs'
user_data_dir("pivot"), or $PIVOT_STATE_DIR), one query per line, newest last.
The keymap is a TOML file (platformdirs' user_config_dir("pivot")/keymap.toml, or
$PIVOT_KEYMAP) mapping binding ids, as the `?` screen lists them, to keys:

    [keys]
    "main.export" = "ctrl+e"
    "table.down" = "down,j,n"

(a top-level `"main.export" = "ctrl+e"` without the [keys] table is read too).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from tui.store.regular import NotRegularFile

HISTORY_FILE = "history"
HISTORY_LIMIT = 500  # queries kept; the oldest are dropped


def state_dir() -> Path:
    env = os.environ.get("PIVOT_STATE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("pivot"))


def keymap_path() -> Path:
    env = os.environ.get("PIVOT_KEYMAP")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("pivot")) / "keymap.toml"


def _read_regular(path: Path) -> bytes:
    """The bytes of a state file, which must be a regular file: a FIFO (`mkfifo` in its
    place) would block the explorer before its first frame, a device never end. Raises
    FileNotFoundError when it is missing, NotRegularFile when it is not a file, OSError."""
    from tui.store.regular import open_regular

    with os.fdopen(open_regular(path), "rb") as fh:
        return fh.read()


def _skipped(path: Path, kind: str, what: str) -> str:
    return f"{path} is {kind}, not a regular file: {what}"


class History:
    """The queries typed in the query bar, oldest first; `up`/`down` walk them. A history
    file that is not a regular file (a FIFO, a device, a folder) is skipped, never read or
    replaced: `problem` says so, and the explorer shows it as a notice."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else state_dir() / HISTORY_FILE
        self.entries: list[str] = []
        self.problem: str | None = None
        try:
            text = _read_regular(self.path).decode("utf-8")
        except NotRegularFile as exc:
            self.problem = _skipped(self.path, exc.kind, "the query history is neither read nor kept this time")
            text = ""
        except (OSError, UnicodeDecodeError):
            text = ""
        self.entries = [line for line in text.splitlines() if line.strip()][-HISTORY_LIMIT:]
        self.cursor: int | None = None  # index into entries while walking, None at the bottom
        self.draft = ""  # what was in the bar before walking began

    def add(self, query: str) -> None:
        """Remember a query (moved to the end if already there) and write the file; a
        folder that cannot be written is not an error worth interrupting anyone for. A
        history path that is not a regular file is left as it is."""
        query = " ".join(query.split())
        self.cursor = None
        if not query:
            return
        if self.entries and self.entries[-1] == query:
            return
        self.entries = [*[e for e in self.entries if e != query][-(HISTORY_LIMIT - 1) :], query]
        if self.problem:  # kept for this run only: the path is not a file to replace
            return
        _write_lines(self.path, self.entries)

    def previous(self, current: str) -> str | None:
        """The query before the one shown (None at the oldest)."""
        if not self.entries:
            return None
        if self.cursor is None:
            self.draft = current
            self.cursor = len(self.entries)
        if self.cursor == 0:
            return None
        self.cursor -= 1
        return self.entries[self.cursor]

    def next(self) -> str | None:
        """The query after the one shown; past the newest, what was typed before walking."""
        if self.cursor is None:
            return None
        self.cursor += 1
        if self.cursor >= len(self.entries):
            self.cursor = None
            return self.draft
        return self.entries[self.cursor]


@dataclass
class Keymap:
    keys: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    path: Path | None = None


def load_keymap(path: Path | None = None) -> Keymap:
    """The user's keymap; a missing file is an empty keymap, a broken one a list of problems."""
    path = path if path is not None else keymap_path()
    out = Keymap(path=path)
    try:
        raw = _read_regular(path)
    except FileNotFoundError:
        return out
    except NotRegularFile as exc:
        out.problems.append(_skipped(path, exc.kind, "the default keys are used"))
        return out
    except OSError as exc:
        out.problems.append(f"cannot read {path}: {exc.strerror or exc}")
        return out
    import tomllib  # only when there is a keymap file (~1.5 ms of imports)

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        out.problems.append(f"{path}: not valid TOML ({exc}); the default keys are used")
        return out
    table = data.get("keys", data) if isinstance(data.get("keys"), dict) else data
    for binding_id, keys in table.items():
        if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            keys = ",".join(keys)
        if not isinstance(keys, str) or not keys.strip():
            out.problems.append(f'{path}: {binding_id}: expected a key such as "ctrl+e", got {keys!r}')
            continue
        out.keys[str(binding_id)] = ",".join(k.strip() for k in keys.split(",") if k.strip())
    return out


# --- named views ---------------------------------------------------------------------------

VIEWS_FILE = "views"
VIEW_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class View:
    """A filter, its sort and the comparison's picks under a name (issue 20's named views).

    Its line (`line()`, `View.parse()`) is what the views file holds and what a colleague
    pastes: the name, then the filter text, then ` | sort:KEY[:desc]` and
    ` | compare:ID,ID` when they are set, e.g.

        meta-cuts company:meta is:conflict | sort:value:desc | compare:meta,microsoft
    """

    name: str
    query: str = ""
    sort: tuple[str, bool] | None = None
    picks: tuple[str, ...] = ()

    def line(self) -> str:
        parts = [f"{self.name} {' '.join(self.query.split())}".rstrip()]
        if self.sort is not None:
            parts.append(f"sort:{self.sort[0]}{':desc' if self.sort[1] else ''}")
        if self.picks:
            parts.append("compare:" + ",".join(self.picks))
        return " | ".join(parts)

    @classmethod
    def parse(cls, line: str) -> View:
        """A view from its line; ValueError with a message for people if it is not one."""
        head, *options = [p.strip() for p in re.split(r" \| (?=(?:sort|compare):)", line.strip())]
        name, _, query = head.partition(" ")
        if not VIEW_NAME.fullmatch(name):
            raise ValueError(f"a view's name is letters, digits, '.', '_' or '-' (at most 64), not {name[:40]!r}")
        sort: tuple[str, bool] | None = None
        picks: tuple[str, ...] = ()
        for option in options:
            key, _, value = option.partition(":")
            if key == "sort":
                column, _, order = value.partition(":")
                if not column or order not in ("", "desc"):
                    raise ValueError(f"{option!r}: expected sort:COLUMN or sort:COLUMN:desc")
                sort = (column, order == "desc")
            else:
                picks = tuple(p for p in value.split(",") if p)
        return cls(name, query.strip(), sort, picks)


class Views:
    """Named views, kept in the user's data folder beside the history (one line each, as
    View.line writes it); a line that is not a view is skipped, never an error."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else state_dir() / VIEWS_FILE
        self.views: dict[str, View] = {}
        self.problem: str | None = None  # as History's: a path that is not a regular file is left alone
        try:
            text = _read_regular(self.path).decode("utf-8")
        except NotRegularFile as exc:
            self.problem = _skipped(self.path, exc.kind, "the named views are neither read nor kept this time")
            text = ""
        except (OSError, UnicodeDecodeError):
            text = ""
        for line in text.splitlines():
            try:
                view = View.parse(line)
            except ValueError:
                continue
            self.views[view.name] = view

    def get(self, name: str) -> View | None:
        return self.views.get(name)

    def save(self, view: View) -> None:
        """Keep `view` (replacing one of the same name) and write the file; a folder that
        cannot be written loses the view at exit, as the history does."""
        View.parse(view.line())  # a name that could not be read back is refused here
        self.views.pop(view.name, None)
        self.views[view.name] = view
        self._write()

    def remove(self, name: str) -> bool:
        if self.views.pop(name, None) is None:
            return False
        self._write()
        return True

    def _write(self) -> None:
        if self.problem is None:  # kept for this run only when the path is not a file to replace
            _write_lines(self.path, [v.line() for v in self.views.values()])


def _write_lines(path: Path, lines: list[str]) -> None:
    """Replace `path` with `lines` (temporary file, then a rename); an unwritable folder is
    not an error worth interrupting anyone for."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
