#!/usr/bin/env bash
# Mutation testing with Stryker.NET (pinned in .config/dotnet-tools.json), one package per run.
#
# Usage: scripts/mutation.sh [package] [extra dotnet-stryker options, e.g. --since:main or --concurrency 1]
#   package  core (the default: src/ClusterRouting, settings in tests/stryker-config.json), or one of the satellites:
#            http, aspnetcore, healthchecks, admin, tool (settings in tests/stryker-<package>.json).
# An argument that starts with '-' is a Stryker option, so `scripts/mutation.sh --since:main` still runs the core.
#
# Each configuration names the project under test, its test project and a test filter. The core's leaves out the
# slow and stress categories. The satellites' leave out what depends on real time or on something Stryker cannot
# switch mutants in: Browser (headless Chromium), EndToEnd (whole clusters on the real clock, busy CPUs), Slow (busy
# loops on the real CPU measurement), Process (the tool run as a child process), Stress and Soak. Thresholds for the
# satellites: high 95 / low 90 / break 0 (CI passes --break-at 95 to its bounded check, .ci/mutation-check).
#
# Stryker runs from tests/: from the repository root it would see ClusterRouting.sln and switch to solution mode,
# which refuses an explicit test project (and would build the samples and benchmarks too).
# On 2 cores a full run takes a while: run it in the background with its output sent to a log, one run at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

package=core
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  package=$1
  shift
fi

case "$package" in
  core) config="$root/tests/stryker-config.json" ;;
  http | aspnetcore | healthchecks | admin | tool) config="$root/tests/stryker-$package.json" ;;
  *)
    echo "Unknown package '$package': expected core, http, aspnetcore, healthchecks, admin or tool." >&2
    exit 2
    ;;
esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

dotnet tool restore

# Stryker 5.1.0's progress bar sizes itself to the terminal; with no terminal width (a run under nohup or `script`)
# it threw at the end of a 73-minute run, before any report was written. Without a terminal that has a width, the
# reporters are named here without it (what is named on the command line replaces the configuration's list).
reporters=()
columns=$( (stty size 2>/dev/null || true) | awk '{ print $2 }')
if [ ! -t 1 ] || [ -z "$columns" ] || [ "$columns" -lt 80 ]; then
  reporters=(--reporter html --reporter json --reporter cleartext)
fi

output="$root/StrykerOutput/$package-$(date +%Y-%m-%d.%H-%M-%S)"
set +e
(cd "$root/tests" && dotnet stryker --config-file "$config" --output "$output" "${reporters[@]}" "$@")
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
