# shellcheck shell=bash
# Sourced by scripts/test.sh: installs Debian's chromium and chromium-driver (once) for the
# trace-view browser tests (trace-view/tests/browser.rs), which start chromedriver themselves and
# drive a headless chromium over WebDriver. Exports the two paths the tests read.

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
fi

export TRACE_TEST_CHROMIUM=/usr/bin/chromium
export TRACE_TEST_CHROMEDRIVER=/usr/bin/chromedriver
echo "chromium ready: $("$TRACE_TEST_CHROMIUM" --version 2>/dev/null || echo "$TRACE_TEST_CHROMIUM")"
