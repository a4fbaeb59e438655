# Regenerates llm-pulse-dashboard.json: python3 examples/grafana/generate_dashboard.py
import json
panels = []
y = 0
def panel(title, targets, unit="short", w=12, h=8, kind="timeseries", desc="", x=None, extra=None):
    global y
    p = {"type": kind, "title": title, "description": desc,
         "datasource": {"type": "prometheus", "uid": "${datasource}"},
         "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
         "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]}} if kind == "timeseries" else {},
         "targets": [{"refId": chr(65 + i), "expr": e, "legendFormat": l,
                      "datasource": {"type": "prometheus", "uid": "${datasource}"}} for i, (e, l) in enumerate(targets)]}
    if extra: p.update(extra)
    panels.append(p)
    return p
def row(title):
    panels.append({"type": "row", "title": title, "collapsed": False, "panels": []})

row("Traffic and latency (real calls)")
panel("Request rate by outcome", [(
    'label_replace(sum by (error_type) (rate(gen_ai_client_operation_duration_seconds_count[1m])), "error_type", "ok", "error_type", "")',
    "{{error_type}}")], unit="reqps",
    desc="Calls per second by error_type: ok, HTTP status (429, 500...), timeout, connect_error, invalid_response (ghost)...",
    extra={"fieldConfig": {"defaults": {"unit": "reqps", "custom": {"stacking": {"mode": "normal"}, "fillOpacity": 30}}, "overrides": []}})
panel("Latency to end of body p50 / p95 / p99", [
    ("llm:operation_duration_seconds:p50_rate1m", "p50 {{gen_ai_request_model}}"),
    ("llm:operation_duration_seconds:p95_rate1m", "p95 {{gen_ai_request_model}}"),
    ("llm:operation_duration_seconds:p99_rate1m", "p99 {{gen_ai_request_model}}")], unit="s",
    desc="Finished calls only: a hang shows here when it ends. Alert LlmLatencyP95High at 5 s.")
panel("Time to first chunk (streams) p50 / p95", [
    ("histogram_quantile(0.5, sum by (le, gen_ai_request_model) (rate(gen_ai_client_operation_time_to_first_chunk_seconds_bucket[2m])))", "p50 {{gen_ai_request_model}}"),
    ("llm:time_to_first_chunk_seconds:p95_rate2m", "p95 {{gen_ai_request_model}}")], unit="s",
    desc="How long customers wait for the first words of a streamed answer. Alert at 3 s (p95).")
panel("In flight, oldest in flight, OkHttp queue", [
    ("sum by (gen_ai_provider_name, gen_ai_request_model) (gen_ai_client_requests_in_flight)", "in flight {{gen_ai_request_model}}"),
    ("sum by (client) (gen_ai_client_dispatcher_queued_calls)", "queued {{client}}"),
    ("max by (gen_ai_provider_name) (gen_ai_client_oldest_in_flight_seconds)", "oldest in flight (s) {{gen_ai_provider_name}}")],
    desc="In flight: calls started, body not finished. Queued: enqueue()d calls waiting for a dispatcher slot (maxRequestsPerHost) - invisible in latency. Oldest in flight: seconds (issue 6).")
row("Upstream health")
panel("Upstream state", [
    ("max by (gen_ai_provider_name, gen_ai_request_model, state) (gen_ai_client_upstream_state) == 1", "{{gen_ai_provider_name}} {{gen_ai_request_model}} {{state}}")],
    kind="state-timeline", desc="The interceptor's verdict per upstream and model: healthy, degraded, down (issue 6).")
panel("Upstream error ratio and 429 ratio", [
    ("llm:upstream_errors:ratio_rate30s", "errors {{server_address}}"),
    ("llm:rate_limited:ratio_rate5m", "429 {{gen_ai_request_model}}")], unit="percentunit",
    desc="Errors: 5xx, timeout, connect and I/O errors (LlmUpstreamDown above 10 % with 5 failures in a scrape). 429: LlmRateLimited above 5 %.")
panel("Stalled calls per minute", [
    ("sum by (gen_ai_provider_name, server_address) (increase(gen_ai_client_requests_stalled_total[1m]))", "stalled {{server_address}}")],
    desc="Calls past the stall threshold (10 s) that no later call overtook by coming back fast: a hang or a latency jump, counted at scrape time or at their end, so a closed pool's in-phase slow calls are never missed. LlmCallsStalled pages on any; one long answer among fast ones is never counted.")
panel("SLO burn rate (1 h)", [
    ("llm:slo_availability:error_ratio_rate1h / on() group_left() (1 - llm:slo_availability:objective)", "availability {{server_address}} {{gen_ai_request_model}}"),
    ("llm:slo_latency:slow_ratio_rate1h / on() group_left() (1 - llm:slo_latency:objective)", "latency {{server_address}} {{gen_ai_request_model}}")],
    desc="How fast each SLO's monthly error budget burns over the last hour (1 = exactly in 30 days). The burn-rate alerts page at 14.4 (1h and 5m) and 6 (6h and 30m); the targets are the llm:slo_*:objective rules.")
panel("Probes", [
    ("min by (gen_ai_provider_name, gen_ai_request_model) (gen_ai_client_probe_success)", "success {{gen_ai_request_model}}"),
    ("sum by (result) (rate(gen_ai_client_probes_total[5m]))", "{{result}}/s")],
    desc="Active probes for quiet periods: a minimal call per model (issue 6).")
panel("Rate-limit headroom", [
    ("llm:rate_limit_headroom:ratio", "{{gen_ai_request_model}} {{limit_type}}")], unit="percentunit",
    desc="remaining / limit as the provider last reported; windows already reset are dropped. Alert below 20 %.",
    extra={"fieldConfig": {"defaults": {"unit": "percentunit", "min": 0, "max": 1,
        "thresholds": {"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "orange", "value": 0.2}, {"color": "green", "value": 0.5}]}}, "overrides": []}})
panel("Ghost successes (200 but unusable)", [
    ("sum by (reason) (rate(gen_ai_client_invalid_responses_total[5m]))", "{{reason}}"),
    ("llm:ghost_successes:ratio_rate5m", "share of 2xx {{gen_ai_request_model}}")],
    desc="Truncated JSON, empty choices, streams cut before their end: answers the customer never got. Alert above 2 % of 2xx.")
row("Tokens and money")
panel("Tokens per second by type", [
    ("sum by (gen_ai_token_type) (rate(gen_ai_client_tokens_total[1m]))", "{{gen_ai_token_type}}")],
    desc="cache_read and cache_creation are part of input, reasoning part of output.")
panel("Cost per hour by model (USD)", [
    ("llm:cost_usd:per_hour_rate5m", "{{gen_ai_request_model}}")], unit="currencyUSD",
    desc="rate() of the cost counter over 5 minutes x 3600.")
panel("Projected cost per day by model (USD)", [
    ("llm:cost_usd:per_day_rate1h", "{{gen_ai_request_model}}"),
    ("sum(llm:cost_usd:per_day_rate1h)", "total")], unit="currencyUSD",
    desc="rate() of the cost counter over 1 hour x 86400. Alert LlmCostBurnAboveDailyBudget above 100 USD/day.")
panel("Unpriced calls (last hour)", [
    ("sum(increase(gen_ai_client_unpriced_operations_total[1h])) or vector(0)", "unpriced")], kind="stat", w=6,
    desc="Calls whose model has no price: their cost is missing above.")
panel("Finish reasons", [
    ("sum by (gen_ai_response_finish_reason) (rate(gen_ai_client_finish_reasons_total[5m]))", "{{gen_ai_response_finish_reason}}")], w=6,
    desc="stop / end_turn are normal; length and content_filter are worth a look.")
row("Attribution: who spends (feature and tenant attribution keys)")
panel("Projected cost per day by feature vs budget (USD)", [
    ("llm:cost_usd:per_day_by_feature_rate1h", "{{feature}}"),
    ("llm:feature_budget_usd:per_day", "budget {{feature}}")], unit="currencyUSD",
    desc="rate() of the cost counter over 1 hour x 86400, per feature attribution value (empty: untagged calls; _OTHER: beyond the cap or allow-list). Budgets: the llm:feature_budget_usd:per_day rules; alert LlmFeatureOverDailyBudget.")
panel("Projected cost per day by tenant (USD)", [
    ("llm:cost_usd:per_day_by_tenant_rate1h", "{{tenant}}")], unit="currencyUSD",
    desc="rate() of the cost counter over 1 hour x 86400, per tenant attribution value.")
panel("Top spenders: feature x tenant (USD/hour)", [
    ("topk(10, llm:cost_usd:per_hour_by_feature_tenant_rate5m)", "{{feature}} / {{tenant}}")], unit="currencyUSD",
    kind="bargauge", desc="The ten feature and tenant pairs spending most over the last 5 minutes, per hour.",
    extra={"options": {"orientation": "horizontal", "displayMode": "gradient",
                       "reduceOptions": {"calcs": ["lastNotNull"], "values": False}}})
panel("Calls and tokens by feature", [
    ('label_replace(sum by (feature, error_type) (rate(gen_ai_client_calls_total[1m])), "error_type", "ok", "error_type", "")', "calls/s {{feature}} {{error_type}}"),
    ("sum by (feature) (rate(gen_ai_client_tokens_total{gen_ai_token_type=~\"input|output\"}[1m]))", "tokens/s {{feature}}")],
    desc="gen_ai_client_calls_total by feature and outcome, and input + output tokens per second by feature. Attribution values that became _OTHER or _INVALID are counted in gen_ai_client_attribution_dropped_total by reason.")

# layout: two per row (rows full width)
x = 0; yy = 0; pid = 1
for p in panels:
    p["id"] = pid; pid += 1
    if p["type"] == "row":
        if x: yy += 8; x = 0
        p["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": yy}; yy += 1; continue
    w = 12 if "w" not in p.get("gridPos", {}) else p["gridPos"]["w"]
    w = 6 if p["title"] in ("Unpriced calls (last hour)", "Finish reasons") else 12
    if x + w > 24: x = 0; yy += 8
    p["gridPos"] = {"h": 8, "w": w, "x": x, "y": yy}; x += w
dash = {
  "uid": "llm-pulse", "title": "LLM Pulse", "tags": ["llm", "llm-pulse", "gen_ai"],
  "description": "Every LLM call of the application: latency, time to first chunk, errors, rate-limit headroom, ghost successes, tokens and cost. Needs the recording rules of examples/prometheus/llm-pulse-rules.yml.",
  "timezone": "browser", "editable": True, "schemaVersion": 39, "version": 1, "refresh": "15s",
  "time": {"from": "now-30m", "to": "now"},
  "templating": {"list": [{"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
                           "current": {}, "hide": 0, "refresh": 1}]},
  "annotations": {"list": [{"name": "LLM alerts", "enable": True, "iconColor": "red",
      "datasource": {"type": "prometheus", "uid": "${datasource}"},
      "expr": "ALERTS{alertname=~\"Llm.*\", alertstate=\"firing\"}", "titleFormat": "{{alertname}}", "step": "15s"}]},
  "panels": panels,
}
json.dump(dash, open(__import__("os").path.join(__import__("os").path.dirname(__file__) or ".", "llm-pulse-dashboard.json"), "w"), indent=2)
print(len([p for p in panels if p["type"] != "row"]), "panels")
