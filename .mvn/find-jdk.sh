# Creditgate: sourced by ./mvnw before it starts Maven (POSIX sh).
#
# The build compiles and tests with a JDK 21+ that the maven-toolchains-plugin finds by itself (JAVA_HOME, the PATH,
# /usr/lib/jvm, SDKMAN, ~/.jdks, ...), and Maven itself needs a Java 17+ to run. This script only
#   - says plainly what to install when no JDK 21+ is on this machine, and stops;
#   - points JAVA_HOME at the newest JDK 21+ when the java that would run Maven is missing or older than 17.
# MVNW_SKIP_JDK_CHECK=true turns it off.

cg_major() { # the feature version of the JDK at $1, from its release file ("" when it is no JDK)
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1
}

cg_find_jdk() {
  cg_best="" cg_best_major=0
  cg_path_java="$(command -v java 2>/dev/null || true)"
  cg_path_home=""
  if [ -n "$cg_path_java" ]; then
    cg_path_home="$(dirname "$(dirname "$(readlink -f "$cg_path_java" 2>/dev/null || printf %s "$cg_path_java")")")"
  fi
  set +f
  for cg_home in "${JAVA_HOME-}" "$cg_path_home" /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* "$HOME"/.gradle/jdks/* "$HOME"/.asdf/installs/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home /opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home; do
    [ -n "$cg_home" ] && [ -d "$cg_home" ] || continue
    cg_m="$(cg_major "$cg_home")"
    if [ -n "$cg_m" ] && [ "$cg_m" -ge 21 ] && [ "$cg_m" -gt "$cg_best_major" ]; then
      cg_best="$cg_home" cg_best_major="$cg_m"
    fi
  done
  set -f
  if [ -z "$cg_best" ]; then
    cat >&2 <<'MSG'
Creditgate needs a JDK 21 or newer, and this machine has none (looked at JAVA_HOME, the java on the PATH,
/usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman, ~/.jdks, ~/.gradle/jdks, ~/.asdf and /Library/Java).
Install one, then run the same command again:
  Debian/Ubuntu:  sudo apt-get install openjdk-21-jdk-headless     (or openjdk-25-jdk-headless)
  Fedora/RHEL:    sudo dnf install java-21-openjdk-devel
  macOS:          brew install openjdk@21
  anywhere:       https://adoptium.net (Temurin 21 or 25), or `sdk install java 25-tem` with SDKMAN
MSG
    exit 1
  fi
  cg_runner="${JAVA_HOME:-$cg_path_home}"
  cg_runner_major="$( [ -n "$cg_runner" ] && cg_major "$cg_runner" || true)"
  if [ -z "$cg_runner_major" ] || [ "$cg_runner_major" -lt 17 ]; then
    JAVA_HOME="$cg_best"
    export JAVA_HOME
  fi
}

[ "${MVNW_SKIP_JDK_CHECK-}" = true ] || cg_find_jdk
