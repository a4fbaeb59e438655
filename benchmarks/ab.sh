#!/bin/sh
# The response scanner of <base> (a commit) against the working tree's, in one JVM, alternating
# (ScannerAB). From the repository root: benchmarks/ab.sh <base commit>
set -eu
base=${1:?usage: benchmarks/ab.sh <base commit>}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$base" >/dev/null
echo "Building $base and the working tree..."
(cd "$work/base" && mvn -q -B -DbuildDir=target-ab -pl benchmarks -am package -DskipTests)
mvn -q -B -DbuildDir=target-bench -pl benchmarks -am package -DskipTests
java -Xms1g -Xmx1g -cp benchmarks/target-bench/benchmarks.jar dev.llmpulse.benchmarks.ScannerAB \
  "$work/base/benchmarks/target-ab/benchmarks.jar" benchmarks/target-bench/benchmarks.jar
