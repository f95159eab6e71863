#!/usr/bin/env bash
# stress.sh runs leakcheck's stress suite (testdata/stress) through the
# root package's TestStress and prints one summary line per configuration:
# runs, tests, false failures, missed leaks.
#
#   scripts/stress.sh             full: -race -count=50 -shuffle=on -cpu=1,2,4
#                                 -parallel 8 with both cores kept busy by a
#                                 CPU burner, then the same with GOMAXPROCS=1
#   scripts/stress.sh --quick     what CI runs: -count=2 -cpu=1,2 and
#                                 GOMAXPROCS=1 -count=1, no burner (< 3 min)
#   scripts/stress.sh --no-burner full, without the CPU burner
#   scripts/stress.sh --burn-minutes=N
#                                 full, stopping the burner after N minutes
#                                 (on a shared machine)
#
# The toolchain is whatever "go" is; set GOTOOLCHAIN=go1.27.4 or
# GOEXPERIMENT=goroutineleakprofile to stress the leak-proof path.
set -euo pipefail

cd "$(dirname "$0")/.."

mode=full
burner=1
burn_minutes=0
for arg in "$@"; do
	case "$arg" in
	--quick) mode=quick; burner=0 ;;
	--no-burner) burner=0 ;;
	--burn-minutes=*) burn_minutes=${arg#--burn-minutes=} ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "stress.sh: unknown argument $arg" >&2; exit 2 ;;
	esac
done

pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
}
trap cleanup EXIT INT TERM

if [[ $burner == 1 ]]; then
	cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
	for ((i = 0; i < cores; i++)); do
		yes >/dev/null &
		pids+=("$!")
	done
	echo "stress.sh: $cores CPU burners running (pids ${pids[*]})"
	if [[ $burn_minutes -gt 0 ]]; then
		(
			sleep "$((burn_minutes * 60))"
			kill "${pids[@]}" 2>/dev/null || true
			echo "stress.sh: CPU burners stopped after $burn_minutes minutes"
		) &
		pids+=("$!")
	fi
fi

log=$(mktemp "${TMPDIR:-/tmp}/leakcheck-stress.XXXXXX")
echo "stress.sh: $mode run on $(go version); log in $log"
start=$SECONDS
status=0
LEAKCHECK_LONG=1 LEAKCHECK_STRESS=$mode go test -count=1 -timeout=120m -run '^TestStress$' -v . >"$log" 2>&1 || status=$?
grep -h 'stress summary' "$log" | sed 's/^ *stress_test.go:[0-9]*: //' || true
echo "stress.sh: $((SECONDS - start))s, go test exit status $status"
if [[ $status != 0 ]]; then
	tail -n 100 "$log"
fi
exit "$status"
