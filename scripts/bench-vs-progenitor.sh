#!/usr/bin/env bash
# Generation side by side: ccgen against cargo-progenitor (builder interface),
# on the gateway's endpoint catalogue turned into specs (×1, ×6 by default)
# and into OpenAPI 3.0 by `ccgen export openapi`. Rounds are interleaved so
# that a busy machine weighs on both alike; figures are medians and ratios
# (ours / theirs) are taken within the run.
#
#   scripts/bench-vs-progenitor.sh                 # sizes 1 6, 5 rounds
#   SIZES="1" ROUNDS=3 scripts/bench-vs-progenitor.sh
#   BUILDS=1 scripts/bench-vs-progenitor.sh        # also cargo check/build/release of both crates
#   CALLGRIND=1 scripts/bench-vs-progenitor.sh     # also instruction counts (valgrind)
#   BUILD_TARGET_DIR=target BUILDS=1 ...           # reuse built dependencies for our crate
#
# It also times a batch import of every vendor page (PAGES, default
# ../shared/vendor-docs and its new/) into a fresh spec tree.
#
# Progenitor is skipped, with a message, when `cargo-progenitor` is not on PATH.
# Needs /usr/bin/time (GNU) for CPU time and peak memory.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sizes=${SIZES:-1 6}
rounds=${ROUNDS:-5}
work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ccgen-bench.XXXXXX")}
mkdir -p "$work"
target=${CARGO_TARGET_DIR:-$root/target}
catalogue=${CATALOGUE:-$root/../shared/vendor-facts/endpoint-catalogue.txt}
[ -f "$catalogue" ] || { echo "no catalogue at $catalogue (set CATALOGUE)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed" >&2; exit 2; }

cargo build --quiet --release -p ccgen --manifest-path "$root/Cargo.toml"
ccgen=$target/release/ccgen
progenitor=$(command -v cargo-progenitor || true)
[ -n "$progenitor" ] || echo "cargo-progenitor is not on PATH: measuring ccgen only" >&2

# time_run LABEL CMD...: appends "label wall user+sys maxrss_kb" to $work/times.
# Wall time is taken to the millisecond around the command: GNU time's %e
# has hundredths only, 5 % of a run of 0.2 s.
time_run() {
    local label=$1 start end; shift
    start=$(date +%s%N)
    /usr/bin/time -f "%U %S %M" -o "$work/last.time" "$@" >/dev/null 2>"$work/last.err" \
        || { cat "$work/last.err" >&2; return 1; }
    end=$(date +%s%N)
    echo "$label $(awk -v ns="$((end - start))" 'BEGIN { printf "%.3f", ns / 1e9 }') $(cat "$work/last.time")" >>"$work/times"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# stat LABEL FIELD: median of a field (wall, cpu, rss) over the rounds.
stat() {
    awk -v l="$1" -v f="$2" '$1 == l { print (f == "wall") ? $2 : (f == "cpu") ? $3 + $4 : $5 }' "$work/times" | median
}

# Three decimals below 0.1 (0.047), two above.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else if (a / b < 0.1) printf "%.3f", a / b; else printf "%.2f", a / b }'; }

lines() { find "$1" -name "$2" -not -path '*/target/*' -exec cat {} + 2>/dev/null | wc -l; }

# instructions CMD...: instructions executed (user space), by callgrind.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected :/ { print $4 }'
}

# discard DIR: moves DIR aside, to be deleted after the last round. Deleting
# a tree of 2,000 files just before a run slows the file creations of that
# run on ext4 (its inode allocator steps over inodes freed in the last
# seconds), a cost of the deletion that would be charged to the generator
# that runs next, ours more than progenitor's (two files per operation
# against one crate file).
discarded=$work/discarded
rm -rf "$discarded"
discard() {
    if [ -e "$1" ]; then
        mkdir -p "$discarded"
        mv "$1" "$(mktemp -d "$discarded/XXXXXX")/"
    fi
}

: >"$work/times"
for n in $sizes; do
    spec=$work/spec-x$n
    discard "$spec"
    "$ccgen" fixture --catalogue "$catalogue" --spec "$root/spec" --copies "$n" --out "$spec" >/dev/null
    "$ccgen" export openapi --spec "$spec" --openapi-version 3.0 --out "$work/openapi-x$n.json"
    one=$(grep -l '"summary": "' "$spec"/*/*.yaml | sed -n 1p)
    for r in $(seq "$rounds"); do
        discard "$work/ours-x$n"
        time_run "ours-x$n" "$ccgen" generate --quiet --spec "$spec" --out "$work/ours-x$n"
        time_run "noop-x$n" "$ccgen" generate --quiet --spec "$spec" --out "$work/ours-x$n"
        # One interface's summary edited: only that interface is emitted again.
        sed -i "0,/\"summary\": \"/s//\"summary\": \"Round $r. /" "$one"
        time_run "changed-x$n" "$ccgen" generate --quiet --spec "$spec" --out "$work/ours-x$n"
        if [ -n "$progenitor" ]; then
            discard "$work/theirs-x$n"
            time_run "theirs-x$n" "$progenitor" progenitor -i "$work/openapi-x$n.json" -o "$work/theirs-x$n" \
                -n "theirs-x$n" -v 0.1.0 --interface builder
        fi
    done
    discard "$work/stages-x$n"
    "$ccgen" generate --quiet --timings --spec "$spec" --out "$work/stages-x$n" 2>"$work/stages-x$n.txt" || true
done

# Batch import of every vendor page into a fresh tree: the repository's api.yaml
# without its list of sign-in operations, and empty catalogs, so the pages
# grow them (as generator/tests/import_vendor_pages.rs does).
pages=${PAGES:-$root/../shared/vendor-docs}
page_count=0
if [ -d "$pages" ]; then
    page_count=$(find "$pages" -maxdepth 2 -name '*.txt' | wc -l)
    for r in $(seq "$rounds"); do
        tree=$work/import-tree
        rm -rf "$tree" && mkdir -p "$tree"
        awk '/^ *not_sent_by:/ { skip = 1; next } skip && /^ *- / { next } { skip = 0; print }' \
            "$root/spec/api.yaml" >"$tree/api.yaml"
        printf 'codes: []\n' >"$tree/errors.yaml"
        printf 'events: []\n' >"$tree/events.yaml"
        time_run import "$ccgen" import "$pages" "$pages/new" --spec "$tree" --out "$tree"
    done
else
    echo "no vendor pages at $pages (set PAGES): batch import not timed" >&2
fi

echo
echo "# ccgen vs progenitor: medians of $rounds interleaved rounds ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| ops | what | ccgen | progenitor | ratio |"
echo "| --- | --- | --- | --- | --- |"
for n in $sizes; do
    ops=$(grep -cE '^(GET|POST|PUT|DELETE) ' "$catalogue")
    ops=$((ops * n))
    for f in wall cpu rss; do
        unit=$([ $f = rss ] && echo KiB || echo s)
        ours=$(stat "ours-x$n" $f)
        if [ -n "$progenitor" ]; then
            theirs=$(stat "theirs-x$n" $f)
            echo "| $ops | generate, $f ($unit) | $ours | $theirs | $(ratio "$ours" "$theirs") |"
        else
            echo "| $ops | generate, $f ($unit) | $ours | - | - |"
        fi
    done
    noop=$(stat "noop-x$n" wall); noop_cpu=$(stat "noop-x$n" cpu)
    if [ -n "$progenitor" ]; then
        echo "| $ops | no-op regeneration wall (s) vs their full run | $noop | $(stat "theirs-x$n" wall) | $(ratio "$noop" "$(stat "theirs-x$n" wall)") |"
        echo "| $ops | no-op regeneration CPU (s) vs their full run | $noop_cpu | $(stat "theirs-x$n" cpu) | $(ratio "$noop_cpu" "$(stat "theirs-x$n" cpu)") |"
        echo "| $ops | one interface changed, wall (s) vs their full run | $(stat "changed-x$n" wall) | $(stat "theirs-x$n" wall) | $(ratio "$(stat "changed-x$n" wall)" "$(stat "theirs-x$n" wall)") |"
        ol=$(lines "$work/ours-x$n" '*.rs'); tl=$(lines "$work/theirs-x$n" '*.rs')
        echo "| $ops | output, lines of Rust | $ol | $tl | $(ratio "$ol" "$tl") |"
    else
        echo "| $ops | no-op regeneration wall / CPU (s) | $noop / $noop_cpu | - | - |"
        echo "| $ops | one interface changed, wall / CPU (s) | $(stat "changed-x$n" wall) / $(stat "changed-x$n" cpu) | - | - |"
        echo "| $ops | output, lines of Rust | $(lines "$work/ours-x$n" '*.rs') | - | - |"
    fi
    if [ -n "${CALLGRIND:-}" ] && command -v valgrind >/dev/null; then
        rm -rf "$work/cg-ours"
        oi=$(instructions "$ccgen" generate --quiet --spec "$work/spec-x$n" --out "$work/cg-ours")
        ti=-
        [ -n "$progenitor" ] && { rm -rf "$work/cg-theirs"; ti=$(instructions "$progenitor" progenitor \
            -i "$work/openapi-x$n.json" -o "$work/cg-theirs" -n cg -v 0.1.0 --interface builder); }
        echo "| $ops | generate, instructions | $oi | $ti | $(ratio "$oi" "${ti/-/0}") |"
    fi
done

if [ "$page_count" -gt 0 ]; then
    echo "| $page_count pages | batch import into a fresh tree, wall / CPU (s) | $(stat import wall) / $(stat import cpu) | - | - |"
fi

# crate_times DIR PKG: seconds for check, debug build and release build of the
# crate alone (its dependencies built beforehand, then its sources touched).
crate_times() {
    local dir=$1 out=""
    for profile in check build "build --release"; do
        # shellcheck disable=SC2086
        (cd "$dir" && cargo $profile --quiet >/dev/null 2>&1) || { echo "- - -"; return; }
        find "$dir/src" -name '*.rs' -exec touch {} +
        local start end
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        (cd "$dir" && cargo $profile --quiet >/dev/null 2>&1)
        end=$(date +%s.%N)
        out="$out $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')"
    done
    echo "$out"
}

# A workspace around a generated crate: ours inherits from the workspace root.
wrap() {
    local crate=$1 ws=$2
    mkdir -p "$ws"
    rm -rf "${ws:?}/crate"
    cp -r "$crate" "$ws/crate"
    sed -e 's|^members = .*|members = ["crate"]|' -e 's|^default-members = .*||' -e 's|^exclude = .*||' \
        -e "s|path = \"runtime\"|path = \"$root/runtime\"|" -e "s|path = \"generated\"|path = \"$root/generated\"|" \
        -e "s|path = \"generator\"|path = \"$root/generator\"|" "$root/Cargo.toml" |
        # The release profile is the generator's (link-time optimisation); the
        # generated crate is built with cargo's defaults, as progenitor's is.
        awk '/^\[/ { skip = /^\[profile\.release/ } !skip' >"$ws/Cargo.toml"
    # The repository's versions, so that a shared CARGO_TARGET_DIR reuses its built dependencies.
    cp "$root/Cargo.lock" "$ws/Cargo.lock"
    [ -f "$ws/crate/Cargo.toml" ] && grep -q '^\[workspace\]' "$ws/crate/Cargo.toml" && \
        sed -i 's/^\[workspace\]$/[workspace.metadata.unused]/' "$ws/crate/Cargo.toml"
    return 0
}

if [ -n "${BUILDS:-}" ]; then
    echo
    echo "| ops | generated crate | ccgen (s) | progenitor (s) | ratio |"
    echo "| --- | --- | --- | --- | --- |"
    for n in $sizes; do
        ops=$(( $(grep -cE '^(GET|POST|PUT|DELETE) ' "$catalogue") * n ))
        wrap "$work/ours-x$n" "$work/ws-ours-x$n"
        read -r oc ob orl <<<"$(CARGO_TARGET_DIR=${BUILD_TARGET_DIR:-$work/target-ours} crate_times "$work/ws-ours-x$n/crate")"
        tc=- tb=- trl=-
        if [ -n "$progenitor" ]; then
            read -r tc tb trl <<<"$(CARGO_TARGET_DIR=$work/target-theirs crate_times "$work/theirs-x$n")"
        fi
        echo "| $ops | cargo check | $oc | $tc | $(ratio "$oc" "${tc/-/0}") |"
        echo "| $ops | cargo build | $ob | $tb | $(ratio "$ob" "${tb/-/0}") |"
        echo "| $ops | cargo build --release | $orl | $trl | $(ratio "$orl" "${trl/-/0}") |"
    done
fi

echo
for n in $sizes; do
    echo "ccgen stages, ×$n (one fresh run):"
    sed 's/^/    /' "$work/stages-x$n.txt"
done
rm -rf "$discarded"
echo "(work files in $work)"
