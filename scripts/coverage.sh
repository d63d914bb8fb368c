#!/usr/bin/env bash
# Line and branch coverage of src/ClusterRouting from the whole test suite (coverlet collector + ReportGenerator,
# pinned in .config/dotnet-tools.json).
# Usage: scripts/coverage.sh [minimum line coverage in percent, default 90]
# Exits non-zero when the line coverage of the ClusterRouting assembly is below the minimum.
# Raw results go to TestResults/coverage, the reports (TextSummary, JsonSummary, Html) to artifacts/coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

threshold=${1:-90}
if ! [[ "$threshold" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "usage: $0 [minimum line coverage in percent, default 90]" >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

results="$root/TestResults/coverage"
report="$root/artifacts/coverage"
rm -rf "$results" "$report"

dotnet tool restore

dotnet test tests/ClusterRouting.Tests --collect:"XPlat Code Coverage" --results-directory "$results"

mapfile -t reports < <(find "$results" -name 'coverage.cobertura.xml' -type f)
if [ "${#reports[@]}" -eq 0 ]; then
  echo "No coverage.cobertura.xml under $results." >&2
  exit 1
fi
joined=$(IFS=';'; echo "${reports[*]}")

dotnet reportgenerator \
  "-reports:$joined" \
  "-targetdir:$report" \
  "-reporttypes:TextSummary;JsonSummary;Html" \
  "-assemblyfilters:+ClusterRouting" \
  "-filefilters:-*/obj/*;-*.g.cs" \
  "-verbosity:Warning"

summary="$report/Summary.txt"
echo
cat "$summary"
echo

# With the assembly filter the totals are those of the ClusterRouting assembly; the file filter leaves out the
# source-generated code (obj/, *.g.cs: LoggerMessage, options validator), so the figures are those of the files in
# src/ClusterRouting.
line=$(sed -n 's/^ *Line coverage: *\([0-9.]*\)%.*/\1/p' "$summary" | head -n 1)
branch=$(sed -n 's/^ *Branch coverage: *\([0-9.]*\)%.*/\1/p' "$summary" | head -n 1)
if [ -z "$line" ]; then
  echo "Could not read the line coverage from $summary." >&2
  exit 1
fi

echo "src/ClusterRouting line coverage: ${line}% (branch coverage: ${branch:-n/a}%), minimum ${threshold}%"
echo "HTML report: $report/index.html"
if awk -v l="$line" -v t="$threshold" 'BEGIN { exit !(l + 0 < t + 0) }'; then
  echo "Line coverage ${line}% is below the minimum of ${threshold}%." >&2
  exit 1
fi
