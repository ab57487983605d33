#!/bin/sh
# Builds one Meson build directory, runs its test suite and ends with the line CI reads:
#   N passed, N failed, N skipped
# Extra arguments go to 'meson test' (e.g. --suite wsk). Exit status: 0 when nothing failed.
# A build failure, or a 'meson test' that leaves no log, still ends with a count line
# ("0 passed, 1 failed, 0 skipped") and a non-zero exit, never with nothing.
set -u
build=${1:?usage: run-tests.sh BUILD_DIR [meson test args...]}
shift

log="$build/meson-logs/testlog.json"
# A log left by an earlier run must never be counted as this one's.
rm -f "$log"

t0=$(date +%s)
if ! meson compile -C "$build"; then
    echo "run-tests: build of $build failed" >&2
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

t1=$(date +%s)
echo "run-tests: built $build in $((t1 - t0)) s"
meson test -C "$build" --no-rebuild --print-errorlogs --num-processes 2 "$@"
rc=$?
echo "run-tests: tests of $build ran in $(($(date +%s) - t1)) s"

if [ ! -s "$log" ]; then
    echo "run-tests: no test log in $build (meson test exit status $rc)" >&2
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi
python3 - "$log" "$rc" <<'PY'
import json, re, sys
# Meson shows only the last 100 lines of a failing test, which log noise can fill: repeat
# the test's own failure lines (file:line: from CHECK*) and sanitizer headlines here.
KEY = re.compile(r"^\S+\.(c|cc|cpp|h):\d+: |ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
                 r"WARNING: ThreadSanitizer|runtime error:|SUMMARY: ")


def key_lines(t, limit=12):
    out = []
    for line in ((t.get("stdout") or "") + "\n" + (t.get("stderr") or "")).splitlines():
        if KEY.search(line) and line not in out:
            out.append(line)
            if len(out) == limit:
                break
    return out


# Meson's TestResult names: OK, FAIL, SKIP, TIMEOUT, ERROR (a test that could not run),
# EXPECTEDFAIL (should_fail test that failed), UNEXPECTEDPASS (should_fail test that passed).
passed = failed = skipped = 0
failures = []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    try:
        t = json.loads(line)
    except ValueError:
        failed += 1
        failures.append("(unreadable testlog line)")
        continue
    r = t.get("result", "ERROR")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
        failures.append(f"{t.get('name', '?')} {r}")
        failures.extend("    " + line for line in key_lines(t))
if failed == 0 and int(sys.argv[2]) != 0:
    # meson test failed without a failing test in its log: count that as one failure.
    failed = 1
    failures.append(f"meson test exit status {sys.argv[2]}")
for f in failures:
    print(f if f.startswith("    ") else f"run-tests: FAILED {f}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
