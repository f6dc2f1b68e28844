#!/usr/bin/env bash
# Seeds the fuzz corpora: interface specs for load_check, vendor pages and
# the import fixtures for import. Run from anywhere; the paths are relative
# to this script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
mkdir -p "$here/corpus/load_check" "$here/corpus/import"
for spec in "$root"/spec/*/*.yaml "$root"/tests/edge-specs/*/*.yaml; do
  cp "$spec" "$here/corpus/load_check/$(basename "$(dirname "$spec")")-$(basename "$spec")"
done
for page in "$root"/../shared/vendor-docs/*.txt "$root"/generator/tests/import/*.txt; do
  [ -e "$page" ] && cp "$page" "$here/corpus/import/"
done
echo "seeded: $(ls "$here/corpus/load_check" | wc -l) specs, $(ls "$here/corpus/import" | wc -l) pages"
