#!/usr/bin/env bash
# Paired runs of benchmark cases, for comparisons on a shared machine.
#
# BenchmarkDotNet runs every launch of a case before it starts the next case, so with --launchCount N a baseline is
# measured minutes before the case it is compared with, and this machine's speed drifts within minutes (one process's
# three iterations of the same case: 22.1, 18.5 and 18.8 ns). This script runs the filter RUNS times with one launch
# per case (so each case runs right after its baseline), keeps each run's table, and prints per case the median over
# the runs of its Mean and of its Ratio (BenchmarkDotNet's ratio to the baseline of the same run). Given a second
# checkout of the repository, it alternates the two builds run by run, so that both see the same drift.
#
# Usage: benchmarks/paired-runs.sh RUNS 'FILTER' [OTHER_CHECKOUT]
#   benchmarks/paired-runs.sh 14 '*.SelectionBenchmarks*'
#   benchmarks/paired-runs.sh 8 '*ThroughputBenchmarks.ClusterRouting*' /path/to/another/checkout
# The tables go to benchmarks/ClusterRouting.Benchmarks/BenchmarkDotNet.Artifacts/paired/<time>/ (git-ignored). Each run
# first deletes the *-report-github.md tables in each checkout's BenchmarkDotNet.Artifacts/results/, so that only that
# run's are collected: copy any you want to keep before running this.
# Each run is `--job short` (3 warm-up and 3 measured iterations); a SelectionBenchmarks run of its 18 cases takes
# about 3 minutes here.
set -euo pipefail

if [ $# -lt 2 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "Usage: $0 RUNS 'FILTER' [OTHER_CHECKOUT]  (RUNS: a whole number from 1)" >&2
  exit 2
fi
runs=$1
filter=$2
here=$(cd "$(dirname "$0")/.." && pwd)
checkouts=("$here")
if [ $# -ge 3 ]; then
  other=$(cd "$3" && pwd)
  if [ ! -d "$other/benchmarks/ClusterRouting.Benchmarks" ]; then
    echo "$3 is not a checkout of this repository (no benchmarks/ClusterRouting.Benchmarks in it)." >&2
    exit 2
  fi
  checkouts+=("$other")
fi

# A checkout's commit, and whether its tracked files differ from it (a throwaway [Params] edit, a change being measured).
describe() {
  local commit
  commit=$(git -C "$1" rev-parse --short HEAD)
  if git -C "$1" diff --quiet HEAD --; then echo "$1 ($commit)"; else echo "$1 ($commit with uncommitted changes)"; fi
}

out="$here/benchmarks/ClusterRouting.Benchmarks/BenchmarkDotNet.Artifacts/paired/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
for run in $(seq 1 "$runs"); do
  for which in "${!checkouts[@]}"; do
    project="${checkouts[$which]}/benchmarks/ClusterRouting.Benchmarks"
    results="$project/BenchmarkDotNet.Artifacts/results"
    rm -f "$results"/*-report-github.md
    echo "run $run of $runs, $(describe "${checkouts[$which]}")"
    (cd "$project" && dotnet run -c Release -- --filter "$filter" --job short --launchCount 1 > "$out/$which-$run.log" 2>&1) ||
      { echo "The run failed: see $out/$which-$run.log" >&2; exit 1; }
    reports=("$results"/*-report-github.md)
    if [ ! -f "${reports[0]}" ]; then
      echo "The run wrote no table (does the filter match a benchmark?): see $out/$which-$run.log" >&2
      exit 1
    fi
    cat "${reports[@]}" > "$out/$which-$run.md"
  done
done

# Per checkout and case (the columns before Mean: method and parameters), the medians over the runs.
for which in "${!checkouts[@]}"; do
  echo
  echo "$(describe "${checkouts[$which]}"), $runs runs: median Mean (ns), median Ratio"
  cat "$out/$which"-*.md | awk -F'|' '
    function trim(s) { gsub(/\*/, "", s); gsub(/^ +| +$/, "", s); return s }
    function ns(s,   value, unit) {
      s = trim(s); gsub(/,/, "", s); split(s, parts, " "); value = parts[1] + 0; unit = parts[2]
      if (unit == "us" || unit == "μs") return value * 1000
      if (unit == "ms") return value * 1000000
      if (unit == "s") return value * 1000000000
      return value
    }
    function median(list,   n, i, j, v, a) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) { v = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > v; j--) a[j + 1] = a[j]; a[j + 1] = v }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $2 ~ /^ *Method *$/ { mean = ratio = 0; for (i = 1; i <= NF; i++) { if (trim($i) == "Mean") mean = i; if (trim($i) == "Ratio") ratio = i }; next }
    /^\|/ && mean && trim($2) != "" && $2 !~ /^-+ *$/ {
      key = ""; for (i = 2; i < mean; i++) key = key (i > 2 ? " " : "") trim($i)
      if (!(key in means)) order[++count] = key
      means[key] = means[key] " " ns($mean)
      if (ratio && trim($ratio) ~ /^[0-9.]+$/) ratios[key] = ratios[key] " " trim($ratio)
    }
    END {
      for (k = 1; k <= count; k++) {
        key = order[k]
        printf "  %-60s %10.2f   %s\n", key, median(means[key]), (key in ratios) ? sprintf("%.3f", median(ratios[key])) : "-"
      }
    }'
done
echo
echo "Tables and logs: $out"
