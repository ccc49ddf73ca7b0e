#!/bin/sh
# Contract test: the emulator's GraphQL engine and graphql-js must give the same accept/reject
# verdict on every document of the corpus (and the one each file's first line expects).
# Usage: contract_graphql.sh GRAPHQL_VERDICTS_BIN SCHEMA CORPUS_DIR JS_DIR
# Exit 77 (skip) when node or tests/js/node_modules/graphql is missing (run ./dev setup).
set -eu
bin=$1 schema=$2 corpus=$3 js=$4
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1 || [ ! -d "$js/node_modules/graphql" ]; then
  echo "SKIP: node or $js/node_modules/graphql is missing (run ./dev setup)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" "$schema" "$corpus" >"$tmp/emulator.tsv"
node "$here/verdicts.mjs" "$schema" "$corpus" "$js" >"$tmp/graphqljs.tsv"
paste "$tmp/emulator.tsv" "$tmp/graphqljs.tsv" | awk -F'\t' -v corpus="$corpus" '
  {
    if ($1 != $4) { printf "LISTS DIFFER: %s vs %s\n", $1, $4; bad = 1; next }
    file = corpus "/" $1; line = ""; getline line < file; close(file)
    expect = ""
    if (line ~ /expect: *invalid/) expect = "invalid"; else if (line ~ /expect: *valid/) expect = "valid"
    if (expect == "") { printf "NO EXPECTATION: %s (first line must say # expect: valid|invalid)\n", $1; bad = 1 }
    if ($2 != $5) {
      printf "MISMATCH %s: emulator says %s [%s], graphql-js says %s [%s]\n", $1, $2, $3, $5, $6; bad = 1
    } else if (expect != "" && $2 != expect) {
      printf "UNEXPECTED %s: both say %s [%s], the corpus expects %s\n", $1, $2, $3, expect; bad = 1
    }
    n++; if ($5 == "valid") valid++; else invalid++
    if ($2 == "invalid" && $5 == "invalid") { both++; if ($3 == $6) same++; else if (ENVIRON["VERBOSE"] != "") printf "wording %s:\n  emulator:   %s\n  graphql-js: %s\n", $1, $3, $6 }
  }
  END {
    printf "%d documents (%d valid, %d invalid according to graphql-js)\n", n, valid, invalid
    printf "first error message identical for %d of %d rejected documents (VERBOSE=1 shows the others)\n", same, both
    if (n < 60) { print "the corpus must hold at least 60 documents"; bad = 1 }
    if (bad) { print "contract_graphql: FAILED"; exit 1 }
    print "contract_graphql: emulator and graphql-js agree on every document"
  }'
