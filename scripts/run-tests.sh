#!/bin/sh
# Runs the Meson test suite of one build directory and ends with the line CI reads:
#   N passed, N failed, N skipped
# Extra arguments go to 'meson test' (e.g. --suite wsk). Exit status: 0 when nothing failed.
set -u
build=${1:?usage: run-tests.sh BUILD_DIR [meson test args...]}
shift

meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
rc=$?

log="$build/meson-logs/testlog.json"
if [ ! -s "$log" ]; then
    echo "run-tests: no test log in $build" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
python3 - "$log" <<'PY'
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0, "TIMEOUT": 0, "ERROR": 0, "UNEXPECTEDPASS": 0, "EXPECTEDFAIL": 0}
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        r = json.loads(line).get("result", "ERROR")
        counts[r] = counts.get(r, 0) + 1
passed = counts["OK"] + counts["EXPECTEDFAIL"]
failed = counts["FAIL"] + counts["TIMEOUT"] + counts["ERROR"] + counts["UNEXPECTEDPASS"]
print(f"{passed} passed, {failed} failed, {counts['SKIP']} skipped")
PY
exit $rc
