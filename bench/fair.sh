# fair.sh — section "fair" of bench/run.sh (issue 28's fair share): the server with
# ORGWATCH_RATE_READS=$FAIR_LIMIT; 31 polite clients on their own addresses read
# GET /people/{slug} alone, then while one greedy client on 127.0.0.1 sends far over the limit
# (bench/fair.mjs). The greedy client must get 429s; the polite clients' p99 should stay
# within 2x of their p99 alone. Sourced by run.sh.
# shellcheck shell=bash

section_fair() {
	local limit=${BENCH_FAIR_LIMIT:-600} secs=${BENCH_FAIR_SECONDS:-10}
	say "fair (issue 28): ORGWATCH_RATE_READS=$limit, 31 polite clients vs one greedy client, ${secs}s each"
	command -v node >/dev/null || die "node is missing (apt-get install -y nodejs)"
	RATE_READS=$limit server_start fair
	node "$ROOT/bench/fair.mjs" "$BASE" /people/person-77 "$secs" 8 >"$OUT/fair.json" ||
		die "bench/fair.mjs failed"
	server_stop
	local j
	j=$(cat "$OUT/fair.json")
	report_add '\n%s' "Issue 28 — fair share: ORGWATCH_RATE_READS=$limit a minute per address; 31 polite clients (one request every 200 ms each, own addresses) alone, then beside one greedy client (127.0.0.1, 8 connections, no pause); ${secs} s each"
	report_line
	report_add '%-44s %10s %10s %10s  %s' phase requests "p50 ms" "p99 ms" "answers"
	report_line
	report_add '%-44s %10s %10s %10s  %s' "polite clients alone" "$(jq -r .alone.n <<<"$j")" \
		"$(jq -r '.alone.p50 | . * 100 | round / 100' <<<"$j")" "$(jq -r '.alone.p99 | . * 100 | round / 100' <<<"$j")" "$(jq -c .alone.statuses <<<"$j")"
	report_add '%-44s %10s %10s %10s  %s' "polite clients beside the greedy one" "$(jq -r .shared.n <<<"$j")" \
		"$(jq -r '.shared.p50 | . * 100 | round / 100' <<<"$j")" "$(jq -r '.shared.p99 | . * 100 | round / 100' <<<"$j")" "$(jq -c .shared.statuses <<<"$j")"
	report_add '%-44s %10s %10s %10s  %s' "the greedy client" "$(jq -r '[.greedy.statuses[]] | add' <<<"$j")" "-" "-" \
		"$(jq -c .greedy.statuses <<<"$j") ($(jq -r '.greedy.per_second | round' <<<"$j") req/s)"
	report_line
	report_add '%s' "Aim: the greedy client gets 429s, the polite clients' p99 beside it within 2x of alone: $(jq -r '(.shared.p99 / .alone.p99 * 100 | round / 100)' <<<"$j")x."
}
