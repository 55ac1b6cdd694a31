#!/usr/bin/env bash
# bench_core model (bench/README.md): every strategy's line is printed, and the matched bare step
# draws a crowd as large as the strategy's (within 5 points at 3,000 agents: a cascade can jump
# by a few points at a small change of the thresholds, so the bisection keeps the closest); a key
# on the command line replaces the bench's own, and the matched run's threshold mean replaces one
# given on the command line.
set -euo pipefail
bench="$1"
out=$("$bench" model 3000 10)
printf '%s\n' "$out" | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin if l.strip()]
by = {l["strategy"]: l for l in lines}
assert sorted(by) == ["big_messaging", "none", "relationship_first"], sorted(by)
assert "matched_bare" not in by["none"]
for s in ("relationship_first", "big_messaging"):
    l = by[s]
    assert l["actions"] == 10, (s, l["actions"])
    m = l["matched_bare"]
    gap = abs(m["mean_turnout"] - l["mean_turnout"])
    assert gap <= 0.05, (s, l["mean_turnout"], m["mean_turnout"])
    assert l["vs_matched_bare"] > 0
print("matched:", {s: (by[s]["mean_turnout"], by[s]["matched_bare"]["mean_turnout"]) for s in ("relationship_first", "big_messaging")})
'
# The bench's organizers replaced from the command line (it used to refuse a key set twice).
"$bench" model 3000 5 relationship_first campaign.staff_organizers=2 campaign.worker_organizers=2 >/dev/null
set_mean=$("$bench" model 3000 5 all population.threshold.mean=0.3)
case "$set_mean" in *vs_matched_bare*) ;; *) echo "no matched step with a threshold mean given" >&2; exit 1 ;; esac
# Its own policy instead of the stress case: no matched step (the actions differ in number).
own=$("$bench" model 3000 20 big_messaging 'actions.policy=null' 'actions.seed={"rung": "member"}')
case "$own" in *matched_bare*) echo "a matched step outside the stress case" >&2; exit 1 ;; esac
echo ok
