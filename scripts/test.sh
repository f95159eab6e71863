#!/usr/bin/env bash
# test.sh runs the tests of every module of the repository: the library
# (with the examples; it needs Go 1.22), cmd/leakcheck (the command, a
# module of its own so that its dependencies never reach a library user)
# and cmd/leakvet (which needs what golang.org/x/tools needs). Arguments go
# to go test; without any, -race. It runs the long tests too
# (LEAKCHECK_LONG=1: the library's end-to-end runs of go test on its
# testdata, stress and parallel ownership among them), which a plain
# "go test ./..." skips to finish in a minute or so.
#
#   scripts/test.sh
#   GOTOOLCHAIN=go1.27.4 scripts/test.sh -race -count=1
set -euo pipefail
cd "$(dirname "$0")/.."
export LEAKCHECK_LONG="${LEAKCHECK_LONG:-1}"
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
	args=(-race)
fi
for dir in . cmd/leakcheck cmd/leakvet; do
	echo "== go test ${args[*]} ./... in $dir"
	(cd "$dir" && go test "${args[@]}" ./...)
done
