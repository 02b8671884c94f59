#!/usr/bin/env bash
# Runs both sides of the performance comparison on this machine, one after the other, so that the figures of the
# README's benchmark table can be reproduced in one run: the NumPy reference (the course's functions and the best NumPy
# version, and the course's 2500-iteration cat application where the data is: $DNNGEN_DATA, else ../shared/data), the
# PyTorch reference (every row with one thread and with two), the main job five times for its own printed time per
# iteration, then the BenchmarkDotNet benchmarks (--filter '*', or the script's arguments instead, for example
# --filter '*Training*' --job short), and last the main job's median beside CatApplicationBenchmarks' median / 2500.
# Installs the Python references'
# Debian packages if needed (they are used for the comparison only; DnnGen itself never needs Python).
set -euo pipefail
cd "$(dirname "$0")/../../.."

if ! /usr/bin/python3 -c "import numpy, torch, h5py" 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-torch python3-h5py libopenblas0-pthread >/dev/null
fi

# The machine the figures belong to: they mean little without it.
echo "machine: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores" \
    "($(grep -c '^processor' /proc/cpuinfo) in /proc/cpuinfo), $(free -g | awk '/^Mem:/ { print $2 " GiB" }')," \
    "$(uname -sr), $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 -c "import numpy, torch; print(f'numpy {numpy.__version__}, torch {torch.__version__}')"

/usr/bin/python3 tests/DnnGen.Benchmarks/reference/numpy_reference.py
/usr/bin/python3 tests/DnnGen.Benchmarks/reference/torch_reference.py
# The main job's own printed time per iteration, five runs (the pictures go to a scratch folder), run just before the
# benchmarks, so that they share CatApplicationBenchmarks' minutes: the benchmarks start with it, and on a small shared
# machine the noise changes from one quarter of an hour to the next. Skipped without the course's data, as the
# application line of numpy_reference.py.
data="${DNNGEN_DATA:-../shared/data}"
main_job=()
if [ -e "$data/train_catvnoncat.h5" ]; then
    dotnet build -c Release samples/CatClassifier >/dev/null
    scratch="$(mktemp -d)"
    for run in 1 2 3 4 5; do
        line="$(dotnet run -c Release --no-build --project samples/CatClassifier -- --data "$data" --output "$scratch" | grep '^Time per iteration')"
        echo "main job, run $run: $line"
        main_job+=("$(echo "$line" | sed -E 's/^Time per iteration: ([0-9.]+) ms.*/\1/')")
    done
    rm -rf "$scratch"
else
    echo "main job: skipped, no train_catvnoncat.h5 in $data (set DNNGEN_DATA)"
fi

if [ $# -eq 0 ]; then set -- --filter '*'; fi
started="$(mktemp)"
dotnet run -c Release --project tests/DnnGen.Benchmarks -- "$@"

# Target 3: the main job's median within 10% of the benchmark's median time per iteration, when this run measured both.
report=BenchmarkDotNet.Artifacts/results/DnnGen.Benchmarks.CatApplicationBenchmarks-report.csv
if [ ${#main_job[@]} -gt 0 ] && [ "$report" -nt "$started" ]; then
    printf '%s\n' "${main_job[@]}" | sort -g | awk -v report="$report" '
        { runs[NR] = $1 }
        END {
            median = runs[int((NR + 1) / 2)]
            # The median is the last column but one (the allocation is the last): the benchmark name has commas in it.
            while ((getline row < report) > 0) {
                if (row ~ /float64/) { n = split(row, cells, ","); bench = cells[n - 1] }
            }
            scale = bench ~ / s$/ ? 1000 : bench ~ / us$/ ? 0.001 : 1
            sub(/ [a-z]+$/, "", bench)
            bench *= scale
            per = bench / 2500
            printf "main job: median %.4f ms per iteration of %d runs; CatApplicationBenchmarks median %.1f ms / 2500 = %.4f ms; ratio %.2f\n", median, NR, bench, per, median / per
        }'
fi
rm -f "$started"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
