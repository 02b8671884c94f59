#!/usr/bin/env bash
# Runs both sides of the performance comparison on this machine, one after the other, so that the figures of the
# README's benchmark table can be reproduced in one run. Installs the Python references' Debian packages if needed
# (they are used for the comparison only; DnnGen itself never needs Python).
set -euo pipefail
cd "$(dirname "$0")/../../.."

if ! /usr/bin/python3 -c "import numpy, torch" 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-torch libopenblas0-pthread >/dev/null
fi

/usr/bin/python3 tests/DnnGen.Benchmarks/reference/numpy_reference.py
/usr/bin/python3 tests/DnnGen.Benchmarks/reference/torch_reference.py
dotnet run -c Release --project tests/DnnGen.Benchmarks -- --filter '*' "$@"
