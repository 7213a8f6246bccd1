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

# The lines that head a report: the machine, its load (a busy machine gives noisy figures),
# and the file system of the temporary directory $1, then $2 (the peers' versions), if any.
describe_machine() {
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "  machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(uname -r)"
  echo "  load average $load$(awk -v l="$load" 'BEGIN { if (l > 0.5) print " -- the machine is busy: figures will be noisy" }')"
  echo "  temp dir: $1 on $(df -PT "$1" | awk 'NR == 2 { print $2 }')${2:+; $2}"
}

# A fresh redis-server in directory $1, on a unix socket only. Redis is the peer as it
# is commonly run durable: AOF on, fsync once a second.
# Sets REDIS_SOCK and REDIS_PID; needs die().
REDIS_SOCK=
REDIS_PID=
redis_start() {
  local dir=$1 i
  rm -rf "$dir" && mkdir -p "$dir"
  REDIS_SOCK=$dir/redis.sock
  redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 --dir "$dir" \
    --appendonly yes --appendfsync everysec --save '' --protected-mode yes \
    --logfile "$dir/redis.log" --daemonize no &
  REDIS_PID=$!
  for i in {1..200}; do
    [[ $(redis-cli -s "$REDIS_SOCK" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.05
  done
  die "redis-server did not start (log: $dir/redis.log)"
}
redis_stop() {
  [[ -n $REDIS_PID ]] || return 0
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=
}
