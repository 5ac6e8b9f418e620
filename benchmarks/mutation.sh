#!/usr/bin/env bash
# Mutation testing with mutmut 3: which one-line changes of the code do the tests miss?
#
# mutmut is a developer tool, not a dependency of hzgeo (not in pyproject.toml): this
# script installs it beside the project's venv (--target, so the venv's pytest is used)
# and runs it in a scratch copy of the committed tree (git archive HEAD), with its
# [tool.mutmut] table added there only.
#
# Usage (from the repository, with the project's venv active):
#   bash benchmarks/mutation.sh                       # audit + chiefs, 400 sampled mutants
#   SAMPLE=0 bash benchmarks/mutation.sh              # every mutant (~4,800: hours of CPU)
#   MUTATE='"hzgeo/directory*", "hzgeo/field*"' \
#   TESTS='"tests/test_directory.py", "tests/test_field.py"' bash benchmarks/mutation.sh
#
# Settings (environment):
#   MUTATE   the files to mutate, TOML strings (globs under hzgeo/)
#   TESTS    the test files that judge them, TOML strings
#   SAMPLE   how many mutants to run, drawn at random (0: all)       default 400
#   SEED     the seed of that draw (same seed, same mutants)          default 14
#   CHOSEN   a file of mutant names, one a line: run those instead of a draw (to rerun
#            a sample after the code changed: the draw is over the names, and an edited
#            function's mutants change, so the same seed may draw others)
#   CHILDREN parallel workers                                         default 2
#   WORK     scratch folder                                           default /tmp/hzgeo-mutation
#   TOOLS    where mutmut is installed                                default /tmp/mutmut-lib
#
# Output: $WORK/results.txt (one line per mutant: name: killed / survived / timeout ...),
# the score on the last lines; `cd $WORK && PYTHONPATH=$TOOLS python -m mutmut show NAME`
# prints the diff of one mutant.
#
# Generating the mutants runs the tests once to map tests to functions ("stats"); mutmut
# has no command to only generate, so a first `mutmut run` with a name that matches
# nothing generates and stops (its "nothing matches" error is expected).
#
# Measured on 2026-12-04 (audit + chiefs, tests/test_audit.py + tests/test_chiefs.py, 400 of
# 4,844 mutants drawn with seed 14; 13 CPU minutes, 72 minutes on a machine shared by 8):
#   before the tests added from this run: 276 killed of 400 (69.0 %), 124 survived.
#   Survivors: untested outputs (the terminal text, the JSON's name lists, no_chief rows of
#   lake zones and main rivers, meeting and vacancy names, notes), error messages losing
#   their file or hint, and equivalent mutants (zip(strict=True) of equal-length columns,
#   codec-name case, defaults never reached, read_only/data_only flags on files openpyxl
#   wrote). Tests were added for the first two kinds (see the commit messages).
# Measured on 2026-12-04 (directory + field, MUTATE='"hzgeo/directory/*", "hzgeo/field/*"',
# TESTS = test_directory, test_directory_rivers, test_directory_print, test_field,
# test_boards; 60 of 7,261 mutants drawn with seed 14; about 6 CPU minutes):
#   before the tests added from this run: 34 killed of 60 (56.7 %), 26 survived.
#   after (the same 60 names, CHOSEN=, 7,269 mutants by then): 55 killed of 60 (91.7 %).
#   The 5 left are equivalent: zip(strict=None / False) of equal-length columns (river_list,
#   short_reaches), np.asarray of shapely geometries without dtype=object (bank_side:
#   object anyway), to_csv(index=None) (falsy, as False), "UTF-8-SIG" (codec names
#   ignore case).
# Measured on 2026-12-04 (maps, MUTATE='"hzgeo/maps/sheet.py", "hzgeo/maps/html.py"',
# TESTS='"tests/test_maps.py"', 40 of 2,162 mutants, seed 14): 23 killed of 40 (57.5 %).
#   Of the 17 survivors 16 are killed by tests/test_maps_by_hand.py (each checked by hand:
#   mutant applied, test failed, reverted; not rerun through mutmut); the 17th, the map
#   frame's zorder 30 -> 31, is equivalent (nothing else in the axes is above 20).
# mutmut selects per mutant the tests that ran the mutated function when it collected
# "stats"; a module-scoped fixture's setup counts for the first test only, so a mutant
# of a function only a fixture calls may "survive" tests that would kill it: check a
# survivor by hand (apply it, run the test file) before writing a test for it.
set -euo pipefail

MUTATE=${MUTATE:-'"hzgeo/audit/*", "hzgeo/chiefs/*"'}
TESTS=${TESTS:-'"tests/test_audit.py", "tests/test_chiefs.py"'}
SAMPLE=${SAMPLE:-400}
SEED=${SEED:-14}
CHILDREN=${CHILDREN:-2}
WORK=${WORK:-/tmp/hzgeo-mutation}
TOOLS=${TOOLS:-/tmp/mutmut-lib}
ROOT=$(git rev-parse --show-toplevel)
if [ -n "${CHOSEN:-}" ]; then CHOSEN=$(realpath "$CHOSEN"); fi

if [ ! -d "$TOOLS/mutmut" ]; then
    python -m pip install -q --target "$TOOLS" "mutmut>=3,<4"
    # keep the venv's own pytest, click ... (mutmut brings copies of them)
    site=$(python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    for entry in "$TOOLS"/*; do
        name=$(basename "$entry")
        case $name in mutmut*|libcst*|textual*|setproctitle*|rich*|markdown_it*|mdurl*|\
                      mdit_py*|linkify*|platformdirs*|coverage*|bin) continue ;; esac
        if [ -e "$site/$name" ]; then rm -rf "$entry"; fi
    done
    rm -rf "$TOOLS"/_pytest "$TOOLS"/py.py
fi
export PYTHONPATH=$TOOLS

rm -rf "$WORK" && mkdir -p "$WORK"
git -C "$ROOT" archive HEAD | tar -x -C "$WORK"
cd "$WORK"
cat >> pyproject.toml <<EOF

[tool.mutmut]
source_paths = ["hzgeo/"]
only_mutate = [$MUTATE]
pytest_add_cli_args_test_selection = [$TESTS]
pytest_add_cli_args = ["-p", "no:cacheprovider"]
also_copy = ["data/", "scripts/", "notebooks/", "README.md"]
EOF

python -m mutmut run "generate-only-no-such-mutant" > generate.log 2>&1 || true
python -m mutmut results --all true | sed 's/^ *//' | cut -d: -f1 | sort > all-mutants.txt
echo "$(wc -l < all-mutants.txt) mutants"
if [ -n "${CHOSEN:-}" ]; then
    grep -Fxf all-mutants.txt "$CHOSEN" > chosen.txt || true
    echo "$(wc -l < "$CHOSEN") named in $CHOSEN, $(wc -l < chosen.txt) of them exist now"
elif [ "$SAMPLE" -gt 0 ]; then
    python - "$SAMPLE" "$SEED" <<'EOF' > chosen.txt
import random, sys
names = open("all-mutants.txt").read().split()
n, seed = int(sys.argv[1]), int(sys.argv[2])
print("\n".join(sorted(random.Random(seed).sample(names, min(n, len(names))))))
EOF
else
    cp all-mutants.txt chosen.txt
fi
echo "running $(wc -l < chosen.txt) of them"
# shellcheck disable=SC2046
python -m mutmut run --max-children "$CHILDREN" $(cat chosen.txt) > run.log 2>&1 || true
python -m mutmut results --all true > all-results.txt
python - <<'EOF' | tee results.txt
from collections import Counter
chosen = set(open("chosen.txt").read().split())
rows = [line.strip().rsplit(": ", 1) for line in open("all-results.txt") if ": " in line]
rows = sorted((name, status) for name, status in rows if name in chosen)
for name, status in rows:
    print(f"{name}: {status}")
count = Counter(status for _, status in rows)
print(f"score: {count['killed']} killed of {len(rows)} "
      f"({100 * count['killed'] / max(len(rows), 1):.1f} %); "
      + ", ".join(f"{k} {v}" for k, v in sorted(count.items())))
EOF
