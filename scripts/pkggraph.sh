#!/usr/bin/env bash
# pkggraph.sh draws the library's package graph from the code: the root
# package and its internal packages, an arrow from each package to those it
# imports, in pipeline order from top to bottom. It writes
# docs/packages.dot, docs/packages.svg and docs/packages.png (with
# Graphviz's dot), and prints the longest chain of imports.
#
#   scripts/pkggraph.sh
set -euo pipefail
cd "$(dirname "$0")/.."
module=$(go list -m)
edges=$(go list -f '{{$p := .ImportPath}}{{range .Imports}}{{$p}} {{.}}{{"\n"}}{{end}}' . ./internal/... |
	awk -v m="$module" '$2 == m || index($2, m "/internal/") == 1' |
	sed "s|$module/internal/||g; s|$module|leakcheck|g")

{
	echo 'digraph packages {'
	echo '	rankdir=TB;'
	echo '	node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize=12];'
	echo '	edge [color="#5a6b85", arrowsize=0.7];'
	echo '	leakcheck [fillcolor="#d6e6ff", label="leakcheck\n(the API)"];'
	echo "$edges" | awk 'NF == 2 { printf "\t\"%s\" -> \"%s\";\n", $1, $2 }'
	echo '}'
} >docs/packages.dot
dot -Tsvg docs/packages.dot -o docs/packages.svg
dot -Tpng -Gdpi=110 docs/packages.dot -o docs/packages.png

# The longest chain of imports, found by a depth-first walk.
echo "$edges" | awk '
	NF == 2 { out[$1] = out[$1] " " $2; nodes[$1]; nodes[$2] }
	function longest(n,    i, k, parts, best, c) {
		if (n in memo) return memo[n]
		best = n
		k = split(out[n], parts, " ")
		for (i = 1; i <= k; i++) {
			c = n " -> " longest(parts[i])
			if (split(c, x, " -> ") > split(best, y, " -> ")) best = c
		}
		memo[n] = best
		return best
	}
	END {
		for (n in nodes) { c = longest(n); if (split(c, x, " -> ") > split(top, y, " -> ")) top = c }
		print "longest chain (" split(top, x, " -> ") " packages): " top
	}'
