# Sourced by the scripts that build from Go modules with GOTOOLCHAIN=local: stop at once, before any download,
# when the local Go is older than what the pinned module's go.mod asks, rather than after minutes of downloads.
# Usage: go_at_least 1.26.7 "Prometheus v0.316.0"
go_at_least() {
  local have
  have="$(go env GOVERSION 2>/dev/null)"
  have="${have#go}"
  have="${have%%[!0-9.]*}" # go1.27rc1 -> 1.27
  if [ -z "$have" ] || [ "$(printf '%s\n%s\n' "$1" "$have" | sort -V | head -n1)" != "$1" ]; then
    echo "$2 needs Go $1 or later (its go.mod; the builds use the local toolchain, GOTOOLCHAIN=local);" \
      "this machine has ${have:-no Go}. README.md, \"The two commands\", says which Go to install." >&2
    exit 1
  fi
}
