#!/usr/bin/env python3
"""Runs the compile-time benchmark of issue 18 on the crates generate.py writes.

    run.py WORKSPACE WORK_DIR ROUNDS

Each variant (plain, ours, tracing, fastrace) has its own target directory under WORK_DIR, where
its dependencies are built once before the rounds. Then, in every round and for every variant (the
order rotates from round to round, so no variant always runs first or last):

- `deps cold`: the dependency tree alone (a crate with the toolkit as its only dependency and no
  code) built in debug into an empty target directory; for tracing also with tracing-subscriber,
  which records its spans (ours and fastrace's trees hold their recording runtime);
- `debug`: `cargo build --lib` of the generated crate after `cargo clean -p` (dependencies built);
- `debug after edit`: the same build after changing a constant in one function's body;
- `check`, `check after edit`: the same with `cargo check --lib`;
- `release`: `cargo build --release --lib` after `cargo clean --release -p`.

Once per variant (they do not vary): the size of the expanded library (`-Zunpretty=expanded`
through `RUSTC_BOOTSTRAP=1`, in tokens and in lines) and of the stripped release binary that calls
every function once.

Writes WORK_DIR/results.json and prints the Markdown tables (median, and min-max across rounds).
"""

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

VARIANTS = ["plain", "ours", "tracing", "fastrace"]
ROWS = [
    ("debug", "debug build"),
    ("check", "`cargo check`"),
    ("release", "release build"),
    ("check_edit", "incremental `check` after editing one function"),
    ("debug_edit", "incremental debug build after editing one function"),
    ("deps_cold", "the toolkit's dependency tree alone, cold (debug)"),
]
EDIT = re.compile(r"let b = a\.wrapping_mul\((\d+)\); // edited by the benchmark")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def cargo(args, cwd, target, env=None, capture=False):
    """Runs cargo; returns (seconds, stdout, stderr). Fails loudly: a benchmark of a build that
    did not happen would be a lie."""
    full_env = dict(os.environ, CARGO_TARGET_DIR=target, **(env or {}))
    start = time.perf_counter()
    proc = subprocess.run(
        ["cargo", args[0], "--offline", *args[1:]] if args[0] != "clean" else ["cargo", *args],
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        log(proc.stderr[-4000:])
        sys.exit(f"cargo {' '.join(args)} failed in {cwd}")
    return elapsed, proc.stdout, proc.stderr


def edit(crate, value):
    """A real edit of one function body: the constant in `s0` becomes `value`."""
    path = os.path.join(crate, "src", "lib.rs")
    with open(path) as f:
        text = f.read()
    new, n = EDIT.subn(f"let b = a.wrapping_mul({value}); // edited by the benchmark", text)
    if n != 1:
        sys.exit(f"the edit marker is not in {path}")
    with open(path, "w") as f:
        f.write(new)


def machine():
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "-V"], stdout=subprocess.PIPE, text=True).stdout.strip()
    return {"cpu": model, "cores": os.cpu_count(), "rustc": rustc}


def load():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def deps_cold(work, name):
    """Seconds to build `deps-<name>` (the dependency tree alone) into an empty target directory,
    and how many crates that compiled."""
    target = os.path.join(work, f"target-deps-{name}")
    shutil.rmtree(target, ignore_errors=True)
    seconds, _, err = cargo(["build"], os.path.join(work, f"deps-{name}"), target)
    crates = sum(1 for line in err.splitlines() if line.strip().startswith("Compiling")) - 1
    shutil.rmtree(target, ignore_errors=True)
    return seconds, crates


def measure_once(work, variant, edits):
    crate = os.path.join(work, variant)
    target = os.path.join(work, f"target-{variant}")
    name = f"bench_{variant}"
    out = {}

    out["deps_cold"], out["deps_crates"] = deps_cold(work, variant)
    if variant == "tracing":
        out["deps_cold_sub"], out["deps_crates_sub"] = deps_cold(work, "tracing-subscriber")

    cargo(["clean", "-p", name], crate, target)
    out["debug"], _, _ = cargo(["build", "--lib"], crate, target)
    edits[variant] += 1
    edit(crate, 2 * edits[variant] + 1)
    out["debug_edit"], _, _ = cargo(["build", "--lib"], crate, target)

    cargo(["clean", "-p", name], crate, target)
    out["check"], _, _ = cargo(["check", "--lib"], crate, target)
    edits[variant] += 1
    edit(crate, 2 * edits[variant] + 1)
    out["check_edit"], _, _ = cargo(["check", "--lib"], crate, target)

    cargo(["clean", "--release", "-p", name], crate, target)
    out["release"], _, _ = cargo(["build", "--release", "--lib"], crate, target)
    return out


def sizes(work, variant, counter):
    crate = os.path.join(work, variant)
    target = os.path.join(work, f"target-{variant}")
    _, expanded, _ = cargo(
        ["rustc", "--lib", "--", "-Zunpretty=expanded"], crate, target, env={"RUSTC_BOOTSTRAP": "1"}
    )
    tokens = subprocess.run([counter], input=expanded, stdout=subprocess.PIPE, text=True, check=True)
    lines = sum(1 for line in expanded.splitlines() if line.strip())
    cargo(["build", "--release", "--bin", "all"], crate, target)
    exe = os.path.join(target, "release", "all")
    stripped = exe + ".stripped"
    subprocess.run(["strip", "-o", stripped, exe], check=True)
    run = subprocess.run([stripped], stdout=subprocess.PIPE, text=True, check=True)
    if not run.stdout.strip().isdigit():
        sys.exit(f"{variant}'s binary printed {run.stdout!r}")
    return {
        "expanded_tokens": int(tokens.stdout),
        "expanded_lines": lines,
        "binary_bytes": os.path.getsize(stripped),
    }


def table(results, rounds, info):
    def stats(variant, key):
        values = [r[variant][key] for r in results["rounds"]]
        return statistics.median(values), min(values), max(values)

    out = [
        f"{rounds} interleaved rounds; {info['cpu']}, {info['cores']} cores, {info['rustc']}; "
        f"load average {results['load'][0]:.1f} before, {results['load'][1]:.1f} after. "
        "Seconds: median (min–max across rounds).",
        "",
        "| build of the generated crate | plain | ours | tracing | fastrace | ours / tracing | ours / fastrace |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in ROWS:
        cells = []
        med = {}
        for v in VARIANTS:
            m, lo, hi = stats(v, key)
            med[v] = m
            cells.append(f"{m:.2f} ({lo:.2f}–{hi:.2f})")
        if key == "deps_cold":
            counts = [results["rounds"][0][v]["deps_crates"] for v in VARIANTS]
            cells = [f"{c} ({n} crates)" for c, n in zip(cells, counts)]
        out.append(
            f"| {label} | {' | '.join(cells)} | {med['ours'] / med['tracing']:.2f} | "
            f"{med['ours'] / med['fastrace']:.2f} |"
        )
    values = [r["tracing"]["deps_cold_sub"] for r in results["rounds"]]
    m = statistics.median(values)
    out.append(
        f"| the dependency tree, tracing with tracing-subscriber (`fmt`) | | "
        f"{stats('ours', 'deps_cold')[0]:.2f} | {m:.2f} ({min(values):.2f}–{max(values):.2f}) "
        f"({results['rounds'][0]['tracing']['deps_crates_sub']} crates) | | "
        f"{stats('ours', 'deps_cold')[0] / m:.2f} | |"
    )
    s = results["sizes"]
    out += ["", "| size | plain | ours | tracing | fastrace | ours / tracing | ours / fastrace |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for key, label, fmt in [
        ("expanded_tokens", "expanded library, tokens", lambda x: f"{x / 1000:.0f}k"),
        ("expanded_lines", "expanded library, non-empty lines", lambda x: f"{x / 1000:.1f}k"),
        ("binary_bytes", "stripped release binary", lambda x: f"{x / 1e6:.2f} MB"),
    ]:
        cells = [fmt(s[v][key]) for v in VARIANTS]
        out.append(
            f"| {label} | {' | '.join(cells)} | {s['ours'][key] / s['tracing'][key]:.2f} | "
            f"{s['ours'][key] / s['fastrace'][key]:.2f} |"
        )
    return "\n".join(out)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    workspace, work, rounds = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), int(sys.argv[3])
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "generate.py"), workspace, work], check=True)
    info = machine()

    log("==> building the token counter")
    counter_target = os.path.join(work, "target-count-tokens")
    cargo(["build", "--release"], os.path.join(work, "count-tokens"), counter_target)
    counter = os.path.join(counter_target, "release", "count-tokens")

    log("==> building each variant's dependencies once")
    for v in VARIANTS:
        crate, target = os.path.join(work, v), os.path.join(work, f"target-{v}")
        for args in (["build", "--lib"], ["check", "--lib"], ["build", "--release", "--lib"]):
            cargo(args, crate, target)

    results = {"machine": info, "rounds": [], "load": [load()]}
    edits = {v: 0 for v in VARIANTS}
    for r in range(rounds):
        order = VARIANTS[r % len(VARIANTS):] + VARIANTS[: r % len(VARIANTS)]
        this = {}
        for v in order:
            log(f"==> round {r + 1}/{rounds}: {v}")
            this[v] = measure_once(work, v, edits)
            log("    " + ", ".join(f"{k} {x:.2f}" for k, x in this[v].items() if k != "deps_crates"))
        results["rounds"].append(this)
        with open(os.path.join(work, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
    results["load"].append(load())

    log("==> expanded size and binary size")
    results["sizes"] = {v: sizes(work, v, counter) for v in VARIANTS}
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(table(results, rounds, info))


if __name__ == "__main__":
    main()
