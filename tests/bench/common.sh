# Helpers shared by the benchmark scripts: timing, medians, rates and ratios.
# shellcheck shell=bash

# Runs "$@" and sets ELAPSED to its wall time in seconds.
ELAPSED=
timed() {
  local t0=$EPOCHREALTIME
  "$@"
  local t1=$EPOCHREALTIME
  ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }  # records/s
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
human_rate() { awk -v r="$1" 'BEGIN { if (r >= 1e6) printf "%.2fM rec/s", r / 1e6; else printf "%.0fk rec/s", r / 1e3 }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }  # KiB → MiB
