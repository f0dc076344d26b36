"""CPU to the first frame: pivot's process against a bare Textual app's, in a pty.

    python benchmarks/startup_cpu.py --db STORE [--runs 11] [--base OTHER/src]

Each run starts the bare app and pivot (and, with --base, pivot from another source tree
put first on PYTHONPATH, e.g. an old checkout's src) one after the other, each in its own pty
of 120x40, and reads their own CPU time (user + system, `time.process_time`) when the first
whole frame is written (Textual's App._display given a LayoutUpdate outside a batch, as
PivotApp._first_frame sees it), and after the imports. CPU, unlike the wall clock, changes
little with the machine's load. Prints medians and the pairs' median ratio.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios

CHILD = r"""
import importlib.abc, importlib.util, json, os, sys, time

out, which, args = sys.argv[1], sys.argv[2], sys.argv[3:]
marks = {}


def cpu():
    return 1000 * time.process_time()


def patch(module_name, patcher):
    class Hook(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != module_name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                patcher(module)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Hook())


def on_frame(module):
    from textual._compositor import LayoutUpdate

    display = module.App._display

    def _display(self, screen, renderable):
        display(self, screen, renderable)
        if isinstance(renderable, LayoutUpdate) and not self._batch_count:
            marks["frame"] = cpu()
            with open(out, "w") as fh:
                json.dump(marks, fh)
            os._exit(0)

    module.App._display = _display


def on_app(module):
    run = module.run_explorer

    def run_explorer(*a, **k):
        marks["imports"] = cpu()
        return run(*a, **k)

    module.run_explorer = run_explorer


patch("textual.app", on_frame)
if which == "bare":
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("BARE-APP-READY")

    marks["imports"] = cpu()
    Bare().run()
else:
    sys.argv = ["pivot", *args]
    patch("tui.app", on_app)
    from tui.launch import main

    main()
"""


def one(child: str, which: str, args: list[str], pythonpath: str | None = None) -> dict[str, float]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    fd, out = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    env = dict(os.environ, TERM="xterm-256color")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    proc = subprocess.Popen(
        [sys.executable, child, out, which, *args], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    while proc.poll() is None:
        if select.select([master], [], [], 0.1)[0]:
            try:
                os.read(master, 65536)
            except OSError:
                break
    proc.wait()
    os.close(master)
    try:
        with open(out) as fh:
            return json.load(fh)
    finally:
        os.unlink(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="the store pivot opens (--db)")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--base", help="another tree's src folder, measured as `base` beside this one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        child = os.path.join(tmp, "child.py")
        with open(child, "w") as fh:
            fh.write(CHILD)
        res: dict[str, list[dict[str, float]]] = {"bare": [], "pivot": []}
        if args.base:
            res["base"] = []
        for _ in range(args.runs):
            res["bare"].append(one(child, "bare", []))
            if args.base:
                res["base"].append(one(child, "pivot", ["--db", args.db], args.base))
            res["pivot"].append(one(child, "pivot", ["--db", args.db]))
    for name, runs in res.items():
        frame, imports = statistics.median(r["frame"] for r in runs), statistics.median(r["imports"] for r in runs)
        line = f"{name:5}  CPU to the first frame {frame:6.1f} ms (imports {imports:5.1f}, after them {frame - imports:5.1f})"
        if name != "bare":
            ratio = statistics.median(r["frame"] / b["frame"] for b, r in zip(res["bare"], runs))
            line += f" = {ratio:.2f}x the bare app"
        print(line)
    with open("/proc/loadavg") as fh:
        print("load average", " ".join(fh.read().split()[:3]))


if __name__ == "__main__":
    main()
