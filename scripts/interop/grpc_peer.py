"""Interop partner for tests/tests/grpc_interop.rs: grpcio traced by OpenTelemetry's gRPC
instrumentation (opentelemetry-instrumentation-grpc), speaking the demo's `hop.Pricing` service
(examples/examples/grpc_support/hop.proto) with hand-encoded protobuf, so no generated code.

  serve          serves hop.Pricing/Quote on a loopback port and prints {"port": N}; when stdin
                 closes, prints {"spans": [...]} (the spans OpenTelemetry recorded) and exits.
                 Quote answers 100 cents per letter of the item; an item named `discontinued` is
                 NOT_FOUND. The handler reports the baggage it received as a span attribute.
  call ADDR ITEM calls hop.Pricing/Quote at ADDR and prints {"cents": N or null, "code": "...",
                 "spans": [...]}.

Spans are {"name", "kind", "trace_id", "span_id", "parent_id", "status", "attributes"}, ids in
lowercase hex (parent_id null for a root).
"""

import json
import sys
from concurrent import futures

import grpc
from opentelemetry import baggage, trace
from opentelemetry.instrumentation.grpc import client_interceptor, grpcext, server_interceptor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

UNKNOWN_ITEM = "discontinued"


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_varint(data, i):
    shift = result = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, i


def fields(data):
    """The fields of a protobuf message: {number: value} (bytes for length-delimited, int else)."""
    out, i = {}, 0
    while i < len(data):
        key, i = read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            out[number], i = read_varint(data, i)
        elif wire == 2:
            size, i = read_varint(data, i)
            out[number], i = data[i : i + size], i + size
        else:
            raise ValueError(f"unexpected wire type {wire}")
    return out


def encode_request(item):
    raw = item.encode()
    return b"\x0a" + varint(len(raw)) + raw


def encode_quote(item, cents):
    raw = item.encode()
    return b"\x0a" + varint(len(raw)) + raw + b"\x10" + varint(cents)


def provider():
    exporter = InMemorySpanExporter()
    p = TracerProvider()
    p.add_span_processor(SimpleSpanProcessor(exporter))
    return p, exporter


def describe(spans):
    return [
        {
            "name": s.name,
            "kind": s.kind.name.lower(),
            "trace_id": format(s.context.trace_id, "032x"),
            "span_id": format(s.context.span_id, "016x"),
            "parent_id": format(s.parent.span_id, "016x") if s.parent else None,
            "status": s.status.status_code.name.lower(),
            "attributes": {k: str(v) for k, v in (s.attributes or {}).items()},
        }
        for s in spans
    ]


def serve():
    tracer_provider, exporter = provider()

    def quote(request, context):
        item = fields(request).get(1, b"").decode()
        received = ",".join(f"{k}={v}" for k, v in sorted(baggage.get_all().items()))
        trace.get_current_span().set_attribute("peer.baggage", received)
        if item == UNKNOWN_ITEM:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no item {item!r}")
        return encode_quote(item, 100 * len(item))

    handler = grpc.method_handlers_generic_handler(
        "hop.Pricing", {"Quote": grpc.unary_unary_rpc_method_handler(quote)}
    )
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        interceptors=[server_interceptor(tracer_provider=tracer_provider)],
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(json.dumps({"port": port}), flush=True)
    sys.stdin.read()  # until the test closes it
    server.stop(grace=1).wait()
    print(json.dumps({"spans": describe(exporter.get_finished_spans())}), flush=True)


def call(addr, item):
    tracer_provider, exporter = provider()
    with grpc.insecure_channel(addr) as channel:
        channel = grpcext.intercept_channel(channel, client_interceptor(tracer_provider=tracer_provider))
        method = channel.unary_unary("/hop.Pricing/Quote")
        try:
            reply = method(encode_request(item), timeout=10)
            cents, code = fields(reply).get(2, 0), "OK"
        except grpc.RpcError as e:
            cents, code = None, e.code().name
    print(json.dumps({"cents": cents, "code": code, "spans": describe(exporter.get_finished_spans())}))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "serve":
        serve()
    elif mode == "call" and len(sys.argv) == 4:
        call(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"usage: {sys.argv[0]} serve | call ADDR ITEM")


if __name__ == "__main__":
    main()
