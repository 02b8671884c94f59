#!/usr/bin/env bash
# Runs both sides of the performance comparison on this machine, one after the other, so that the figures of the
# README's benchmark table can be reproduced in one run: the NumPy reference (the course's functions and the best NumPy
# version, and the course's 2500-iteration cat application where the data is: $DNNGEN_DATA, else ../shared/data), the
# PyTorch reference (every row with one thread and with two), then target 3's paired measurement (the main job five
# times for its own printed time per iteration, CatApplicationBenchmarks by itself, the main job five times more), then
# the BenchmarkDotNet benchmarks (--filter '*', or the script's arguments instead, for example --filter '*Training*'
# --job short), and last the main job's median beside the paired CatApplicationBenchmarks' median / 2500.
# Installs the Python references' Debian packages if needed (they are used for the comparison only; DnnGen itself never
# needs Python).
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
# Target 3 compares the main job's own printed time per iteration with CatApplicationBenchmarks' median, and on a small
# shared machine the noise changes from one quarter of an hour to the next: the main job runs five times, then the
# benchmark by itself (the default job, as in the full run), then the main job five times more, so that both sides
# share the same minutes (the full run below measures the benchmark again, for the table: 1-2 minutes more); the
# pictures go to a scratch folder. Skipped without the course's data, as the application line of numpy_reference.py.
data="${DNNGEN_DATA:-../shared/data}"
main_job=()
paired="$(mktemp)"
report=BenchmarkDotNet.Artifacts/results/DnnGen.Benchmarks.CatApplicationBenchmarks-report.csv
main_job_runs() {
    for run in $(seq "$1" "$2"); do
        line="$(dotnet run -c Release --no-build --project samples/CatClassifier -- --data "$data" --output "$scratch" | grep '^Time per iteration')"
        echo "main job, run $run: $line"
        main_job+=("$(echo "$line" | sed -E 's/^Time per iteration: ([0-9.]+) ms.*/\1/')")
    done
}
if [ -e "$data/train_catvnoncat.h5" ]; then
    dotnet build -c Release samples/CatClassifier >/dev/null
    scratch="$(mktemp -d)"
    main_job_runs 1 5
    dotnet run -c Release --project tests/DnnGen.Benchmarks -- --filter '*.CatApplicationBenchmarks.*'
    cp "$report" "$paired"
    main_job_runs 6 10
    rm -rf "$scratch"
else
    echo "main job: skipped, no train_catvnoncat.h5 in $data (set DNNGEN_DATA)"
fi

if [ $# -eq 0 ]; then set -- --filter '*'; fi
dotnet run -c Release --project tests/DnnGen.Benchmarks -- "$@"

# Target 3: the main job's median of its ten runs within 10% of the paired benchmark's median time per iteration, with
# the benchmark's quartiles, so that the reader sees how wide the noise was in those minutes.
if [ ${#main_job[@]} -gt 0 ] && [ -s "$paired" ]; then
    printf '%s\n' "${main_job[@]}" | sort -g | awk -v report="$paired" '
        function ms(text,    scale) {
            scale = text ~ / s$/ ? 1000 : text ~ / us$/ ? 0.001 : 1
            sub(/ [a-z]+$/, "", text)
            return text * scale
        }
        { runs[NR] = $1 }
        END {
            median = NR % 2 ? runs[(NR + 1) / 2] : (runs[NR / 2] + runs[NR / 2 + 1]) / 2
            # The cells are found by the header: the benchmark name has commas in it, so the row is read from its end.
            while ((getline row < report) > 0) {
                n = split(row, cells, ",")
                if (cells[1] == "Method") { for (c = 1; c <= n; c++) column[cells[c]] = n - c }
                else if (row ~ /float64/) { bench = ms(cells[n - column["Median"]]); q1 = ms(cells[n - column["Q1"]]); q3 = ms(cells[n - column["Q3"]]) }
            }
            per = bench / 2500
            printf "main job: median %.4f ms per iteration of %d runs (%.4f to %.4f); CatApplicationBenchmarks, in the same minutes: median %.1f ms / 2500 = %.4f ms (quartiles %.4f and %.4f); ratio %.2f\n", median, NR, runs[1], runs[NR], bench, per, q1 / 2500, q3 / 2500, median / per
        }'
fi
rm -f "$paired"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
