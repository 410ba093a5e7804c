#!/usr/bin/env bash
# The side-by-side benchmark of issue 6: this project's tracer against tracing and fastrace, in one
# run on one machine.
#
#   1. `cargo bench -p tests --bench peers`: criterion timings of every shape and peer, then the
#      load measurements (CPU share, 1 vs 2 threads, memory under overload);
#   2. one table of ns per span with ratios to fastrace and to the plain call, read from criterion's
#      target/criterion/<shape>/<peer>/new/estimates.json medians;
#   3. `valgrind --tool=callgrind` on the `instructions` bench binary: instructions per span for
#      every shape and peer (caller's thread only), and a callgrind_annotate profile of ours.
#
# Output: the tables on stdout and in $CARGO_TARGET_DIR/bench-report.md (paste into BENCHMARKS.md).
# Environment: BENCH_SKIP_CRITERION=1 reuses the last criterion results; BENCH_SKIP_CALLGRIND=1
# reuses the last callgrind counts (if any); BENCH_CLOCK=wall times with the wall clock instead
# of the benchmarking thread's CPU time; BENCH_CALLGRIND_ITERS (default 2000) iterations per callgrind run.
#
# `scripts/bench.sh http` runs the end-to-end HTTP benchmark of issue 17 instead (benches/http):
# every server variant in a process of its own under a separate load generator; its report goes to
# stdout and $CARGO_TARGET_DIR/http-bench-report.md. Its settings are HTTP_BENCH_* variables (see
# benches/http/src/driver.rs). `scripts/bench.sh http-profile [VARIANT] [N]` runs one server
# (default `ours`, 20000 requests) under callgrind and writes its callgrind_annotate profile.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

http_bench_exe() {
  cargo build --profile bench -p http-bench --message-format=json 2>/dev/null |
    jq -r 'select(.reason == "compiler-artifact" and .target.name == "http-bench") | .executable // empty' |
    tail -n1
}

case "${1:-}" in
  http)
    printf '\n==> building benches/http (bench profile)\n' >&2
    exe=$(http_bench_exe)
    [ -x "$exe" ] || { echo "could not build benches/http (cargo build --profile bench -p http-bench)" >&2; exit 1; }
    HTTP_BENCH_REPORT="${HTTP_BENCH_REPORT:-$CARGO_TARGET_DIR/http-bench-report.md}" "$exe" run
    exit 0
    ;;
  http-profile)
    command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
    exe=$(http_bench_exe)
    [ -x "$exe" ] || { echo "could not build benches/http (cargo build --profile bench -p http-bench)" >&2; exit 1; }
    variant="${2:-ours}"
    out="$CARGO_TARGET_DIR/bench/http-cg.$variant.out"
    mkdir -p "$CARGO_TARGET_DIR/bench"
    HTTP_BENCH_SERVER_WRAPPER="valgrind --tool=callgrind --callgrind-out-file=$out" \
      "$exe" profile "$variant" "${3:-20000}"
    callgrind_annotate --inclusive=yes "$out" >"$out.inclusive.txt" 2>/dev/null || true
    callgrind_annotate --inclusive=no "$out" >"$out.self.txt" 2>/dev/null || true
    echo "callgrind profile: $out (annotated: $out.inclusive.txt, $out.self.txt)" >&2
    exit 0
    ;;
esac
OUT="$CARGO_TARGET_DIR/bench"
mkdir -p "$OUT"
REPORT="$CARGO_TARGET_DIR/bench-report.md"
ITERS="${BENCH_CALLGRIND_ITERS:-2000}"

step() { printf '\n==> %s\n' "$*" >&2; }

if [ "${BENCH_SKIP_CRITERION:-0}" != 1 ]; then
  step "criterion: cargo bench -p tests --bench peers (a few minutes)"
  cargo bench -p tests --bench peers 2>&1 | tee "$OUT/peers.log" >&2
fi
[ -f "$OUT/peers.log" ] || { echo "no $OUT/peers.log: run without BENCH_SKIP_CRITERION" >&2; exit 1; }

if [ "${BENCH_SKIP_CALLGRIND:-0}" != 1 ]; then
  : >"$OUT/callgrind.tsv"
  command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
  step "callgrind: building the instructions binary (bench profile)"
  exe=$(cargo bench -p tests --bench instructions --no-run --message-format=json 2>/dev/null |
    jq -r 'select(.reason == "compiler-artifact" and .target.name == "instructions") | .executable // empty' |
    tail -n1)
  [ -x "$exe" ] || { echo "could not find the instructions binary" >&2; exit 1; }

  # Instructions executed inside `measured` (the caller's loop) per run; the collector and other
  # threads, set-up and shutdown are not collected.
  caller_ir() { # peer shape iterations
    local file="$OUT/cg.$1.$2.out"
    valgrind --tool=callgrind --callgrind-out-file="$file" --toggle-collect='*measured*' \
      "$exe" "$1" "$2" "$3" >/dev/null 2>"$OUT/cg.$1.$2.log"
    awk '/^(summary|totals):/ {print $2; exit}' "$file"
  }
  # Every instruction of the process (all threads), for the share the background threads add.
  total_ir() { # peer shape iterations
    local file="$OUT/cg-total.$1.$2.$3.out"
    valgrind --tool=callgrind --callgrind-out-file="$file" "$exe" "$1" "$2" "$3" \
      >/dev/null 2>"$OUT/cg-total.$1.$2.$3.log"
    awk '/^(summary|totals):/ {print $2; exit}' "$file"
  }

  step "callgrind: $ITERS iterations of every shape and peer"
  for shape in disabled root child deep async tag_i64 tag_str unsampled_root unsampled; do
    for peer in ours ours_api tracing fastrace fastrace_poll plain; do
      if [ "$peer" = fastrace_poll ] && [ "$shape" != async ]; then continue; fi
      if [ "$peer" = ours_api ] && ! [[ "$shape" =~ ^(root|child|async|tag_i64)$ ]]; then continue; fi
      ir=$(caller_ir "$peer" "$shape" "$ITERS")
      printf '%s\t%s\t%s\t%s\n' "$shape" "$peer" "$ITERS" "$ir" >>"$OUT/callgrind.tsv"
      printf '  %-15s %-14s %s instructions\n' "$shape" "$peer" "$ir" >&2
    done
  done
  for peer in ours fastrace tracing; do
    small=$(total_ir "$peer" child "$ITERS")
    big=$(total_ir "$peer" child "$((ITERS * 2))")
    printf 'total_child\t%s\t%s\t%s\n' "$peer" "$ITERS" "$((big - small))" >>"$OUT/callgrind.tsv"
  done
  # Whole reports to files, then cut: `head` on a pipe would end callgrind_annotate with SIGPIPE.
  callgrind_annotate --inclusive=no "$OUT/cg.ours.child.out" >"$OUT/annotate.ours.child.full.txt" 2>/dev/null || true
  callgrind_annotate --inclusive=yes "$OUT/cg.ours.child.out" >"$OUT/annotate.ours.child.inclusive.full.txt" 2>/dev/null || true
  sed -n '1,60p' "$OUT/annotate.ours.child.full.txt" >"$OUT/annotate.ours.child.txt"
  sed -n '1,60p' "$OUT/annotate.ours.child.inclusive.full.txt" >"$OUT/annotate.ours.child.inclusive.txt"
fi

step "report"
python3 - "$CARGO_TARGET_DIR/criterion" "$OUT/peers.log" "$OUT/callgrind.tsv" "$OUT" >"$REPORT" <<'PY'
import json, os, re, sys

crit, log, cg_path, out = sys.argv[1:5]
SHAPES = ["root", "child", "deep", "async", "tag_i64", "tag_str", "disabled", "unsampled_root", "unsampled"]
PEERS = ["ours", "tracing", "fastrace", "fastrace_poll", "plain"]
ALL_PEERS = ["ours", "ours_api", "tracing", "fastrace", "fastrace_poll", "plain"]
SPANS = {"root": 1, "disabled": 1, "unsampled_root": 1, "deep": 10}
BASE = {"child": "root", "deep": "root", "async": "root", "tag_i64": "root", "tag_str": "root",
        "unsampled": "unsampled_root"}
LABEL = {
    "root": "root span (one-span trace)",
    "child": "child span (root + 100 children)",
    "deep": "deep nesting (root + 10 nested)",
    "async": "async fn span (root + 100 awaited)",
    "tag_i64": "child span with an i64 tag",
    "tag_str": "child span with a &'static str tag",
    "disabled": "disabled (no tracer / subscriber / root)",
    "unsampled_root": "unsampled trace: its root",
    "unsampled": "unsampled trace: a child",
}

def median(shape, peer):
    p = os.path.join(crit, shape, peer, "new", "estimates.json")
    try:
        with open(p) as f:
            return json.load(f)["median"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None

def per_span(get, shape, peer):
    """Cost of one span the shape adds: (iteration - base iteration) / spans."""
    t = get(shape, peer)
    if t is None:
        return None
    base = BASE.get(shape)
    if base is None:
        return t / SPANS.get(shape, 1)
    b = get(base, peer)
    if b is None and peer == "fastrace_poll":
        b = get(base, "fastrace")
    if b is None:
        return None
    return (t - b) / SPANS.get(shape, 100)

cg = {}
cg_iters = {}
total_cg = {}
if os.path.exists(cg_path):
    for line in open(cg_path):
        parts = line.split("\t")
        if len(parts) != 4 or not parts[3].strip():
            continue
        shape, peer, iters, ir = parts[0], parts[1], int(parts[2]), int(parts[3])
        if shape == "total_child":
            total_cg[peer] = ir / iters
        else:
            cg[(shape, peer)] = ir / iters

def ir_get(shape, peer):
    return cg.get((shape, peer))

def fmt(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"

def ratio(a, b):
    return None if a is None or b is None or b <= 0 else a / b

ns = {(s, p): per_span(median, s, p) for s in SHAPES for p in ALL_PEERS}
ir = {(s, p): per_span(ir_get, s, p) for s in SHAPES for p in ALL_PEERS}

def table(title, vals, unit, digits):
    print(f"### {title}\n")
    print(f"| shape | ours | tracing | fastrace | fastrace `enter_on_poll` | plain | ours / fastrace | ours / plain | ours − plain |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in SHAPES:
        row = [fmt(vals[(s, p)], digits) for p in PEERS]
        o, f, pl = vals[(s, "ours")], vals[(s, "fastrace")], vals[(s, "plain")]
        diff = None if o is None or pl is None else o - pl
        print(f"| {LABEL[s]} | " + " | ".join(row) +
              f" | {fmt(ratio(o, f), 2)} | {fmt(ratio(o, pl), 2)} | {fmt(diff, digits)} |")
    print(f"\n{unit}\n")

table("Time per span (ns of the caller's CPU, criterion medians)", ns,
      "Criterion measures the benchmarking thread's CPU time (BENCH_CLOCK=wall for the wall clock), so time "
      "the thread spent waiting for a core is not counted. Per span = (median of an iteration − median of its base iteration) / spans added; the base of "
      "the child, deep, async and tag shapes is the same tracer's root shape (fastrace `enter_on_poll` "
      "uses fastrace's), of `unsampled` the unsampled root. `plain` runs the same functions without "
      "spans, so `ours − plain` is what a span adds.", 1)
if cg:
    table("Instructions per span (callgrind, caller's thread)", ir,
          "Same arithmetic on instruction counts of the measured loop (`--toggle-collect`), "
          "so background threads are not in it; see the next table for them.", 0)

print("### `#[traced]` vs the runtime API it expands to (ns per span; instructions)\n")
print("| shape | `#[traced]` | runtime API | `#[traced]` instr. | runtime API instr. |")
print("|---|---:|---:|---:|---:|")
for s in ["root", "child", "async", "tag_i64"]:
    print(f"| {LABEL[s]} | {fmt(ns[(s, 'ours')])} | {fmt(ns[(s, 'ours_api')])} | "
          f"{fmt(ir[(s, 'ours')], 0)} | {fmt(ir[(s, 'ours_api')], 0)} |")
print()

print("### Raw criterion medians (ns per iteration)\n")
print("| shape | " + " | ".join(ALL_PEERS) + " |")
print("|---|" + "---:|" * len(ALL_PEERS))
for s in SHAPES:
    print(f"| {s} | " + " | ".join(fmt(median(s, p)) for p in ALL_PEERS) + " |")
print()

extras = {}
stats_lines = []
for line in open(log, errors="replace"):
    if not line.startswith("EXTRA "):
        continue
    parts = line.split()
    kind, who = parts[1], parts[2]
    if kind.endswith("_stats"):
        stats_lines.append(line[6:].strip())
        continue
    kv = dict(p.split("=", 1) for p in parts[3:] if "=" in p)
    extras[(kind, who)] = kv

def num(kind, who, key):
    try:
        return float(extras[(kind, who)][key])
    except (KeyError, ValueError):
        return None

print("### CPU per span: the caller vs the background threads (child shape, counting recorder)\n")
print("| peer | spans produced | delivered to the recorder | caller ns/span | background ns per delivered span | total ns/span | total / caller | instructions/span, all threads |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for p in ["ours", "fastrace", "tracing"]:
    tot = total_cg.get(p)
    g = lambda k, d=1: fmt(num("cpu", p, k), d)
    print(f"| {p} | {g('produced', 0)} | {g('delivered', 0)} | {g('caller_ns')} | {g('background_ns')} | {g('total_ns')} | "
          f"{g('ratio', 2)} | {fmt(None if tot is None else tot / 101, 0)} |")
print()
print("### One vs two calling threads (child shape; caller's CPU per span)\n")
print("| peer | 1 thread ns | 2 threads ns | 2 / 1 | delivered, 1 thread | delivered, 2 threads |")
print("|---|---:|---:|---:|---:|---:|")
for p in ["ours", "fastrace", "tracing"]:
    g = lambda k, d=1: fmt(num("threads", p, k), d)
    raw = extras.get(("threads", p), {})
    print(f"| {p} | {g('cpu1_ns')} | {g('cpu2_ns')} | {g('cpu_ratio', 2)} | {raw.get('delivered1', '–')} | {raw.get('delivered2', '–')} |")
print()
print("### Overload: a recorder that takes 1 µs per span\n")
o, f = extras.get(("overload", "ours"), {}), extras.get(("overload", "fastrace"), {})
print("| peer | spans produced | RSS growth while producing | what happened to the spans |")
print("|---|---:|---:|---|")
if o:
    print(f"| ours (queue 4096/thread) | {o.get('produced')} | {o.get('rss_growth_mb')} MB | "
          f"recorded {o.get('recorded')}, dropped and counted {o.get('dropped')}; "
          f"finished = recorded + dropped: {o.get('accounted')} |")
if f:
    print(f"| fastrace (unbounded) | {f.get('produced')} | {f.get('rss_growth_mb')} MB | "
          f"reported {f.get('reported_while_producing')} while producing, {f.get('reported_after_drain')} "
          f"after swapping in a fast reporter and `fastrace::flush()`; the rest sat in the producing thread's "
          f"unbounded pending queue, uncounted |")
print()

y_file, y_sink = extras.get(("yaml", "ours"), {}), extras.get(("yaml", "ours_sink"), {})
if y_file or y_sink:
    print("### YAML recorder throughput (caller at full speed, default queue, one collector thread)\n")
    print("| writer | produced | recorded | dropped (counted) | recorded / s (wall) | recorded / CPU-s of background threads | caller ns/span | file MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, y in [("file", y_file), ("io::sink (serialization only)", y_sink)]:
        if y:
            print(f"| {name} | {y.get('produced')} | {y.get('recorded')} | {y.get('dropped')} | "
                  f"{y.get('spans_per_s')} | {y.get('spans_per_cpu_s')} | {y.get('caller_ns')} | {y.get('file_mb')} |")
    print()

# The targets of issue 6.
def verdict(ok):
    return "–" if ok is None else ("**met**" if ok else "**not met**")

def le(a, b):
    return None if a is None or b is None else a <= b

rows = []
o_child, f_child = ns[("child", "ours")], ns[("child", "fastrace")]
rows.append(("Child span ≤ 0.5× fastrace", f"{fmt(o_child)} vs {fmt(f_child)} ns: {fmt(ratio(o_child, f_child), 2)}×",
             le(ratio(o_child, f_child), 0.5)))
rows.append(("Child span ≤ 2× the floor (55 ns as a call → 110 ns; ~115 instructions → 230)",
             f"{fmt(o_child)} ns, {fmt(ir[('child', 'ours')], 0)} instructions",
             None if o_child is None else (o_child <= 110 and (ir[('child', 'ours')] is None or ir[('child', 'ours')] <= 230))))
o_root, f_root = ns[("root", "ours")], ns[("root", "fastrace")]
rows.append(("Root span (one-span trace) ≤ 0.15× fastrace", f"{fmt(o_root)} vs {fmt(f_root)} ns: {fmt(ratio(o_root, f_root), 3)}×",
             le(ratio(o_root, f_root), 0.15)))
o_a, f_a, fp_a = ns[("async", "ours")], ns[("async", "fastrace")], ns[("async", "fastrace_poll")]
rows.append(("async fn ≤ 0.1× fastrace default", f"{fmt(o_a)} vs {fmt(f_a)} ns: {fmt(ratio(o_a, f_a), 3)}×",
             le(ratio(o_a, f_a), 0.1)))
rows.append(("async fn ≤ fastrace `enter_on_poll`", f"{fmt(o_a)} vs {fmt(fp_a)} ns: {fmt(ratio(o_a, fp_a), 2)}×",
             le(o_a, fp_a)))
for tag in ["tag_i64", "tag_str"]:
    t = ns[(tag, "ours")]
    d = None if t is None or o_child is None else t - o_child
    rows.append((f"{'An integer' if tag == 'tag_i64' else 'A &str'} tag ≤ +5 ns per span", f"+{fmt(d)} ns", le(d, 5)))
dis = None if ns[("disabled", "ours")] is None or ns[("disabled", "plain")] is None else ns[("disabled", "ours")] - ns[("disabled", "plain")]
rows.append(("No tracer installed ≤ 2 ns over a plain call", f"+{fmt(dis)} ns", le(dis, 2)))
uns = None if ns[("unsampled", "ours")] is None or ns[("unsampled", "plain")] is None else ns[("unsampled", "ours")] - ns[("unsampled", "plain")]
unr = None if ns[("unsampled_root", "ours")] is None or ns[("unsampled_root", "plain")] is None else ns[("unsampled_root", "ours")] - ns[("unsampled_root", "plain")]
rows.append(("Installed, trace not sampled ≤ 10 ns (child / root)", f"+{fmt(uns)} / +{fmt(unr)} ns",
             None if uns is None or unr is None else (uns <= 10 and unr <= 10)))
cr = num("cpu", "ours", "ratio")
rows.append(("Total CPU incl. collector ≤ 2× the caller's", f"{fmt(cr, 2)}× (fastrace {fmt(num('cpu', 'fastrace', 'ratio'), 2)}×)", le(cr, 2.0)))
rows.append(("Memory bounded by configuration, every lost span counted",
             f"RSS +{o.get('rss_growth_mb', '–')} MB under overload, accounted: {o.get('accounted', '–')}",
             None if not o else o.get("accounted") == "true"))
sr = num("threads", "ours", "cpu_ratio")
rows.append(("1 vs 2 threads within 15%", f"caller CPU per span ×{fmt(sr, 2)} with 2 threads",
             None if sr is None else abs(sr - 1) <= 0.15))
yaml = extras.get(("yaml", "ours"))
rows.append(("YAML recorder to a file ≥ 500k spans/s on one core, caller never blocked",
             "not measured" if not yaml else
             f"{yaml.get('spans_per_s')} spans/s wall, {yaml.get('spans_per_cpu_s')} per CPU-s; caller {yaml.get('caller_ns')} ns/span",
             None if not yaml else float(yaml.get("spans_per_cpu_s", 0)) >= 500_000))

print("### Issue 6 targets\n")
print("| target | measured | verdict |")
print("|---|---|---|")
for name, measured, ok in rows:
    print(f"| {name} | {measured} | {verdict(ok)} |")
print()
print("### What each peer did with the spans\n")
print("```")
for l in stats_lines:
    print(l)
print("```")
for name in ["annotate.ours.child.txt"]:
    p = os.path.join(out, name)
    if os.path.exists(p):
        print("\n### callgrind_annotate, ours, child shape (self cost, caller's thread)\n")
        print("```")
        print(open(p).read().rstrip())
        print("```")
PY
cat "$REPORT"
