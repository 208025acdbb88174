#!/usr/bin/env bash
# Step 2 of .github/workflows/ci.yml: run every notebook as a what-if run into runs/ci/ and show what
# that does to the findings, committed (HEAD) → fresh run, as a markdown table in the job summary and
# in $WHATIF_OUT (findings-diff.md, findings-diff.json, findings-diff.txt). On a pull request, also
# what the PR's committed findings change against its base branch.
#
# Exit status: 0 when the run and the diff worked, whatever changed; 1 when a notebook failed to
# run; 2 when the diff could not be made (bad or missing findings table). Changed numbers are a
# notice and changed verdicts a warning annotation, never a failure of this step.
set -uo pipefail
cd "$(dirname "$0")/../.."
ss=${SUPPORTSTATS:-.venv/bin/supportstats}
out=${WHATIF_OUT:-ci-artifacts}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
mkdir -p "$out"

"$ss" reproduce --name ci
run=$?

"$ss" diff HEAD runs/ci --format markdown > "$out/findings-diff.md"
diff=$?
"$ss" diff HEAD runs/ci --format json > "$out/findings-diff.json"
"$ss" diff HEAD runs/ci --format text --no-color > "$out/findings-diff.txt"
"$ss" diff HEAD runs/ci --verdicts-only > /dev/null
verdicts=$?

cat "$out/findings-diff.md" >> "$summary"
cat "$out/findings-diff.txt"
if [ -n "${GITHUB_BASE_REF:-}" ]; then
    {
        echo
        echo "#### What this pull request's committed findings change against \`$GITHUB_BASE_REF\`"
        echo
        "$ss" diff "origin/$GITHUB_BASE_REF" HEAD --format markdown || true
    } >> "$summary"
fi

if [ "$verdicts" -eq 1 ]; then
    echo "::warning title=Verdicts changed::a fresh run changes verdicts in findings.csv (see the job summary)"
elif [ "$diff" -eq 1 ]; then
    echo "::notice title=Findings moved::a fresh run changes numbers in findings.csv (see the job summary)"
fi
if [ "$run" -ne 0 ]; then
    echo "::error title=What-if run failed::supportstats reproduce --name ci exited $run"
    exit 1
fi
if [ "$diff" -ge 2 ]; then
    echo "::error title=Findings diff failed::supportstats diff exited $diff"
    exit 2
fi
exit 0
