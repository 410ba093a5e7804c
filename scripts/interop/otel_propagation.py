"""Interop partner for tests/tests/wire_interop.rs: OpenTelemetry Python's propagators.

  generate   the SDK starts a span (sampled or not, with a tracestate and baggage), and every
             format's headers are written with OpenTelemetry's propagators; prints
             {"expected": {...}, "headers": {"w3c": {...}, "b3single": {...}, "b3multi": {...}}}
  extract    reads {"w3c": {...}, "b3single": {...}, "b3multi": {...}} (header maps written by the
             Rust side) from stdin and prints what OpenTelemetry extracts from each.

Input for `generate` (stdin): {"sampled": bool, "tracestate": "k=v,...", "baggage": {"k": "v"}}.
"""

import json
import sys

from opentelemetry import baggage, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.propagators.b3 import B3MultiFormat, B3SingleFormat
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, TraceState
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator


def describe(ctx):
    sc = trace.get_current_span(ctx).get_span_context()
    if not sc.is_valid:
        return None
    return {
        "trace_id": format(sc.trace_id, "032x"),
        "span_id": format(sc.span_id, "016x"),
        "sampled": sc.trace_flags.sampled,
        "tracestate": sc.trace_state.to_header(),
        "baggage": {k: str(v) for k, v in baggage.get_all(ctx).items()},
    }


def generate(spec):
    provider = TracerProvider(sampler=ALWAYS_ON if spec["sampled"] else ALWAYS_OFF)
    tracer = provider.get_tracer("interop")
    # A remote parent carrying the tracestate: the SDK's span inherits it.
    parent = SpanContext(
        trace_id=0x0AF7651916CD43DD8448EB211C80319C,
        span_id=0xB7AD6B7169203331,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED if spec["sampled"] else TraceFlags.DEFAULT),
        trace_state=TraceState.from_header([spec["tracestate"]]),
    )
    ctx = trace.set_span_in_context(NonRecordingSpan(parent))
    for k, v in spec["baggage"].items():
        ctx = baggage.set_baggage(k, v, context=ctx)
    span = tracer.start_span("interop", context=ctx)
    ctx = trace.set_span_in_context(span, ctx)
    headers = {"w3c": {}, "b3single": {}, "b3multi": {}}
    TraceContextTextMapPropagator().inject(headers["w3c"], context=ctx)
    W3CBaggagePropagator().inject(headers["w3c"], context=ctx)
    B3SingleFormat().inject(headers["b3single"], context=ctx)
    B3MultiFormat().inject(headers["b3multi"], context=ctx)
    span.end()
    return {"expected": describe(ctx), "headers": headers}


def extract(headers):
    w3c = TraceContextTextMapPropagator().extract(headers["w3c"])
    w3c = W3CBaggagePropagator().extract(headers["w3c"], context=w3c)
    return {
        "w3c": describe(w3c),
        "b3single": describe(B3SingleFormat().extract(headers["b3single"])),
        "b3multi": describe(B3MultiFormat().extract(headers["b3multi"])),
    }


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    data = json.load(sys.stdin)
    if mode == "generate":
        out = generate(data)
    elif mode == "extract":
        out = extract(data)
    else:
        sys.exit(f"usage: {sys.argv[0]} generate|extract < input.json")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
