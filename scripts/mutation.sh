#!/usr/bin/env bash
# Mutation testing of src/ClusterRouting with Stryker.NET (pinned in .config/dotnet-tools.json).
# Settings live in tests/stryker-config.json: project under test src/ClusterRouting, test project
# tests/ClusterRouting.Tests, the slow/stress test categories filtered out, thresholds high 90 / low 85 / break 0,
# two test runners. Stryker runs from tests/: from the repository root it would see ClusterRouting.sln and switch
# to solution mode, which refuses an explicit test project (and would build the samples and benchmarks too).
# Usage: scripts/mutation.sh [extra dotnet-stryker options, e.g. --since:main or --mutation-level Advanced]
# On 2 cores a full run takes a while: run it in the background with its output sent to a log.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

dotnet tool restore

output="$root/StrykerOutput/$(date +%Y-%m-%d.%H-%M-%S)"
set +e
(cd "$root/tests" && dotnet stryker --config-file "$root/tests/stryker-config.json" --output "$output" "$@")
status=$?
set -e

report_dir="$output/reports"
if [ -d "$report_dir" ]; then
  echo
  echo "Mutation report (HTML): $report_dir/mutation-report.html"
  echo "Mutation report (JSON): $report_dir/mutation-report.json"
  echo "Log files:              $output/logs"
else
  echo "No report was written under $output." >&2
fi
exit "$status"
