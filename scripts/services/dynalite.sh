# shellcheck shell=bash
# Sourced by scripts/test.sh: installs the pinned dynalite (a DynamoDB-compatible server that
# enforces the real request limits), starts it on a free loopback port and exports its endpoint for
# the DynamoDB tests. The tests fail, naming this script, when the variables are missing.

dynalite_dir="$PWD/scripts/dynalite"
(cd "$dynalite_dir" && npm ci --no-audit --no-fund --loglevel=error)

# dynalite's `--port 0` does not report the port it got, so pick a free one here.
dynalite_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

DYNALITE_PORT="$(dynalite_free_port)"
DYNALITE_LOG="$(mktemp -t dynalite.XXXXXX.log)"
"$dynalite_dir/node_modules/.bin/dynalite" --host 127.0.0.1 --port "$DYNALITE_PORT" >"$DYNALITE_LOG" 2>&1 &
DYNALITE_PID=$!
CLEANUP+=("kill $DYNALITE_PID 2>/dev/null; wait $DYNALITE_PID 2>/dev/null; rm -f '$DYNALITE_LOG'")

dynalite_ready=0
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$DYNALITE_PORT") 2>/dev/null; then
    dynalite_ready=1
    break
  fi
  if ! kill -0 "$DYNALITE_PID" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
if [ "$dynalite_ready" != 1 ]; then
  echo "dynalite did not start on 127.0.0.1:$DYNALITE_PORT; its log:" >&2
  cat "$DYNALITE_LOG" >&2
  exit 1
fi

export TRACE_TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$DYNALITE_PORT"
# The restart test starts (and stops) a dynalite of its own with this binary.
export TRACE_TEST_DYNALITE_BIN="$dynalite_dir/node_modules/.bin/dynalite"
echo "dynalite (pid $DYNALITE_PID) at $TRACE_TEST_DYNAMODB_ENDPOINT"
