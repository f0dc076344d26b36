"""Re-run the gates and the tests against the newest releases, and update the lock.

    python scripts/update_lock.py            # newest releases: gates + tests, then write constraints.txt
    python scripts/update_lock.py --dry-run  # the same, without writing

`constraints.txt` pins every package the README's commands install, at the versions CI
last passed with; `pyproject.toml` keeps honest ranges for people who install pivot as a
library. This script builds a fresh virtualenv, installs `.[test]` with no constraints
(so pip takes the newest releases the ranges allow), runs scripts/check and the tests,
and only when both pass writes the new pins. When they fail it names the package: each
release that differs from the lock is tried alone on top of the locked set, and those
whose upgrade alone fails are printed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "constraints.txt"
HEADER = (
    "# Exact versions the README's commands install (pip install -c constraints.txt ...).\n"
    "# Written by scripts/update_lock.py after the gates and the tests passed with them.\n"
)


def run(cmd: list[str], cwd: Path = ROOT) -> bool:
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, check=False).returncode == 0


def fresh_env(where: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(where)
    return where / "bin" / "python"


def install(python: Path, constraints: Path | None) -> bool:
    cmd = [str(python), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"]
    if constraints is not None:
        cmd[4:4] = ["-c", str(constraints)]
    return run(cmd)


def passes(python: Path) -> bool:
    bindir = python.parent
    env_path = f"{bindir}:{'/usr/bin:/bin'}"
    gates = subprocess.run(["bash", "scripts/check"], cwd=ROOT, env={"PATH": env_path}, check=False).returncode == 0
    tests = gates and run([str(python), "-m", "pytest", "-q", "-x"])
    # the slow tests .ci/run runs on their own (marked slow: the suite leaves them out)
    smoke = tests and run(
        [
            *(str(python), "-m", "pytest", "-q", "-m", "slow", "tests/test_benchmark_smoke.py"),
            "tests/test_nothing_lost.py::test_pivot_sources_streams_every_source_in_bounded_memory",
        ]
    )
    return gates and tests and smoke


def frozen(python: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(python), "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
    ).stdout
    pins = {}
    for line in out.splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.lower()] = version
    return pins


def read_lock() -> dict[str, str]:
    if not LOCK.is_file():
        return {}
    pins = {}
    for line in LOCK.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.lower()] = version.strip()
    return pins


def write_lock(pins: dict[str, str]) -> None:
    LOCK.write_text(HEADER + "".join(f"{n}=={v}\n" for n, v in sorted(pins.items(), key=lambda kv: kv[0].lower())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="run everything, write nothing")
    args = parser.parse_args(argv)
    old = read_lock()
    with tempfile.TemporaryDirectory(prefix="pivot-lock-") as tmp:
        python = fresh_env(Path(tmp) / "newest")
        if not install(python, None):
            print("update-lock: installing the newest releases failed (see pip's message above)", file=sys.stderr)
            return 1
        new = frozen(python)
        changed = {n: v for n, v in new.items() if old.get(n) != v}
        print(
            "update-lock: releases that differ from the lock:",
            ", ".join(f"{n} {old.get(n, '(new)')} -> {v}" for n, v in sorted(changed.items())) or "none",
        )
        if passes(python):
            if not args.dry_run:
                write_lock(new)
                print(f"update-lock: gates and tests pass; wrote {LOCK.name} ({len(new)} pins)")
            return 0
        print("update-lock: the newest releases fail; trying each changed package alone on the locked set", file=sys.stderr)
        culprits = []
        for name, version in sorted(changed.items()):
            one = Path(tmp) / f"one-{name}"
            python_one = fresh_env(one)
            trial = Path(tmp) / f"constraints-{name}.txt"
            trial.write_text("".join(f"{n}=={v}\n" for n, v in {**old, name: version}.items()))
            if not install(python_one, trial) or not passes(python_one):
                culprits.append(f"{name} {old.get(name, '(new)')} -> {version}")
        if culprits:
            print("update-lock: these releases break the gates or the tests: " + "; ".join(culprits), file=sys.stderr)
        else:
            print("update-lock: no release breaks them alone; together they do (try them in pairs)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
