# shellcheck shell=bash
# Sourced by scripts/test.sh after otel-python.sh (whose venv holds opentelemetry-proto and rotel):
# starts the OTLP decoder (scripts/otlp/decoder.py, which records every request it decodes with the
# OpenTelemetry project's own classes) and the rotel collector in front of it, both on loopback,
# and exports their addresses for the OTLP tests (tests/tests/otlp_*.rs). The tests fail, naming
# this script, when the variables are missing.

if [ -z "${OTEL_PYTHON:-}" ]; then
  source "$PWD/scripts/services/otel-python.sh"
fi

otlp_wait_for_file() { # FILE PID NAME LOG
  local _
  for _ in $(seq 1 100); do
    [ -s "$1" ] && return 0
    if ! kill -0 "$2" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "$3 did not start; its log:" >&2
  cat "$4" >&2
  exit 1
}

OTLP_DECODER_LOG="$(mktemp -t otlp-decoder.XXXXXX.log)"
OTLP_DECODER_PORT_FILE="$(mktemp -u -t otlp-decoder-port.XXXXXX)"
"$OTEL_PYTHON" "$PWD/scripts/otlp/decoder.py" --port 0 --port-file "$OTLP_DECODER_PORT_FILE" >"$OTLP_DECODER_LOG" 2>&1 &
OTLP_DECODER_PID=$!
CLEANUP+=("kill $OTLP_DECODER_PID 2>/dev/null; wait $OTLP_DECODER_PID 2>/dev/null; rm -f '$OTLP_DECODER_LOG' '$OTLP_DECODER_PORT_FILE'")
otlp_wait_for_file "$OTLP_DECODER_PORT_FILE" "$OTLP_DECODER_PID" "the OTLP decoder" "$OTLP_DECODER_LOG"
OTLP_DECODER_PORT="$(cat "$OTLP_DECODER_PORT_FILE")"

# rotel takes its listening ports from the command line: pick free ones here.
otlp_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
ROTEL_HTTP_PORT="$(otlp_free_port)"
ROTEL_GRPC_PORT="$(otlp_free_port)"
ROTEL_BIN="$("$OTEL_PYTHON" -c 'import os, rotel; print(os.path.join(os.path.dirname(rotel.__file__), "rotel-agent"))')"
ROTEL_LOG="$(mktemp -t rotel.XXXXXX.log)"
# A short batch timeout so a test's trace is forwarded promptly.
"$ROTEL_BIN" start \
  --otlp-http-endpoint "127.0.0.1:$ROTEL_HTTP_PORT" \
  --otlp-grpc-endpoint "127.0.0.1:$ROTEL_GRPC_PORT" \
  --exporter otlp \
  --otlp-exporter-endpoint "http://127.0.0.1:$OTLP_DECODER_PORT" \
  --otlp-exporter-protocol http \
  --batch-timeout 100ms \
  --pid-file "$ROTEL_LOG.pid" >"$ROTEL_LOG" 2>&1 &
ROTEL_PID=$!
CLEANUP+=("kill $ROTEL_PID 2>/dev/null; wait $ROTEL_PID 2>/dev/null; rm -f '$ROTEL_LOG' '$ROTEL_LOG.pid'")

rotel_ready=0
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$ROTEL_HTTP_PORT") 2>/dev/null; then
    rotel_ready=1
    break
  fi
  if ! kill -0 "$ROTEL_PID" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
if [ "$rotel_ready" != 1 ]; then
  echo "rotel did not start on 127.0.0.1:$ROTEL_HTTP_PORT; its log:" >&2
  cat "$ROTEL_LOG" >&2
  exit 1
fi

export TRACE_TEST_OTLP_DECODER="http://127.0.0.1:$OTLP_DECODER_PORT"
export TRACE_TEST_ROTEL_ENDPOINT="http://127.0.0.1:$ROTEL_HTTP_PORT"
export TRACE_TEST_ROTEL_GRPC_ENDPOINT="http://127.0.0.1:$ROTEL_GRPC_PORT"
# The receiver-down test starts (and stops) a decoder of its own with these.
export TRACE_TEST_OTLP_DECODER_SCRIPT="$PWD/scripts/otlp/decoder.py"
echo "OTLP decoder (pid $OTLP_DECODER_PID) at $TRACE_TEST_OTLP_DECODER; rotel (pid $ROTEL_PID) at $TRACE_TEST_ROTEL_ENDPOINT"
