#!/usr/bin/env bash
# The audit step of action.yml: run kafka-audit once with every requested report, annotations on
# stdout, the markdown summary appended to $GITHUB_STEP_SUMMARY, and the exit code as a step
# output (the action's last step gates on it, after the SARIF upload).
# Inputs arrive as KA_* environment variables, never interpolated into the script.
set -euo pipefail

out="${KA_OUTPUT_DIR:-kafka-audit-reports}"
github_output="${GITHUB_OUTPUT:-/dev/null}"
mkdir -p "$out"
rm -f "$out"/kafka-audit.* "$out/step-summary.md"  # never upload a report from an earlier run
echo "report-dir=$out" >> "$github_output"

declare -A extension  # format -> file extension, as kafka-audit's OutputFormat says
while IFS='=' read -r format ext; do extension[$format]=$ext; done < <(
  python -c 'from auditor.reports import OutputFormat as F; print("\n".join(f"{f.value}={f.extension}" for f in F))'
)
args=(audit --fail-on "${KA_FAIL_ON:-high}")
[ -z "${KA_BOOTSTRAP_SERVER:-}" ] || args+=(--bootstrap-server "$KA_BOOTSTRAP_SERVER")
[ -z "${KA_COMMAND_CONFIG:-}" ] || args+=(--command-config "$KA_COMMAND_CONFIG")
[ -z "${KA_SNAPSHOT:-}" ] || args+=(--snapshot "$KA_SNAPSHOT")
[ -z "${KA_SERVICES:-}" ] || args+=(--services "$KA_SERVICES")
[ -z "${KA_POLICY:-}" ] || args+=(--policy "$KA_POLICY")
[ -z "${KA_WAIVERS:-}" ] || args+=(--waivers "$KA_WAIVERS")
[ -z "${KA_BASELINE:-}" ] || args+=(--baseline "$KA_BASELINE")
[ "${KA_FAIL_ON_GAPS:-false}" != true ] || args+=(--fail-on-gaps)
[ -z "${KA_MIN_SEVERITY:-}" ] || args+=(--min-severity "$KA_MIN_SEVERITY")

IFS=', ' read -r -a formats <<< "${KA_FORMATS:-}"
for format in "${formats[@]}"; do
  [ -n "$format" ] && [ "$format" != github ] || continue  # annotations are always written to the log
  if [ -z "${extension[$format]:-}" ]; then
    echo "::error title=kafka-audit::unknown format '$format' in the formats input (known: ${!extension[*]})"
    echo "exit-code=2" >> "$github_output"
    exit 0
  fi
  args+=(--format "$format" --output "$out/kafka-audit.${extension[$format]}")
done
args+=(--format markdown --output "$out/step-summary.md" --format github)

read -r -a paths <<< "${KA_PATHS:-}"
args+=("${paths[@]}")

code=0
"${KA_COMMAND:-kafka-audit}" "${args[@]}" || code=$?

if [ -f "$out/step-summary.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$out/step-summary.md" >> "$GITHUB_STEP_SUMMARY"
fi
if [ -f "$out/kafka-audit.sarif" ]; then
  echo "sarif-file=$out/kafka-audit.sarif" >> "$github_output"
fi
echo "exit-code=$code" >> "$github_output"
