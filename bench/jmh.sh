#!/usr/bin/env bash
# JMH micro-benchmarks of the gateway's hot-path pieces (token counting, pricing).
# Usage: bench/jmh.sh [JMH options...]      e.g. bench/jmh.sh -f 1 -wi 2 -i 3 PricingBenchmark.countSmall
# With no options: the defaults in the benchmark class (1 fork, 3 x 1 s warm-up, 5 x 1 s measurement).
# Output: the JMH table on stdout and in bench/results/jmh-latest.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
echo "building bench (./mvnw -q -Pbench -pl bench -am -DskipTests package)..." >&2
./mvnw -q -Pbench -pl bench -am -DskipTests package
mkdir -p bench/results
out="bench/results/jmh-latest.txt"
{
  echo "# JMH $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "# nproc=$(nproc), cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $("$JAVA" -version 2>&1 | head -1)"
  echo "# command: bench/jmh.sh $*"
} > "$out"
"$JAVA" -cp "bench/target/benchmarks.jar:bench/target/lib/*" org.openjdk.jmh.Main "$@" 2>&1 | tee -a "$out"
echo "written: $out" >&2
