#!/usr/bin/env bash
# test.sh runs the tests of every module of the repository: the library
# (with the examples; it needs Go 1.22), cmd/leakcheck (the command, a
# module of its own so that its dependencies never reach a library user)
# and cmd/leakvet (which needs what golang.org/x/tools needs). Arguments go
# to go test; without any, -race.
#
#   scripts/test.sh
#   GOTOOLCHAIN=go1.27.4 scripts/test.sh -race -count=1
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
	args=(-race)
fi
for dir in . cmd/leakcheck cmd/leakvet; do
	echo "== go test ${args[*]} ./... in $dir"
	(cd "$dir" && go test "${args[@]}" ./...)
done
