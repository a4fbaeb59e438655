# Regenerates ../attribution.yml: cd examples/prometheus && python3 tests/generator/gen_attribution.py tests \
#   && python3 tests/generator/fill.py tests/attribution.yml   (fill.py copies the annotations
#   promtool renders into exp_annotations: review the diff, they are part of what is tested)
# Costs per 1 m step are powers of two, so projected USD/day values are exact in promtool. The
# budget rule projects from rate(...[1h]): it needs an hour of history to reach the full rate.
import yaml, sys, os
OUT = sys.argv[1]
BASE = dict(gen_ai_operation_name="chat", gen_ai_provider_name="openai", gen_ai_request_model="gpt-4o-mini",
            gen_ai_response_model="gpt-4o-mini-2024-07-18", server_address="api.openai.com")
N = 100  # 100 minutes of 1 m steps

def sel(name, labels):
    return name + "{" + ",".join('%s="%s"' % (k, v) for k, v in sorted(labels.items())) + "}"

def cost(feature, tenant, per_step, token_type="input", instance="a", start=0):
    values, total = [], 0.0
    for i in range(N):
        if i >= start: total += per_step
        values.append("%.10g" % total)
    labels = dict(BASE, gen_ai_token_type=token_type, feature=feature, tenant=tenant, instance=instance)
    return {"series": sel("gen_ai_client_cost_usd_total", labels), "values": " ".join(values)}

def alert(t, fires_for):
    return {"eval_time": t, "alertname": "LlmFeatureOverDailyBudget",
            "exp_alerts": [{"exp_labels": {"feature": f, "severity": "warning"}} for f in fires_for]}

def per_day(per_step):
    return per_step / 60 * 86400

tests = [
    {"name": "refunds spends 90 USD/day against its 50, order_status 22.5 against its 40",
     "interval": "1m",
     "input_series": [cost("refunds", "acme", 1 / 16), cost("order_status", "acme", 1 / 64),
                      cost("order_status", "globex", 0, token_type="output")],
     "alert_rule_test": [alert("30m", []), alert("1h", ["refunds"]), alert("1h35m", ["refunds"])]},
    {"name": "untagged calls, _OTHER and a feature without a budget are never alerted on",
     "interval": "1m",
     "input_series": [cost("", "acme", 1.0), cost("_OTHER", "acme", 1.0), cost("search", "acme", 1.0)],
     "alert_rule_test": [alert("1h35m", [])]},
    {"name": "a burst of 0.5 USD in one scrape on top of quiet traffic stays under the budget",
     "interval": "1m",
     "input_series": [{"series": cost("escalation", "acme", 1 / 256)["series"],
                       "values": " ".join("%.10g" % ((i + 1) / 256 + (0.5 if i >= 70 else 0)) for i in range(N))}],
     "alert_rule_test": [alert("1h35m", [])]},
]
# The spend per feature and per tenant, summed across instances and token types.
spend = [cost("refunds", "acme", 1 / 16), cost("refunds", "globex", 1 / 64, token_type="output"),
         cost("refunds", "globex", 1 / 64, instance="b"), cost("order_status", "acme", 1 / 64)]
tests.append({
    "name": "spend per feature, per tenant and top spenders add up across instances and token types",
    "interval": "1m", "input_series": spend,
    "promql_expr_test": [
        {"expr": "llm:cost_usd:per_day_by_feature_rate1h", "eval_time": "1h30m",
         "exp_samples": [{"labels": 'llm:cost_usd:per_day_by_feature_rate1h{feature="refunds"}', "value": per_day(1 / 16 + 2 / 64)},
                         {"labels": 'llm:cost_usd:per_day_by_feature_rate1h{feature="order_status"}', "value": per_day(1 / 64)}]},
        {"expr": "llm:cost_usd:per_day_by_tenant_rate1h", "eval_time": "1h30m",
         "exp_samples": [{"labels": 'llm:cost_usd:per_day_by_tenant_rate1h{tenant="acme"}', "value": per_day(1 / 16 + 1 / 64)},
                         {"labels": 'llm:cost_usd:per_day_by_tenant_rate1h{tenant="globex"}', "value": per_day(2 / 64)}]},
        {"expr": "topk(1, llm:cost_usd:per_hour_by_feature_tenant_rate5m)", "eval_time": "1h30m",
         "exp_samples": [{"labels": 'llm:cost_usd:per_hour_by_feature_tenant_rate5m{feature="refunds",tenant="acme"}', "value": 1 / 16 / 60 * 3600}]},
        {"expr": 'llm:feature_budget_usd:per_day{feature="refunds"}', "eval_time": "1m",
         "exp_samples": [{"labels": 'llm:feature_budget_usd:per_day{feature="refunds"}', "value": 50}]},
    ]})
doc = {"rule_files": ["../llm-pulse-rules.yml"], "evaluation_interval": "15s", "tests": tests}
with open(os.path.join(OUT, "attribution.yml"), "w") as f:
    f.write("# promtool test rules examples/prometheus/tests/attribution.yml  (generated cases, see README)\n")
    yaml.safe_dump(doc, f, sort_keys=False, width=200)
