#!/usr/bin/env bash
# Compile time of the generated crate alone: `cargo check`, `cargo build` and
# `cargo build --release` at one interface, at the repository's spec tree and
# at the endpoint catalogue's 181 operations (`ccgen fixture`).
#
#   scripts/bench-generated-crate.sh               # 3 rounds, median per figure
#   ROUNDS=5 SIZES="one repo" scripts/bench-generated-crate.sh
#   BEFORE=/tmp/old scripts/bench-generated-crate.sh   # also an earlier run's trees,
#                                                      # interleaved round by round, with ratios
#
# BENCH_DIR keeps the trees (default: a fresh temporary folder); an earlier
# run's BENCH_DIR is what BEFORE takes. Its crates must still build against
# the current runtime.
#
# Each tree is generated into a workspace of its own that shares
# CARGO_TARGET_DIR, so the dependencies (the runtime, reqwest, serde...) are
# built once beforehand and only the crate's own sources are timed: every
# round touches them and rebuilds. Figures are medians; on a busy machine
# compare them within one run only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-3}
sizes=${SIZES:-one repo ops181}
work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ccgen-crate.XXXXXX")}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
catalogue=${CATALOGUE:-$root/../shared/vendor-facts/endpoint-catalogue.txt}
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed" >&2; exit 2; }

cargo build --quiet --release -p ccgen --manifest-path "$root/Cargo.toml"
ccgen=$CARGO_TARGET_DIR/release/ccgen

# spec_tree SIZE DIR: the spec tree of one size.
spec_tree() {
    case $1 in
        # The catalogs and the sign-in interface alone.
        # api.yaml's list of sign-in operations keeps only `login`.
        one) mkdir -p "$2/onlineagent" && cp "$root"/spec/*.yaml "$2/" &&
            grep -v -E '^    - (force_login|login_ex)$' "$root/spec/api.yaml" >"$2/api.yaml" &&
            cp "$root/spec/onlineagent/login.yaml" "$2/onlineagent/" ;;
        repo) cp -r "$root/spec" "$2" ;;
        ops181) "$ccgen" fixture --catalogue "$catalogue" --spec "$root/spec" --copies 1 --out "$2" >/dev/null ;;
        *) echo "unknown size $1" >&2; exit 2 ;;
    esac
}

# wrap DIR: a workspace manifest around the generated crate in DIR/crate,
# inheriting the repository's workspace settings and lock file.
wrap() {
    sed -e 's|^members = .*|members = ["crate"]|' -e 's|^default-members = .*||' -e 's|^exclude = .*||' \
        -e "s|path = \"runtime\"|path = \"$root/runtime\"|" \
        -e "s|path = \"constraint\"|path = \"$root/constraint\"|" \
        -e "s|path = \"generated\"|path = \"$root/generated\"|" \
        -e "s|path = \"generator\"|path = \"$root/generator\"|" "$root/Cargo.toml" >"$1/Cargo.toml"
    cp "$root/Cargo.lock" "$1/Cargo.lock"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# timed DIR PROFILE...: "wall cpu" seconds for one rebuild of the crate's own
# sources (cpu: user + system time of cargo and rustc, which a busy machine
# disturbs less than the wall time).
timed() {
    local dir=$1; shift
    find "$dir/crate/src" -name '*.rs' -exec touch {} +
    (cd "$dir" && /usr/bin/time -f "%e %U %S" -o "$work/one-time" cargo "$@" --quiet -p agentgateway >/dev/null 2>&1)
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/one-time"
}

# one_profile DIR PROFILE...: warms DIR up, then prints the medians of the
# rounds as "wall / cpu".
one_profile() {
    local dir=$1; shift
    (cd "$dir" && cargo "$@" --quiet -p agentgateway >/dev/null 2>&1) || { echo "cargo $* failed in $dir" >&2; exit 1; }
    for _ in $(seq "$rounds"); do timed "$dir" "$@"; done >"$work/rounds"
    echo "$(cut -d' ' -f1 "$work/rounds" | median) / $(cut -d' ' -f2 "$work/rounds" | median)"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

if [ -n "${BEFORE:-}" ]; then
    echo "| tree | operations | lines of Rust before / after | what | before, wall / CPU (s) | after, wall / CPU (s) | after / before, wall | after / before, CPU |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
else
    echo "| tree | operations | lines of Rust | cargo check, wall / CPU (s) | cargo build, wall / CPU (s) | cargo build --release, wall / CPU (s) |"
    echo "| --- | --- | --- | --- | --- | --- |"
fi
for size in $sizes; do
    dir=$work/$size
    rm -rf "$dir" && mkdir -p "$dir"
    spec_tree "$size" "$dir/spec"
    "$ccgen" generate --quiet --spec "$dir/spec" --out "$dir/crate"
    wrap "$dir"
    ops=$(find "$dir/spec" -mindepth 2 -name '*.yaml' | wc -l)
    lines=$(find "$dir/crate/src" -name '*.rs' -exec cat {} + | wc -l)
    if [ -n "${BEFORE:-}" ]; then
        old=$BEFORE/$size
        [ -d "$old/crate" ] || { echo "no tree $old/crate (an earlier run's BENCH_DIR?)" >&2; exit 2; }
        wrap "$old"
        old_lines=$(find "$old/crate/src" -name '*.rs' -exec cat {} + | wc -l)
        for profile in check build "build --release"; do
            # Interleaved: each round times the earlier tree, then this one.
            # shellcheck disable=SC2086
            (cd "$old" && cargo $profile --quiet -p agentgateway >/dev/null 2>&1) &&
                (cd "$dir" && cargo $profile --quiet -p agentgateway >/dev/null 2>&1) ||
                { echo "cargo $profile failed" >&2; exit 1; }
            : >"$work/pairs"
            for _ in $(seq "$rounds"); do
                # shellcheck disable=SC2086
                echo "$(timed "$old" $profile) $(timed "$dir" $profile)" >>"$work/pairs"
            done
            bw=$(cut -d' ' -f1 "$work/pairs" | median); bc=$(cut -d' ' -f2 "$work/pairs" | median)
            aw=$(cut -d' ' -f3 "$work/pairs" | median); ac=$(cut -d' ' -f4 "$work/pairs" | median)
            echo "| $size | $ops | $old_lines / $lines | cargo $profile | $bw / $bc | $aw / $ac | $(ratio "$aw" "$bw") | $(ratio "$ac" "$bc") |"
        done
    else
        echo "| $size | $ops | $lines | $(one_profile "$dir" check) | $(one_profile "$dir" build) | $(one_profile "$dir" build --release) |"
    fi
done
echo
echo "($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), rustc $(rustc --version | cut -d' ' -f2), $rounds rounds, medians; work files in $work)"
