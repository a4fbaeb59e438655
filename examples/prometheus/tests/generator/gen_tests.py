# Regenerates ../*.yml: cd examples/prometheus && python3 tests/generator/gen_tests.py tests \
#   && python3 tests/generator/fill.py tests/*.yml   (fill.py copies the annotations promtool
#   renders into exp_annotations: review the diff, they are part of what is tested)
import yaml, sys, os
OUT = sys.argv[1]
BASE = dict(gen_ai_operation_name="chat", gen_ai_provider_name="openai", gen_ai_request_model="gpt-4o-mini",
            gen_ai_response_model="gpt-4o-mini-2024-07-18", server_address="api.openai.com")
UP = dict(gen_ai_provider_name="openai", server_address="api.openai.com")
UPM = dict(UP, gen_ai_request_model="gpt-4o-mini")

def sel(name, labels):
    return name + "{" + ",".join('%s="%s"' % (k, v) for k, v in sorted(labels.items())) + "}"

def cum(incs):
    out, total = [], 0
    for i in incs:
        total += i; out.append(total)
    return " ".join(("%g" % round(v, 6)) for v in out)

def series(name, labels, incs, born=0):
    """incs: the increase per step; born: the step of the series' first sample (none before)."""
    values = cum(incs).split(" ")
    return {"series": sel(name, labels), "values": " ".join(["_"] * born + values[born:])}

def gauge(name, labels, values):
    return {"series": sel(name, labels), "values": " ".join("%g" % v for v in values)}

def duration_hist(instance, fast, slow, error_type=""):
    """fast calls end under 0.32 s, slow ones between 10.24 and 20.48 s; per-step counts."""
    out = []
    labels = dict(BASE, error_type=error_type, instance=instance)
    for le, slow_in in (("0.32", False), ("5.12", False), ("10.24", False), ("20.48", True), ("+Inf", True)):
        incs = [f + (s if slow_in else 0) for f, s in zip(fast, slow)]
        out.append(series("gen_ai_client_operation_duration_seconds_bucket", dict(labels, le=le), incs))
    out.append(series("gen_ai_client_operation_duration_seconds_count", labels, [f + s for f, s in zip(fast, slow)]))
    return out

def counts(instance, error_type, incs, base=BASE, born=0):
    return series("gen_ai_client_operation_duration_seconds_count", dict(base, error_type=error_type, instance=instance), incs, born)

def up(instance, born=0):
    """The scrape's own `up` series of a target first scraped at step `born`."""
    return {"series": sel("up", dict(instance=instance)), "values": " ".join(["_"] * born + ["1"] * (N - born))}

def alert(t, name, fires, labels=None):
    exp = [{"exp_labels": labels}] if fires else []
    return {"eval_time": t, "alertname": name, "exp_alerts": exp}

def test(name, series_list, alerts, interval="15s"):
    return {"name": name, "interval": interval, "input_series": series_list, "alert_rule_test": alerts}

def write(fname, tests, evaluation_interval="15s"):
    doc = {"rule_files": ["../llm-pulse-rules.yml"], "evaluation_interval": evaluation_interval, "tests": tests}
    with open(os.path.join(OUT, fname), "w") as f:
        f.write("# promtool test rules examples/prometheus/tests/%s  (generated cases, see README)\n" % fname)
        yaml.safe_dump(doc, f, sort_keys=False, width=200)

N = 30
# ---------------------------------------------------------------- latency
lat_labels = dict(UPM, severity="page")
fast = [20] * 8 + [0] * (N - 8); slow = [0] * 8 + [8] * (N - 8)
ttfc = []
for inst in ("a", "b"):
    lab = dict(BASE, instance=inst)
    for le, slow_in in (("0.5", False), ("2.5", False), ("15", True), ("+Inf", True)):
        incs = [(6 if i < 8 else 0) + ((3 if i >= 8 else 0) if slow_in else 0) for i in range(N)]
        ttfc.append(series("gen_ai_client_operation_time_to_first_chunk_seconds_bucket", dict(lab, le=le), incs))
ttfc_normal = []
for inst in ("a", "b"):
    lab = dict(BASE, instance=inst)
    for le in ("0.5", "2.5", "15", "+Inf"):
        ttfc_normal.append(series("gen_ai_client_operation_time_to_first_chunk_seconds_bucket", dict(lab, le=le), [6] * N))
write("latency.yml", [
    test("p95 latency jumps from 0.3 s to 15 s on two instances",
         duration_hist("a", fast, slow) + duration_hist("b", fast, slow),
         [alert("1m", "LlmLatencyP95High", False), alert("2m30s", "LlmLatencyP95High", True, lat_labels),
          alert("5m", "LlmLatencyP95High", True, lat_labels)]),
    test("normal traffic stays under 5 s",
         duration_hist("a", [20] * N, [0] * N) + duration_hist("b", [20] * N, [0] * N),
         [alert("5m", "LlmLatencyP95High", False), alert("5m", "LlmTimeToFirstChunkSlow", False)]),
    test("one slow call among 4 per minute is too little traffic for a p95",
         duration_hist("a", [1 if i % 4 == 0 else 0 for i in range(N)], [1 if i % 4 == 2 else 0 for i in range(N)]),
         [alert("5m", "LlmLatencyP95High", False)]),
    test("streams start after 15 s instead of 0.3 s",
         ttfc, [alert("2m15s", "LlmTimeToFirstChunkSlow", False), alert("5m", "LlmTimeToFirstChunkSlow", True, dict(UPM, severity="warning"))]),
    test("streams start fast", ttfc_normal, [alert("6m", "LlmTimeToFirstChunkSlow", False)]),
])

# ---------------------------------------------------------------- upstream
ok = [20] * 12 + [0] * (N - 12); bad = [0] * 12 + [20] * (N - 12)
down_labels = dict(UP, severity="page")
PROBE = dict(UPM)
def probes(inst, result, incs):
    return series("gen_ai_client_probes_total", dict(PROBE, instance=inst, result=result), incs)
def state(inst, values_down):
    out = []
    for st in ("healthy", "degraded", "down"):
        vals = [(1 if d else 0) if st == "down" else (0 if d else 1) if st == "healthy" else 0 for d in values_down]
        out.append(gauge("gen_ai_client_upstream_state", dict(PROBE, instance=inst, state=st), vals))
    return out
write("upstream.yml", [
    test("connection refused on every instance from 3 m",
         [counts("a", "", ok), counts("b", "", ok), counts("a", "connect_error", bad), counts("b", "connect_error", bad)],
         [alert("2m45s", "LlmUpstreamDown", False), alert("3m30s", "LlmUpstreamDown", True, down_labels)]),
    test("5xx and timeouts count as down too",
         [counts("a", "", ok), counts("a", "503", [0] * 12 + [10] * (N - 12)), counts("a", "timeout", [0] * 12 + [10] * (N - 12))],
         [alert("3m30s", "LlmUpstreamDown", True, down_labels)]),
    test("429s are rate limiting, not down",
         [counts("a", "", ok), counts("a", "429", bad)],
         [alert("4m", "LlmUpstreamDown", False)]),
    test("a third of the calls failing is down",
         [counts("a", "", [20] * N), counts("a", "503", [0] * 12 + [10] * (N - 12))],
         [alert("2m45s", "LlmUpstreamDown", False), alert("3m30s", "LlmUpstreamDown", True, down_labels)]),
    test("a tenth of the calls failing is not down",
         [counts("a", "", [45] * N), counts("a", "503", [0] * 12 + [5] * (N - 12))],
         [alert("4m", "LlmUpstreamDown", False)]),
    # promtool evaluates exactly at the scrapes, so its 30 s window holds two intervals (a real
    # Prometheus evaluates between scrapes and holds one): the first outage scrape is diluted twice.
    test("the first scrape of an outage (4 s of 503s at 3 calls/s) fires",
         [counts("a", "", [45] * 8 + [33] + [0] * (N - 9)), counts("a", "503", [0] * 8 + [12] + [45] * (N - 9))],
         [alert("1m45s", "LlmUpstreamDown", False), alert("2m", "LlmUpstreamDown", True, down_labels)]),
    # The library exports an error_type's series from its first failure on: an outage's 503s
    # are a series born with it, which rate() sees only from its second sample.
    test("an outage whose 503s are a new series pages at their first scrape",
         [up("a"), counts("a", "", [45] * 8 + [33] + [0] * (N - 9)), counts("a", "503", [0] * 8 + [12] + [45] * (N - 9), born=8)],
         [alert("1m45s", "LlmUpstreamDown", False), alert("2m", "LlmUpstreamDown", True, down_labels)]),
    test("four failures in a new series are not down",
         [up("a"), counts("a", "", [45] * 8 + [33] + [0] * (N - 9)), counts("a", "connect_error", [0] * 8 + [4] + [0] * (N - 9), born=8)],
         [alert("2m", "LlmUpstreamDown", False), alert("2m15s", "LlmUpstreamDown", False)]),
    test("a target seen for the first time (a new replica, Prometheus back after 5 m) is not an outage",
         [up("a", born=8), counts("a", "", [1000] + [0] * 7 + [3] * (N - 8), born=8),
          counts("a", "503", [500] + [0] * (N - 1), born=8)],
         [alert("2m", "LlmUpstreamDown", False), alert("2m15s", "LlmUpstreamDown", False)]),
    test("four failures in a scrape interval are not down, even when nothing else is called",
         [counts("a", "", [0] * N), counts("a", "503", [0] * 8 + [4] + [0] * (N - 9))],
         [alert("2m", "LlmUpstreamDown", False)]),
    test("two failures in 30 s of quiet traffic are not down",
         [counts("a", "", [1 if i % 4 == 0 else 0 for i in range(N)]), counts("a", "connect_error", [0] * 12 + [1] * (N - 12))],
         [alert("4m", "LlmUpstreamDown", False)]),
    test("every probe fails",
         [probes("a", "failure", [1 if i % 2 == 0 else 0 for i in range(N)]), probes("a", "success", [0] * N)],
         [alert("3m", "LlmUpstreamProbeFailing", True, dict(UPM, severity="page"))]),
    test("probes fail on one instance, succeed on the other",
         [probes("a", "failure", [1 if i % 2 == 0 else 0 for i in range(N)]), probes("b", "success", [1 if i % 2 == 0 else 0 for i in range(N)])],
         [alert("3m", "LlmUpstreamProbeFailing", False)]),
    test("half of the instances rate the upstream down",
         state("a", [False] * 4 + [True] * (N - 4)) + state("b", [False] * N),
         [alert("1m", "LlmUpstreamStateDown", False), alert("2m", "LlmUpstreamStateDown", True, dict(UPM, severity="page"))]),
    test("one instance of three rates it down",
         state("a", [True] * N) + state("b", [False] * N) + state("c", [False] * N),
         [alert("3m", "LlmUpstreamStateDown", False)]),
    test("calls stall on one instance of two (a hang, or a closed pool's in-phase slow calls)",
         [series("gen_ai_client_requests_stalled_total", dict(UP, instance="a"), [0] * 6 + [8, 0, 8, 0, 8] + [0] * (N - 11)),
          series("gen_ai_client_requests_stalled_total", dict(UP, instance="b"), [0] * N)],
         [alert("1m15s", "LlmCallsStalled", False), alert("1m30s", "LlmCallsStalled", True, dict(UP, severity="page")),
          alert("3m", "LlmCallsStalled", True, dict(UP, severity="page")), alert("4m30s", "LlmCallsStalled", False)]),
    test("one stalled call pages for a minute",
         [series("gen_ai_client_requests_stalled_total", dict(UP, instance="a"), [0] * 6 + [1] + [0] * (N - 7))],
         [alert("1m30s", "LlmCallsStalled", True, dict(UP, severity="page")), alert("2m45s", "LlmCallsStalled", False)]),
    test("a 60 s answer overtaken by fast ones: old, but not stalled",
         [gauge("gen_ai_client_oldest_in_flight_seconds", dict(UP, instance="a"), [0.3] * 4 + [3 + 15 * i for i in range(4)] + [0.3] * (N - 8)),
          series("gen_ai_client_requests_stalled_total", dict(UP, instance="a"), [0] * N)],
         [alert("1m30s", "LlmCallsStalled", False), alert("2m", "LlmCallsStalled", False)]),
    test("the OkHttp queue piles up on two instances",
         [gauge("gen_ai_client_dispatcher_queued_calls", dict(client="support-bot", instance="a"), [0] * 4 + [30] * (N - 4)),
          gauge("gen_ai_client_dispatcher_queued_calls", dict(client="support-bot", instance="b"), [0] * 4 + [30] * (N - 4))],
         [alert("1m30s", "LlmQueuePileUp", False), alert("3m", "LlmQueuePileUp", True, dict(client="support-bot", severity="page"))]),
    test("a short queue is fine",
         [gauge("gen_ai_client_dispatcher_queued_calls", dict(client="support-bot", instance="a"), [20] * N),
          gauge("gen_ai_client_dispatcher_queued_calls", dict(client="support-bot", instance="b"), [20] * N)],
         [alert("5m", "LlmQueuePileUp", False)]),
])

# ---------------------------------------------------------------- limits
RL = dict(UPM)
def rl(inst, limit_type, remaining, limit, reset):
    lab = dict(RL, instance=inst, limit_type=limit_type)
    return [gauge("gen_ai_client_rate_limit_remaining", lab, remaining),
            gauge("gen_ai_client_rate_limit_limit", lab, [limit] * len(remaining)),
            gauge("gen_ai_client_rate_limit_reset_timestamp_seconds", lab, reset)]
future = [100000] * N
write("limits.yml", [
    test("half of the calls are answered 429",
         [counts("a", "", [20] * 8 + [10] * (N - 8)), counts("a", "429", [0] * 8 + [10] * (N - 8)),
          counts("b", "", [20] * N)],
         [alert("2m", "LlmRateLimited", False), alert("5m", "LlmRateLimited", True, dict(UPM, severity="warning"))]),
    test("one 429 in a hundred calls is fine",
         [counts("a", "", [99] * N), counts("a", "429", [1] * N)],
         [alert("6m", "LlmRateLimited", False)]),
    test("request headroom falls to 10 %",
         rl("a", "requests", [4000] * 4 + [500] * (N - 4), 5000, future) + rl("b", "requests", [4000] * 4 + [500] * (N - 4), 5000, future),
         [alert("1m30s", "LlmRateLimitHeadroomLow", False),
          alert("3m", "LlmRateLimitHeadroomLow", True, dict(RL, limit_type="requests", severity="warning"))]),
    test("ample headroom",
         rl("a", "tokens", [1500000] * N, 2000000, future),
         [alert("5m", "LlmRateLimitHeadroomLow", False)]),
    test("low headroom of a window that has already reset is stale",
         rl("a", "tokens", [1000] * N, 2000000, [10] * N),
         [alert("5m", "LlmRateLimitHeadroomLow", False)]),
])

# ---------------------------------------------------------------- ghosts, cost, unpriced
def invalid(inst, reason, incs):
    return series("gen_ai_client_invalid_responses_total", dict(BASE, instance=inst, reason=reason), incs)
def cost(inst, token_type, per_step):
    return series("gen_ai_client_cost_usd_total", dict(BASE, instance=inst, gen_ai_token_type=token_type), [per_step] * 360)
write("ghost_cost.yml", [
    test("a quarter of the 200 answers are truncated",
         [counts("a", "", [15] * N), counts("a", "invalid_response", [0] * 4 + [5] * (N - 4)),
          invalid("a", "truncated_json", [0] * 4 + [5] * (N - 4)), counts("b", "", [20] * N)],
         [alert("1m30s", "LlmGhostSuccesses", False), alert("5m", "LlmGhostSuccesses", True, dict(UPM, severity="warning"))]),
    test("one ghost in two hundred answers is fine",
         [counts("a", "", [199] * N), counts("a", "incomplete_stream", [1] * N), invalid("a", "stream_incomplete", [1] * N)],
         [alert("6m", "LlmGhostSuccesses", False)]),
    test("two instances together burn 230 USD a day (the 1h rate needs an hour of data)",
         [cost("a", "output", 0.015), cost("a", "input", 0.005), cost("b", "output", 0.015), cost("b", "input", 0.005)],
         [alert("5m", "LlmCostBurnAboveDailyBudget", False), alert("1h15m", "LlmCostBurnAboveDailyBudget", True, dict(severity="warning"))]),
    test("57 USD a day is within budget",
         [cost("a", "output", 0.004), cost("a", "input", 0.001), cost("b", "output", 0.004), cost("b", "input", 0.001)],
         [alert("1h15m", "LlmCostBurnAboveDailyBudget", False)]),
    test("a model without a price",
         [series("gen_ai_client_unpriced_operations_total", dict(BASE, gen_ai_request_model="gpt-9", gen_ai_response_model="gpt-9-0601", instance="a"), [0] * 4 + [1] * (N - 4))],
         [alert("2m", "LlmUnpricedCalls", True, dict(gen_ai_provider_name="openai", gen_ai_request_model="gpt-9", gen_ai_response_model="gpt-9-0601", severity="info"))]),
    test("every model priced",
         [series("gen_ai_client_unpriced_operations_total", dict(BASE, instance="a"), [0] * N)],
         [alert("5m", "LlmUnpricedCalls", False)]),
])

# ---------------------------------------------------------------- SLO burn rates (1 m steps)
def slo_counts(inst, ok, bad, slow=None, error_type="503"):
    """per-minute increments: ok successful calls (slow of them above 10.24 s), bad failures"""
    slow = slow or [0] * len(ok)
    lab = dict(BASE, instance=inst)
    out = [series("gen_ai_client_operation_duration_seconds_count", dict(lab, error_type=""), ok),
           series("gen_ai_client_operation_duration_seconds_bucket", dict(lab, error_type="", le="10.24"), [o - w for o, w in zip(ok, slow)]),
           series("gen_ai_client_operation_duration_seconds_count", dict(lab, error_type=error_type), bad)]
    return out
H = 60
def minutes(*parts):
    out = []
    for n, v in parts: out += [v] * n
    return out
avail = dict(UPM, severity="page", slo="availability")
lat = dict(UPM, severity="page", slo="latency")
write("slo.yml", [
    test("availability 1h/5m: every call fails after an hour of clean traffic",
         slo_counts("a", minutes((H, 100), (30, 0)), minutes((H, 0), (30, 100))),
         [alert("1h3m", "LlmAvailabilityBudgetBurnFast", False),
          alert("1h6m", "LlmAvailabilityBudgetBurnFast", True, dict(avail, window="1h/5m"))], interval="1m"),
    test("availability 1h/5m: a 2 minute outage spends 3 % of the hour, under 14.4 x 0.5 %",
         slo_counts("a", minutes((H, 100), (2, 0), (30, 100)), minutes((H, 0), (2, 100), (30, 0))),
         [alert("1h2m", "LlmAvailabilityBudgetBurnFast", False), alert("1h10m", "LlmAvailabilityBudgetBurnFast", False)], interval="1m"),
    test("availability 1h/5m: the alert stops 5 minutes after the burn stops, though the hour is still bad",
         slo_counts("a", minutes((H, 100), (20, 0), (20, 100)), minutes((H, 0), (20, 100), (20, 0))),
         [alert("1h19m", "LlmAvailabilityBudgetBurnFast", True, dict(avail, window="1h/5m")),
          alert("1h27m", "LlmAvailabilityBudgetBurnFast", False)], interval="1m"),
    test("availability 6h/30m: 4 % of the calls fail for 7 hours (6x: 3 %, under the 1h/5m threshold)",
         slo_counts("a", minutes((420, 96)), minutes((420, 4))),
         [alert("7h", "LlmAvailabilityBudgetBurnSlow", True, dict(avail, window="6h/30m")),
          alert("7h", "LlmAvailabilityBudgetBurnFast", False)], interval="1m"),
    test("availability 6h/30m: 2 % of the calls fail for 7 hours, under 6 x 0.5 %",
         slo_counts("a", minutes((420, 98)), minutes((420, 2))),
         [alert("7h", "LlmAvailabilityBudgetBurnSlow", False)], interval="1m"),
    test("availability 6h/30m: 429s and broken answers spend the budget; canceled calls do not count",
         slo_counts("a", minutes((420, 90)), minutes((420, 2)), error_type="429")
         + [counts("a", "invalid_response", minutes((420, 2))), counts("a", "canceled", minutes((420, 50)))],
         [alert("7h", "LlmAvailabilityBudgetBurnSlow", True, dict(avail, window="6h/30m"))], interval="1m"),
    test("latency 1h/5m: every answer takes 15 s after an hour of fast ones",
         slo_counts("a", minutes((H, 100), (30, 100)), minutes((90, 0)), slow=minutes((H, 0), (30, 100))),
         [alert("1h1m", "LlmLatencyBudgetBurnFast", False),
          alert("1h12m", "LlmLatencyBudgetBurnFast", True, dict(lat, window="1h/5m"))], interval="1m"),
    test("latency 1h/5m: 5 % slow answers are within 14.4 x 1 %",
         slo_counts("a", minutes((90, 100)), minutes((90, 0)), slow=minutes((90, 5))),
         [alert("1h30m", "LlmLatencyBudgetBurnFast", False)], interval="1m"),
    test("latency 6h/30m: 8 % slow answers for 7 hours (6x: 6 %)",
         slo_counts("a", minutes((420, 100)), minutes((420, 0)), slow=minutes((420, 8))),
         [alert("7h", "LlmLatencyBudgetBurnSlow", True, dict(lat, window="6h/30m")),
          alert("7h", "LlmLatencyBudgetBurnFast", False)], interval="1m"),
    test("latency 6h/30m: the alert stops 30 minutes after the slow answers stop",
         slo_counts("a", minutes((420, 100)), minutes((420, 0)), slow=minutes((360, 8), (60, 0))),
         [alert("6h", "LlmLatencyBudgetBurnSlow", True, dict(lat, window="6h/30m")),
          alert("6h35m", "LlmLatencyBudgetBurnSlow", False)], interval="1m"),
], evaluation_interval="1m")

# ---------------------------------------------------------------- ten minutes of normal traffic
import random
rnd = random.Random(15)
STEPS = 41  # 0..10 m at 15 s
ALL_ALERTS = ["LlmLatencyP95High", "LlmTimeToFirstChunkSlow", "LlmUpstreamDown", "LlmUpstreamProbeFailing",
              "LlmUpstreamStateDown", "LlmCallsStalled", "LlmQueuePileUp", "LlmRateLimited", "LlmRateLimitHeadroomLow",
              "LlmGhostSuccesses", "LlmCostBurnAboveDailyBudget", "LlmUnpricedCalls",
              "LlmAvailabilityBudgetBurnFast", "LlmAvailabilityBudgetBurnSlow", "LlmLatencyBudgetBurnFast", "LlmLatencyBudgetBurnSlow"]
def poisson(lam):
    # Knuth; lam is small here
    import math
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rnd.random()
        if p <= L: return k
        k += 1
normal = []
for inst in ("a", "b", "c"):
    lab = dict(BASE, instance=inst)
    ok, err, long_ = [], [], []
    for i in range(STEPS):
        calls = poisson(15) + (30 if inst == "a" and i % 8 == 4 else 0)  # 3 calls/s fleet-wide + a burst of 30 every 2 minutes
        e = sum(1 for _ in range(calls) if rnd.random() < 0.01)           # 1 % of the calls fail with 503
        ok.append(calls - e); err.append(e)
        long_.append(1 if inst == "b" and i == 20 else 0)                 # one 60 s answer ends at 5 m
    for le, with_long in (("0.32", False), ("5.12", False), ("10.24", False), ("20.48", False), ("81.92", True), ("+Inf", True)):
        normal.append(series("gen_ai_client_operation_duration_seconds_bucket", dict(lab, error_type="", le=le),
                             [o - l + (l if with_long else 0) for o, l in zip(ok, long_)]))
    normal.append(series("gen_ai_client_operation_duration_seconds_count", dict(lab, error_type=""), ok))
    normal.append(series("gen_ai_client_operation_duration_seconds_count", dict(lab, error_type="503"), err))
    normal.append(series("gen_ai_client_requests_stalled_total", dict(UP, instance=inst), [0] * STEPS))
    oldest = [round(0.1 + 0.5 * rnd.random(), 2) for _ in range(STEPS)]
    if inst == "b":
        for k in range(4): oldest[16 + k] = 3 + 15 * k                   # the 60 s answer, in flight from 4 m to 5 m
    normal.append(gauge("gen_ai_client_oldest_in_flight_seconds", dict(UP, instance=inst), oldest))
    normal.append(gauge("gen_ai_client_requests_in_flight", dict(BASE, instance=inst), [1 + (5 if inst == "a" and i % 8 == 4 else 0) for i in range(STEPS)]))
write("normal_traffic.yml", [
    test("ten minutes of normal traffic on three instances: 3 calls/s, a burst of 30 every 2 minutes, 1 % 503s, one 60 s answer",
         normal, [alert("%dm" % m, a, False) for m in range(1, 11) for a in ALL_ALERTS]),
])
