#!/usr/bin/env bash
# run.sh — runs the libFuzzer targets built by tests/fuzz/Makefile.fuzz (from the repo root).
#   run.sh fuzz SECONDS TARGET...  fuzz each target for SECONDS on build/fuzz/corpus-TARGET
#                                  (seeded from tests/fuzz/corpus/TARGET); a crash, timeout,
#                                  leak or OOM input is written to tests/fuzz/regressions/TARGET/
#   run.sh regress TARGET...       replay every file in tests/fuzz/regressions/TARGET/
# Exits non-zero when any target failed; every target is run regardless.
set -u
mode=${1:?usage: run.sh fuzz SECONDS TARGET... | run.sh regress TARGET...}
shift
if [ "$mode" = fuzz ]; then
	seconds=${1:?seconds}
	shift
fi
failed=()

for t in "$@"; do
	bin=build/fuzz/fuzz_$t
	[ -x "$bin" ] || { echo "fuzz: $bin is missing (make fuzz-build)" >&2; exit 2; }
	regdir=tests/fuzz/regressions/$t
	case "$mode" in
	regress)
		mapfile -t files < <(find "$regdir" -maxdepth 1 -type f ! -name '.*' ! -name '*.md' 2>/dev/null | sort)
		if [ ${#files[@]} -eq 0 ]; then
			printf 'fuzz-regress %-7s 0 inputs\n' "$t"
			continue
		fi
		log=build/fuzz/regress-$t.log
		if "$bin" -runs=1 "${files[@]}" >"$log" 2>&1; then
			printf 'fuzz-regress %-7s %d inputs ok\n' "$t" ${#files[@]}
		else
			printf 'fuzz-regress %-7s FAILED (%s):\n' "$t" "$log"
			grep -E 'Running:|ERROR|invariant failed|runtime error' "$log" | tail -n 20
			failed+=("$t")
		fi
		;;
	fuzz)
		corpus=build/fuzz/corpus-$t
		mkdir -p "$corpus" "$regdir"
		cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
		# Per-target extras: a dictionary, and libFuzzer flags one per line in <target>.options.
		extra=()
		[ -f tests/fuzz/"$t".dict ] && extra+=(-dict=tests/fuzz/"$t".dict)
		[ -f tests/fuzz/"$t".options ] && mapfile -t -O ${#extra[@]} extra < <(grep -v '^#' tests/fuzz/"$t".options)
		log=build/fuzz/fuzz-$t.log
		"$bin" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
			-artifact_prefix="$regdir"/ "${extra[@]}" "$corpus" >"$log" 2>&1
		rc=$?
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
		cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
		if [ $rc -eq 0 ]; then
			printf 'fuzz %-7s %ss ok: %s execs (%s/s), %s\n' "$t" "$seconds" "${execs:-?}" "${eps:-?}" "${cov:-?}"
		else
			printf 'fuzz %-7s FAILED (exit %d, log %s):\n' "$t" $rc "$log"
			grep -E 'ERROR|invariant failed|runtime error|Test unit written' "$log" | head -n 20
			failed+=("$t")
		fi
		;;
	*) echo "run.sh: unknown mode $mode" >&2; exit 2 ;;
	esac
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: failed: ${failed[*]}" >&2
	exit 1
fi
