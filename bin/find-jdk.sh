# Sourced by the scripts that start a JVM: finds a JDK >= 21 without relying on the default java
# (17 on these machines). Usage: . bin/find-jdk.sh; JDK="$(find_jdk)" || exit 2
# shellcheck shell=bash
MIN_JAVA=21

# Prints the feature version (21 for 21.0.4, 8 for 1.8.0_412) from a JDK's release file, or 0.
java_feature_version() {
  local release="$1/release" version
  [[ -r "$release" ]] || { echo 0; return; }
  version="$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$release" | head -n 1)"
  version="${version#1.}"          # 1.8.0 -> 8.0
  version="${version%%[._+-]*}"    # 21.0.4 -> 21
  [[ "$version" =~ ^[0-9]+$ ]] && echo "$version" || echo 0
}

# JAVA_HOME if it is new enough, else the newest JDK >= 21 under /usr/lib/jvm (the default java is 17).
find_jdk() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && "$(java_feature_version "$JAVA_HOME")" -ge $MIN_JAVA ]]; then
    echo "$JAVA_HOME"
    return
  fi
  local best="" best_version=0 home version
  for home in /usr/lib/jvm/*; do
    [[ -x "$home/bin/java" ]] || continue
    version="$(java_feature_version "$home")"
    if (( version >= MIN_JAVA && version > best_version )); then
      best="$home"
      best_version=$version
    fi
  done
  [[ -n "$best" ]] && echo "$best"
}

