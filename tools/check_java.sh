#!/usr/bin/env bash
# Spark 4 needs Java 17 or newer; say so plainly instead of letting the JVM gateway die.
set -euo pipefail
if ! command -v java >/dev/null 2>&1; then
  echo "error: no 'java' on PATH. Spark 4 needs Java 17+: install OpenJDK 17 (apt-get install openjdk-17-jre-headless) or set JAVA_HOME and PATH." >&2
  exit 1
fi
version=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
major=${version%%.*}
[[ $major == 1 ]] && major=$(echo "$version" | cut -d. -f2)
if [[ -z $major || $major -lt 17 ]]; then
  echo "error: java $version found at $(command -v java); Spark 4 needs Java 17+. Point JAVA_HOME/PATH at a JDK 17 or newer." >&2
  exit 1
fi
echo "java $version ok"
