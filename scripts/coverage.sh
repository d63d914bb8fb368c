#!/usr/bin/env bash
# Line and branch coverage of each package under src/ (coverlet collector + ReportGenerator, pinned in
# .config/dotnet-tools.json), from the whole test suite of ClusterRouting.sln less the soak (Category=Soak: its
# faults are drawn at random, so the lines it reaches vary from run to run).
# Usage: scripts/coverage.sh [minimum line coverage of each package in percent, default 90]
# Exits non-zero when a test fails or when a package's line coverage is below the minimum.
# Raw results go to TestResults/coverage, the reports (TextSummary, JsonSummary, Html) to artifacts/coverage, and one
# line per package to artifacts/coverage/packages.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

threshold=${1:-90}
if ! [[ "$threshold" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "usage: $0 [minimum line coverage of each package in percent, default 90]" >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

packages=(ClusterRouting ClusterRouting.Http ClusterRouting.AspNetCore ClusterRouting.HealthChecks ClusterRouting.AspNetCore.Admin ClusterRouting.Tool)
results="$root/TestResults/coverage"
report="$root/artifacts/coverage"
rm -rf "$results" "$report"

dotnet tool restore

# One cobertura file per test project; each holds every src assembly that project's tests loaded.
dotnet test ClusterRouting.sln --collect:"XPlat Code Coverage" --results-directory "$results" --filter "Category!=Soak"

mapfile -t reports < <(find "$results" -name 'coverage.cobertura.xml' -type f)
if [ "${#reports[@]}" -eq 0 ]; then
  echo "No coverage.cobertura.xml under $results." >&2
  exit 1
fi
joined=$(IFS=';'; echo "${reports[*]}")
filters=$(printf '+%s;' "${packages[@]}")

# ReportGenerator merges the files (a line is covered when any test project covered it) and summarizes per assembly.
# The file filter leaves out source-generated code (obj/, *.g.cs: LoggerMessage, options validators, JSON and
# configuration binding), so the figures are those of the files under src/.
dotnet reportgenerator \
  "-reports:$joined" \
  "-targetdir:$report" \
  "-reporttypes:TextSummary;JsonSummary;Html" \
  "-assemblyfilters:${filters%;}" \
  "-filefilters:-*/obj/*;-*.g.cs" \
  "-verbosity:Warning"

commit=$(git rev-parse --short HEAD)
echo
echo "Line coverage per package (commit $commit; branch coverage in parentheses), minimum ${threshold}%:"
status=0
python3 - "$report/Summary.json" "$threshold" "${packages[@]}" > "$report/packages.txt" <<'PY' || status=$?
import json, sys
summary = json.load(open(sys.argv[1]))
threshold = float(sys.argv[2])
by_name = {a["name"]: a for a in summary["coverage"]["assemblies"]}
below = 0
for name in sys.argv[3:]:
    a = by_name.get(name)
    if a is None:
        print(f"{name}: no coverage data")
        below += 1
        continue
    line = a["coverage"]
    branch = a.get("branchcoverage")
    mark = "" if line >= threshold else "  BELOW"
    print(f"{name}: {line:.1f} % of {a['coverablelines']} lines ({a['coveredlines']} covered), branches {branch if branch is not None else 'n/a'} %{mark}")
    below += line < threshold
sys.exit(1 if below else 0)
PY
cat "$report/packages.txt"
echo "HTML report: $report/index.html"
exit "$status"
