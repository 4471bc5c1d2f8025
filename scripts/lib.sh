# Shared by the scripts: find a JDK >= 25 and the project root. Source it, don't run it.
VCONV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_jdk25() {
  local cand v
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$cand" ] && [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    v=$(java_major "$cand/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$cand"; return 0; fi
  done
  return 1
}

if ! VCONV_JDK=$(find_jdk25); then
  echo "vconv: needs a JDK >= 25 (set JAVA_HOME, or install one under /usr/lib/jvm); found none" >&2
  exit 2
fi
export JAVA_HOME="$VCONV_JDK"
# Maven 3.8's injector uses sun.misc.Unsafe, which JDK 25 warns about; only JDK 25 knows the
# option that allows it, so it is set here rather than in .mvn/jvm.config (plain mvn on an
# older default JDK must reach the enforcer's message)
export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow${MAVEN_OPTS:+ $MAVEN_OPTS}"
VCONV_JAVA="$JAVA_HOME/bin/java"
