#!/usr/bin/env bash
# Resolves the Kafka broker's jars from Maven Central into OUTDIR/libs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../versions.sh"
OUT=${1:?usage: build.sh OUTDIR}
mkdir -p "$OUT"
echo "testenv: resolving Kafka $KAFKA_VERSION jars"
mvn -B -q -f "$HERE/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DoutputDirectory="$OUT/libs" -DincludeScope=runtime
ls "$OUT/libs" | grep -q "kafka_2.13-$KAFKA_VERSION.jar"
