#!/bin/sh
# Install Debian's Varnish and varnish-modules (for the xkey vmod) when missing.
# Used by the test suite, `make serve VARNISH=1` and the benchmark; needs root.
set -e
VMOD_DIR=$(ls -d /usr/lib/*/varnish/vmods 2>/dev/null | head -n 1)
if command -v varnishd >/dev/null 2>&1 && [ -n "$VMOD_DIR" ] && [ -e "$VMOD_DIR/libvmod_xkey.so" ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q varnish varnish-modules >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q varnish varnish-modules
fi
# The package starts a system varnishd on port 6081; the project runs its own.
if command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now varnish >/dev/null 2>&1 || true
fi
command -v varnishd >/dev/null
