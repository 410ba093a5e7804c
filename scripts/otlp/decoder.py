"""An OTLP/HTTP receiver that decodes every request with the OpenTelemetry project's own
generated classes (the `opentelemetry-proto` package) and keeps what it decoded, so the Rust
tests can assert on exactly what arrived. It can be told, per session, how to answer.

Sessions keep tests apart: a request to `/s/<session>/v1/traces` belongs to <session>; one to
`/v1/traces` (what a collector forwards to) belongs to the session `default`.

    POST /s/<session>/v1/traces   an ExportTraceServiceRequest (protobuf, gzip or not)
    POST /v1/traces               the same, session `default`
    PUT  /control/<session>       JSON {"answers": [{"status": 503, "retry_after": "1",
                                  "delay_ms": 0, "rejected": 2, "message": "..."}, ...]}: the
                                  next requests get these answers in order, then 200
    GET  /control/<session>       JSON list of the session's requests, decoded (see `record`)
    GET  /health                  200

Run: python decoder.py --port 0 [--port-file FILE] [--discard]; prints `listening on PORT` once
ready. With --discard (for benchmarks) it parses each request, keeps only the count of spans
(`GET /control/count`), and answers 200.
"""

import argparse
import gzip
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

LOCK = threading.Lock()
REQUESTS = {}  # session -> [record]
ANSWERS = {}  # session -> [answer]
DISCARD = False
SPAN_COUNT = 0


def any_value(v):
    kind = v.WhichOneof("value")
    if kind == "string_value":
        return {"string": v.string_value}
    if kind == "int_value":
        return {"int": v.int_value}
    if kind == "double_value":
        return {"double": v.double_value}
    if kind == "bool_value":
        return {"bool": v.bool_value}
    if kind == "array_value":
        return {"array": [any_value(x) for x in v.array_value.values]}
    if kind == "kvlist_value":
        return {"kvlist": attributes(v.kvlist_value.values)}
    if kind == "bytes_value":
        return {"bytes": v.bytes_value.hex()}
    return {"empty": None}


def attributes(kvs):
    return [[kv.key, any_value(kv.value)] for kv in kvs]


def span_dict(s):
    return {
        "trace_id": s.trace_id.hex(),
        "span_id": s.span_id.hex(),
        "parent_span_id": s.parent_span_id.hex(),
        "trace_state": s.trace_state,
        "flags": s.flags,
        "name": s.name,
        "kind": Span.SpanKind.Name(s.kind),
        "start_time_unix_nano": s.start_time_unix_nano,
        "end_time_unix_nano": s.end_time_unix_nano,
        "attributes": attributes(s.attributes),
        "dropped_attributes_count": s.dropped_attributes_count,
        "events": [
            {
                "time_unix_nano": e.time_unix_nano,
                "name": e.name,
                "attributes": attributes(e.attributes),
            }
            for e in s.events
        ],
        "dropped_events_count": s.dropped_events_count,
        "links": [
            {
                "trace_id": l.trace_id.hex(),
                "span_id": l.span_id.hex(),
                "trace_state": l.trace_state,
                "attributes": attributes(l.attributes),
                "flags": l.flags,
            }
            for l in s.links
        ],
        "dropped_links_count": s.dropped_links_count,
        "status": {
            "code": Status.StatusCode.Name(s.status.code),
            "message": s.status.message,
        },
    }


def request_dict(req):
    return [
        {
            "resource": attributes(rs.resource.attributes),
            "scope_spans": [
                {
                    "scope": {"name": ss.scope.name, "version": ss.scope.version},
                    "spans": [span_dict(s) for s in ss.spans],
                }
                for ss in rs.scope_spans
            ],
        }
        for rs in req.resource_spans
    ]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", content_type="application/x-protobuf", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def session(self):
        path = self.path.split("?")[0]
        if path == "/v1/traces":
            return "default"
        parts = path.split("/")
        if len(parts) == 5 and parts[1] == "s" and parts[3:] == ["v1", "traces"]:
            return parts[2]
        return None

    def do_GET(self):
        if self.path == "/control/count":
            return self.reply(200, str(SPAN_COUNT).encode(), "text/plain")
        if self.path == "/health":
            return self.reply(200, b"ok", "text/plain")
        if self.path.startswith("/control/"):
            session = self.path[len("/control/"):]
            with LOCK:
                data = json.dumps(REQUESTS.get(session, [])).encode()
            return self.reply(200, data, "application/json")
        self.reply(404, b"no such path", "text/plain")

    def do_PUT(self):
        if not self.path.startswith("/control/"):
            return self.reply(404, b"no such path", "text/plain")
        session = self.path[len("/control/"):]
        answers = json.loads(self.body() or b"{}").get("answers", [])
        with LOCK:
            ANSWERS[session] = list(answers)
        self.reply(204, b"", "text/plain")

    def do_POST(self):
        received_at = time.time()
        session = self.session()
        raw = self.body()
        if session is None:
            return self.reply(404, b"no such path", "text/plain")
        if DISCARD:
            global SPAN_COUNT
            request = ExportTraceServiceRequest()
            encoding = self.headers.get("Content-Encoding", "")
            request.ParseFromString(gzip.decompress(raw) if encoding == "gzip" else raw)
            n = sum(len(ss.spans) for rs in request.resource_spans for ss in rs.scope_spans)
            with LOCK:
                SPAN_COUNT += n
            return self.reply(200, b"")
        with LOCK:
            queue = ANSWERS.get(session, [])
            answer = queue.pop(0) if queue else {}
        record = {
            "received_at": received_at,
            "content_type": self.headers.get("Content-Type", ""),
            "content_encoding": self.headers.get("Content-Encoding", ""),
            "user_agent": self.headers.get("User-Agent", ""),
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "answered": answer.get("status", 200),
        }
        try:
            body = gzip.decompress(raw) if record["content_encoding"] == "gzip" else raw
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            record["resource_spans"] = request_dict(request)
        except Exception as error:  # a body the real classes cannot read: the test must see it
            record["error"] = f"{type(error).__name__}: {error}"
            record["answered"] = 400
            with LOCK:
                REQUESTS.setdefault(session, []).append(record)
            return self.reply(400, str(error).encode(), "text/plain")
        with LOCK:
            REQUESTS.setdefault(session, []).append(record)
        if answer.get("delay_ms"):
            time.sleep(answer["delay_ms"] / 1000)
        status = answer.get("status", 200)
        headers = []
        if "retry_after" in answer:
            headers.append(("Retry-After", str(answer["retry_after"])))
        if status == 200:
            response = ExportTraceServiceResponse()
            if answer.get("rejected"):
                response.partial_success.rejected_spans = answer["rejected"]
                response.partial_success.error_message = answer.get("message", "")
            return self.reply(200, response.SerializeToString(), headers=headers)
        self.reply(status, answer.get("message", "").encode(), "text/plain", headers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--discard", action="store_true")
    args = parser.parse_args()
    global DISCARD
    DISCARD = args.discard
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        import os

        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"listening on {port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
