#!/usr/bin/env bash
# Checks `ccgen diff`'s verdicts against cargo-semver-checks on the generated crate.
#
# For each scenario below, the script copies the working tree (tracked files, as they are now),
# changes the specs the way a vendor page might, regenerates the crate, and compares:
#   - `ccgen diff` on the two spec trees (JSON, judged for a 1.x crate so that breaking is "major"
#     and compatible is "minor" whatever the crate's real version), and
#   - `cargo semver-checks` on the crate generated before and after the change.
# It fails when diff's verdict is milder than semver-checks' (semver-checks needs a major bump but
# diff says less; or a minor bump but diff says patch/none), and when a scenario's verdict differs
# from the one written next to it (so a regression in diff itself is caught too).
#
# Not part of CI: cargo-semver-checks takes about ten minutes of CPU to build on two cores, and
# each scenario builds rustdoc JSON twice. Run it after changing the Rust emitter or `ccgen diff`:
#
#   cargo install --locked cargo-semver-checks    # once
#   scripts/semver-oracle.sh                      # from the repository root; honours CARGO_TARGET_DIR
#   scripts/semver-oracle.sh --diff-only          # only diff's expected verdicts (seconds, no semver-checks)
#
# Exit status: 0 when every scenario agrees, 1 when one does not, 2 when a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

diff_only=false
[ "${1:-}" = --diff-only ] && diff_only=true
if ! $diff_only && ! cargo semver-checks --version >/dev/null 2>&1; then
  echo "cargo-semver-checks is not installed: cargo install --locked cargo-semver-checks" >&2
  exit 2
fi
command -v python3 >/dev/null || { echo "python3 is needed to edit the spec copies" >&2; exit 2; }

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
cargo build -q -p ccgen
ccgen=$CARGO_TARGET_DIR/debug/ccgen

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The baseline: the working tree's tracked files, with generated/ regenerated from its specs.
copy_tree() {
  mkdir -p "$1"
  git ls-files -z | tar --null -T - -cf - | tar -x -C "$1"
}
copy_tree "$work/old"
"$ccgen" generate --spec "$work/old/spec" --out "$work/old/generated" >/dev/null

# edit FILE FROM TO: replaces the one occurrence of FROM in FILE (relative to spec/) by TO.
edit() {
  python3 - "$scenario_dir/spec/$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1], sys.argv[2].encode().decode("unicode_escape"), sys.argv[3].encode().decode("unicode_escape")
text = open(path, encoding="utf-8").read()
if text.count(old) != 1:
    sys.exit(f"{path}: expected exactly one {old!r}, found {text.count(old)}")
open(path, "w", encoding="utf-8").write(text.replace(old, new, 1))
PY
}

rank() { case $1 in none) echo 0 ;; patch) echo 1 ;; minor) echo 2 ;; major) echo 3 ;; *) echo "?" ;; esac; }

failures=0
# scenario NAME EXPECTED_DIFF_BUMP EDIT-FUNCTION
scenario() {
  local name=$1 expected=$2 change=$3
  scenario_dir=$work/$name
  copy_tree "$scenario_dir"
  "$change"
  "$ccgen" generate --spec "$scenario_dir/spec" --out "$scenario_dir/generated" >/dev/null
  local ours
  ours=$("$ccgen" diff "$work/old/spec" "$scenario_dir/spec" --format json --crate-version 1.0.0 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["bump"])')
  local log=$work/$name.semver.log theirs=none
  if $diff_only; then
    local verdict=ok
    [ "$ours" = "$expected" ] || { verdict="FAIL (expected $expected)"; failures=$((failures + 1)); }
    printf '%-44s diff: %-6s %s\n' "$name" "$ours" "$verdict"
    return
  fi
  # Same version on both sides: semver-checks reports the bump the change needs.
  cargo semver-checks check-release -p agentgateway --manifest-path "$scenario_dir/Cargo.toml" \
    --baseline-root "$work/old" >"$log" 2>&1 || true
  # The summary counts failed checks by the level they need on a 1.x crate ("2 major and 0 minor
  # checks failed"), whatever the crate's version; none failed is "no semver update required".
  local counts
  counts=$(sed -n 's/.* \([0-9][0-9]*\) major and \([0-9][0-9]*\) minor checks\{0,1\} failed.*/\1 \2/p' "$log" | head -n 1)
  if [ -n "$counts" ] && [ "${counts% *}" -gt 0 ]; then theirs=major
  elif [ -n "$counts" ] && [ "${counts#* }" -gt 0 ]; then theirs=minor
  elif [ -z "$counts" ] && ! grep -q "no semver update required" "$log"; then
    echo "FAIL $name: cargo semver-checks did not give a verdict:"; sed 's/^/    /' "$log"
    failures=$((failures + 1)); return
  fi
  local verdict=ok
  if [ "$(rank "$ours")" -lt "$(rank "$theirs")" ]; then verdict="FAIL (milder than semver-checks)"; fi
  if [ "$ours" != "$expected" ]; then verdict="FAIL (expected $expected)"; fi
  printf '%-44s diff: %-6s semver-checks: %-6s %s\n' "$name" "$ours" "$theirs" "$verdict"
  if [ "$verdict" != ok ]; then
    failures=$((failures + 1))
    grep -E "^--- failure|Summary" "$log" | sed 's/^/    /' || true
  fi
}

optional_param_added() { edit mediacall/transfer.yaml "    - name: caller\n" "    - name: note\n      type: string\n      required: false\n      description: A note.\n    - name: caller\n"; }
required_made_optional() { edit voicecall/callinner.yaml "    - name: called\n      type: string\n      required: true" "    - name: called\n      type: string\n      required: false"; }
first_param_of_bare_interface() { edit voicecall/thirdpartyconftransmitnum.yaml "response:\n" "  query:\n    - name: note\n      type: string\n      required: false\n      description: A note.\nresponse:\n"; }
allowed_value_added() { edit mediacall/transfer.yaml "          - { value: 4, name: system_access_code, description: system access code }\n" "          - { value: 4, name: system_access_code, description: system access code }\n          - { value: 5, name: ivr, description: IVR }\n"; }
allowed_value_removed() {
  edit mediacall/transfer.yaml "          - { value: 4, name: system_access_code, description: system access code }\n" ""
  edit mediacall/transfer.yaml "  - kind: allowed_values\n    param: mode\n    when: { param: devicetype, equals: 4 }\n    values: [0, 2]\n" ""
}
event_dropped_from_interface() { edit voicecall/callinner.yaml "  - AgentEvent_Connect_Fail\n" ""; }
last_constraint_removed() { edit mediacall/transfer.yaml "      constraints:\n        bytes: { max: 2048 }\n" ""; }
range_widened() { edit mediacall/transfer.yaml "range: { min: 101, max: 59999 }" "range: { min: 101, max: 999999 }"; }
description_reworded() { edit voicecall/callinner.yaml "description: Calling number to present" "description: Number shown to the called agent"; }
optional_made_required() { edit mediacall/transfer.yaml "    - name: caller\n      type: string\n      required: false" "    - name: caller\n      type: string\n      required: true"; }
required_params_reordered() {
  # callid moves from first to last in the body: the same JSON, another order of `new`'s arguments.
  edit mediacall/transfer.yaml "    - name: callid\n      type: string\n      type_name: CallId\n      required: true\n      description: ID of the session to transfer.\n" ""
  edit mediacall/transfer.yaml "    - name: calldata\n" "    - name: callid\n      type: string\n      type_name: CallId\n      required: true\n      description: ID of the session to transfer.\n    - name: calldata\n"
}
# The event catalog is sorted by name: a new event sorting before others shifts EventKind's variants.
event_added_sorting_first() { edit events.yaml "events:\n" "events:\n  - name: AgentNew_Event\n    meaning: Something new happened.\n    payload:\n      kind: \"null\"\n"; }
event_added_sorting_last() { printf '  - name: Zz_New_Event\n    meaning: Something new happened.\n    payload:\n      kind: "null"\n' >>"$scenario_dir/spec/events.yaml"; }
allowed_value_inserted_first() { edit mediacall/transfer.yaml "        values:\n          - { value: 1, name: skill_queue" "        values:\n          - { value: 0, name: ivr, description: IVR }\n          - { value: 1, name: skill_queue"; }
interface_removed() { rm "$scenario_dir/spec/voicecall/confjoin.yaml"; }
interface_added() { cp -r "$root/generator/tests/added_interface/." "$scenario_dir/spec/"; }
error_code_removed_from_catalog() {
  python3 - "$scenario_dir/spec" <<'PY'
import pathlib, re, sys
spec = pathlib.Path(sys.argv[1])
# An error code no interface lists: drop it from the catalog only.
listed = set()
for f in spec.glob("*/*.yaml"):
    listed |= set(re.findall(r'^  - "([0-9A-Za-z-]+)"$', f.read_text(encoding="utf-8"), re.M))
text = (spec / "errors.yaml").read_text(encoding="utf-8")
entries = re.split(r'(?m)^(?=  - code: )', text)
for i, e in enumerate(entries):
    m = re.match(r'  - code: "([^"]+)"', e)
    if m and m.group(1) not in listed:
        del entries[i]
        break
else:
    sys.exit("no unlisted error code to remove")
(spec / "errors.yaml").write_text("".join(entries), encoding="utf-8")
PY
}

scenario optional-param-added                minor optional_param_added
scenario required-param-made-optional        major required_made_optional
scenario first-param-of-interface-without-request major first_param_of_bare_interface
scenario allowed-value-added                 minor allowed_value_added
scenario allowed-value-removed               major allowed_value_removed
scenario event-dropped-from-interface        major event_dropped_from_interface
scenario last-constraint-removed             major last_constraint_removed
scenario range-widened                       minor range_widened
scenario description-reworded                patch description_reworded
scenario optional-param-made-required        major optional_made_required
scenario required-params-reordered           major required_params_reordered
scenario event-added-sorting-first           major event_added_sorting_first
scenario event-added-sorting-last            minor event_added_sorting_last
scenario allowed-value-inserted-first        major allowed_value_inserted_first
scenario interface-removed                   major interface_removed
scenario interface-added                     minor interface_added
scenario error-code-removed-from-catalog     major error_code_removed_from_catalog

if [ "$failures" -gt 0 ]; then
  echo "$failures scenario(s) disagree"
  exit 1
fi
if $diff_only; then
  echo "every scenario gives its expected verdict (cargo-semver-checks not run)"
else
  echo "every scenario agrees: diff is never milder than cargo-semver-checks"
fi
