#!/usr/bin/env bash
# Runs every LLM Pulse benchmark in one go (~25 min on 2 cores) and prints the ratio table.
# Usage: benchmarks/run.sh [build-dir]   (default: benchmarks/target; build it first with
#   mvn -q -pl benchmarks -am package -DskipTests)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/${1:-target}"
jar="$out/benchmarks.jar"
results="$out/results"
mkdir -p "$results"
{
  date -u
  echo "nproc: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo
  java -version 2>&1 | head -1
  echo "uptime before: $(uptime)"
} | tee "$results/machine.txt"

# JMH: all four families, two forks each, with the GC profiler for B/op.
java -jar "$jar" 'CallBenchmark|LoopbackBenchmark|StreamBenchmark|ScalingBenchmark' \
  -f 2 -wi 5 -w 2s -i 4 -r 2s -prof gc \
  -rf json -rff "$results/jmh.json" -o "$results/jmh.log"
echo "uptime after JMH: $(uptime)" | tee -a "$results/machine.txt"

# The non-streaming calls again in sample mode: per-call percentiles, robust to slow phases.
java -jar "$jar" 'CallBenchmark|LoopbackBenchmark' -bm sample -tu ns \
  -f 2 -wi 5 -w 2s -i 4 -r 2s \
  -rf json -rff "$results/jmh-sample.json" -o "$results/jmh-sample.log"
echo "uptime after sampling: $(uptime)" | tee -a "$results/machine.txt"

# Memory: a 1 GiB SSE stream through LLM Pulse in a 64 MiB heap.
java -Xmx64m -cp "$jar" dev.llmpulse.benchmarks.MemoryCheck 1 | tee "$results/memory.txt"
echo "uptime after memory: $(uptime)" | tee -a "$results/machine.txt"

python3 "$here/report.py" "$results/jmh.json" "$results/jmh-sample.json" | tee "$results/table.md"
