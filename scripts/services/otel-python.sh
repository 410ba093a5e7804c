# OpenTelemetry's Python SDK and propagators, for the wire interop test (tests/tests/wire_interop.rs);
# opentelemetry-proto for the OTLP decoder (scripts/otlp/decoder.py) and the rotel collector (its binary
# ships on PyPI), both started by scripts/services/rotel.sh for the OTLP tests;
# and grpcio with OpenTelemetry's gRPC instrumentation, for the gRPC interop test
# (tests/tests/grpc_interop.rs, peer: scripts/interop/grpc_peer.py).
# Sourced by scripts/test.sh: creates a venv once (under the cargo target dir), installs pinned
# versions, and exports OTEL_PYTHON with the venv's interpreter.
OTEL_VENV="${CARGO_TARGET_DIR:-$PWD/target}/otel-python-venv"
OTEL_PACKAGES=(
  "opentelemetry-api==1.45.2"
  "opentelemetry-sdk==1.45.2"
  "opentelemetry-propagator-b3==1.45.1"
  # an independent YAML reader for the YAML writer's round-trip test (tests/tests/yaml_pyyaml.rs)
  "PyYAML==6.0.3"
  # the OTLP decoder (scripts/otlp/decoder.py) and the rotel collector, for the OTLP tests
  "opentelemetry-proto==1.45.2"
  "protobuf==7.36.2"
  "rotel==0.0.1a15"
  "grpcio==1.85.3"
  "opentelemetry-instrumentation-grpc==0.66b2"
)
if [ ! -x "$OTEL_VENV/bin/python" ]; then
  python3 -m venv "$OTEL_VENV"
fi
# Idempotent: pip does nothing when the pinned versions are already there.
"$OTEL_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${OTEL_PACKAGES[@]}"
export OTEL_PYTHON="$OTEL_VENV/bin/python"
echo "OpenTelemetry Python ready: $OTEL_PYTHON"
