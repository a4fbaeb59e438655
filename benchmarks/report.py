#!/usr/bin/env python3
"""Turns JMH's JSON (benchmarks/run.sh) into the README's tables and the target ratios.

Usage: report.py jmh.json [jmh-sample.json]. The second file (sample mode) gives per-call
percentiles: on a shared VM whole iterations run slow now and then, which moves the average
but not the median.
"""
import json
import sys

STREAM_BYTES = 283047  # printed by StreamBenchmark's setup ("stream bytes per op")

rows = json.load(open(sys.argv[1]))
r = {}
for row in rows:
    name = row["benchmark"].rsplit(".", 2)
    key = (name[1], name[2], row.get("params", {}).get("variant"),
           row.get("params", {}).get("transport"))
    alloc = row["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score")
    r[key] = (row["primaryMetric"]["score"], row["primaryMetric"]["scoreError"], alloc)


def get(bench, method, variant, transport=None):
    return r[(bench, method, variant, transport)]


def fmt(x, err):
    return f"{x:,.0f} ± {err:,.0f}"


out = []
variants = ["bare", "micrometerListener", "micrometerObservation", "llmPulse"]
for bench, title in (("CallBenchmark", "In-process, non-streaming 2 KB chat completion"),
                     ("LoopbackBenchmark", "Loopback HTTP/1.1, non-streaming 2 KB chat completion")):
    bare = get(bench, "call", "bare")[0]
    out.append(f"\n**{title}** (avgt, lower is better)\n")
    out.append("| variant | ns/op | overhead ns | × bare | B/op |")
    out.append("|---|---:|---:|---:|---:|")
    for v in variants:
        s, e, a = get(bench, "call", v)
        out.append(f"| {v} | {fmt(s, e)} | {s - bare:,.0f} | {s / bare:.3f} | {a:,.0f} |")

out.append("\n**Streaming, 1,000-chunk SSE** (thrpt, higher is better)\n")
out.append("| transport | variant | streams/s | MB/s | × bare | B/op |")
out.append("|---|---|---:|---:|---:|---:|")
for t in ("inProcess", "loopback"):
    bare = get("StreamBenchmark", "stream", "bare", t)[0]
    for v in ("bare", "llmPulse"):
        s, e, a = get("StreamBenchmark", "stream", v, t)
        out.append(f"| {t} | {v} | {fmt(s, e)} | {s * STREAM_BYTES / 1e6:,.1f} | "
                   f"{s / bare:.3f} | {a:,.0f} |")

out.append("\n**Scaling, in-process non-streaming** (thrpt, total calls/s)\n")
out.append("| variant | 1 thread | 4 threads | 16 threads | 16 / 1 |")
out.append("|---|---:|---:|---:|---:|")
scale = {}
for v in ("bare", "micrometerObservation", "llmPulse"):
    t = [get("ScalingBenchmark", m, v) for m in ("threads01", "threads04", "threads16")]
    scale[v] = t[2][0] / t[0][0]
    out.append(f"| {v} | {fmt(*t[0][:2])} | {fmt(*t[1][:2])} | {fmt(*t[2][:2])} | "
               f"{scale[v]:.2f} |")


def verdict(ok):
    return "met" if ok else "**missed**"


cb = {v: get("CallBenchmark", "call", v) for v in variants}
lb = {v: get("LoopbackBenchmark", "call", v) for v in variants}
llm_over = cb["llmPulse"][0] - cb["bare"][0]
mm_over = cb["micrometerObservation"][0] - cb["bare"][0]
llm_over_lb = lb["llmPulse"][0] - lb["bare"][0]
mml_over_lb = lb["micrometerListener"][0] - lb["bare"][0]
loop_ratio = lb["llmPulse"][0] / lb["bare"][0]
s_in = get("StreamBenchmark", "stream", "llmPulse", "inProcess")[0] / \
    get("StreamBenchmark", "stream", "bare", "inProcess")[0]
s_lb = get("StreamBenchmark", "stream", "llmPulse", "loopback")[0] / \
    get("StreamBenchmark", "stream", "bare", "loopback")[0]
alloc_ratio = cb["llmPulse"][2] / cb["micrometerObservation"][2]
scale_ratio = scale["llmPulse"] / scale["bare"]

out.append("\n**Targets**\n")
out.append("| target | measured | verdict |")
out.append("|---|---|---|")
out.append(f"| in-process overhead ≤ Micrometer's (observation interceptor) | "
           f"{llm_over:,.0f} ns vs {mm_over:,.0f} ns ({llm_over / mm_over:.2f}×) | "
           f"{verdict(llm_over <= mm_over)} |")
out.append(f"| loopback overhead ≤ Micrometer's (event listener) | "
           f"{llm_over_lb:,.0f} ns vs {mml_over_lb:,.0f} ns | "
           f"{verdict(llm_over_lb <= mml_over_lb)} |")
out.append(f"| loopback call time ≤ 1.03× bare | {loop_ratio:.3f}× | {verdict(loop_ratio <= 1.03)} |")
out.append(f"| streaming throughput ≥ 0.95× bare (loopback) | {s_lb:.3f}× | {verdict(s_lb >= 0.95)} |")
out.append(f"| streaming throughput ≥ 0.95× bare (in-process, CPU bound) | {s_in:.3f}× | "
           f"{verdict(s_in >= 0.95)} |")
out.append(f"| allocation per call ≤ 2× Micrometer's (observation) | "
           f"{cb['llmPulse'][2]:,.0f} vs {cb['micrometerObservation'][2]:,.0f} B "
           f"({alloc_ratio:.2f}×) | {verdict(alloc_ratio <= 2)} |")
out.append(f"| 16-thread scaling ≥ 0.9× bare's | {scale['llmPulse']:.2f} vs {scale['bare']:.2f} "
           f"({scale_ratio:.2f}×) | {verdict(scale_ratio >= 0.9)} |")
if len(sys.argv) > 2:
    p = {}
    for row in json.load(open(sys.argv[2])):
        name = row["benchmark"].rsplit(".", 2)
        pct = row["primaryMetric"]["scorePercentiles"]
        p[(name[1], row["params"]["variant"])] = (pct["50.0"], pct["90.0"], pct["99.0"])
    for bench, title in (("CallBenchmark", "In-process"), ("LoopbackBenchmark", "Loopback")):
        bare50 = p[(bench, "bare")][0]
        out.append(f"\n**{title}, per-call percentiles** (sample mode, ns; overhead and ratio on p50)\n")
        out.append("| variant | p50 | p90 | p99 | p50 overhead ns | p50 × bare |")
        out.append("|---|---:|---:|---:|---:|---:|")
        for v in variants:
            p50, p90, p99 = p[(bench, v)]
            out.append(f"| {v} | {p50:,.0f} | {p90:,.0f} | {p99:,.0f} | {p50 - bare50:,.0f} | "
                       f"{p50 / bare50:.3f} |")
    c = {v: p[("CallBenchmark", v)][0] for v in variants}
    l = {v: p[("LoopbackBenchmark", v)][0] for v in variants}
    llm50, mm50 = c["llmPulse"] - c["bare"], c["micrometerObservation"] - c["bare"]
    out.append("\n**Targets on medians**\n")
    out.append("| target | measured (p50) | verdict |")
    out.append("|---|---|---|")
    out.append(f"| in-process overhead ≤ Micrometer's (observation interceptor) | "
               f"{llm50:,.0f} ns vs {mm50:,.0f} ns ({llm50 / mm50:.2f}×) | {verdict(llm50 <= mm50)} |")
    lbl, lbm = l["llmPulse"] - l["bare"], l["micrometerListener"] - l["bare"]
    out.append(f"| loopback overhead ≤ Micrometer's (event listener) | "
               f"{lbl:,.0f} ns vs {lbm:,.0f} ns | {verdict(lbl <= lbm)} |")
    lr = l["llmPulse"] / l["bare"]
    out.append(f"| loopback call time ≤ 1.03× bare | {lr:.3f}× | {verdict(lr <= 1.03)} |")

print("\n".join(out))
