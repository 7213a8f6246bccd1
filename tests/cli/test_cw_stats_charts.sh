#!/usr/bin/env bash
# Behaviour: cw-stats draws what the store recorded. A known workload at known minutes
# (MILLRACE_NOW): records put into two streams, read by groups, handed to a function, archived,
# written to a table. Then, through a pseudo-terminal, --plot is a chart of the terminal's size
# whose every point is the dot the data puts there, whose drawn columns are those of the data's
# runs, with its value axis, its time labels under their ticks, its title and legend; into a
# pipe it is refused (64). --svg is an XML document whose polylines hold the data. --dashboard
# has the panels of the streams, groups, function, delivery stream and table present, in the
# pipeline's order, on a terminal and as SVG. --watch redraws on the alternate screen and leaves
# the terminal as it was on SIGTERM and SIGINT, with status 0.
source "$(dirname "$0")/common.sh"
cd "$TMP"

PTY=$MILLRACE_SRC/tests/tools/pty_run.py
stats() { "$MILLRACE_BIN/cw-stats" -S "$STORE" "$@"; }
# on_pty CAPTURE [pty_run options] -- CMD...: CMD with stdout and stderr on a 100x30 terminal.
on_pty() {
  local capture=$1
  shift
  /usr/bin/python3 "$PTY" --capture "$capture" --columns 100 --rows 30 --stdout-pty "$@"
}
export TERM=xterm NO_COLOR=1

# ---- the workload ------------------------------------------------------------------------------
# Records per minute after 10:00 (minute:count), put by one ks-put each at 30 seconds past.
# rides: a run of six minutes, a gap of two, a run of two; taxis: a run of three and a lone one.
RIDES="0:10 1:20 2:30 3:40 4:50 5:60 8:25 9:15"
TAXIS="1:5 2:35 3:12 9:8"
shard create rides --shards 2 >/dev/null
shard create taxis --shards 1 >/dev/null
records() { awk -v n="$1" -v p="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"%s%d\"}\n", p, i }'; }
for stream in rides taxis; do
  spec=RIDES
  [[ $stream == taxis ]] && spec=TAXIS
  for pair in ${!spec}; do
    minute=${pair%:*} count=${pair#*:}
    records "$count" "$stream$minute-" | MILLRACE_NOW=$(printf '2026-11-23T10:%02d:30Z' "$minute") put -s "$stream" -k id ||
      fail "ks-put $stream at minute $minute"
  done
done
export MILLRACE_NOW=2026-11-23T10:09:50Z
consume -s rides -g readers >/dev/null || fail "ks-consume -g readers"
consume -s taxis -g fn --exec 'cat >/dev/null' >/dev/null || fail "ks-consume --exec"
"$MILLRACE_BIN/fh-archive" -S "$STORE" -s rides -g archive -d "$TMP/bucket" -q || fail "fh-archive"
records 20 k | kvput -t items -k id --create -q || fail "kv-put"
export MILLRACE_NOW=2026-11-23T10:10:30Z
RANGE=(--since 2026-11-23T10:00:00Z --until 2026-11-23T10:10:00Z)

# The data as JSON, from the workload's own description: [[label, [[epoch_ms, value], ...]], ...]
data_json() {
  local first=1
  printf '['
  for stream in "$@"; do
    spec=RIDES
    [[ $stream == taxis ]] && spec=TAXIS
    ((first)) || printf ','
    first=0
    printf '["StreamName=%s",[' "$stream"
    printf '%s\n' ${!spec} | awk -F: 'BEGIN { t0 = 1795428000000 } { printf "%s[%.0f,%d]", (NR > 1 ? "," : ""), t0 + $1 * 60000, $2 }'
    printf ']]'
  done
  printf ']\n'
}
data_json rides taxis >data.json
# 2026-11-23T10:00:00Z is 1795428000000 ms after the epoch.
[[ $(date -u -d @1795428000 +%FT%TZ) == 2026-11-23T10:00:00Z ]] || fail "the epoch of 10:00 is wrong"

cat >check.py <<'PY'
import json, math, re, sys
import xml.etree.ElementTree as ET

T0, T1, PERIOD = 1795428000000, 1795428600000, 60000

def runs(points):
    """Maximal runs of points at most one period apart, as the chart joins them."""
    out = []
    for t, v in points:
        if out and t - out[-1][-1][0] <= PERIOD:
            out[-1].append((t, v))
        else:
            out.append([(t, v)])
    return out

def half_up(x):
    return math.floor(x + 0.5)

def fail(message):
    sys.exit(f"FAIL: {message}")

def screen_lines(path):
    text = open(path, "rb").read().decode()
    return text.replace("\r\n", "\n").rstrip("\n").split("\n")

# Braille: dot (x, y) of a cell, x 0..1 and y 0..3, is this bit of code point - U+2800.
BRAILLE_BIT = {(0, 0): 0, (0, 1): 1, (0, 2): 2, (1, 0): 3, (1, 1): 4, (1, 2): 5, (0, 3): 6, (1, 3): 7}

def check_plot(path, data_path, columns, rows):
    data, columns, rows = json.load(open(data_path)), int(columns), int(rows)
    lines = screen_lines(path)
    if len(lines) != rows - 1:
        fail(f"--plot drew {len(lines)} rows, not the terminal's {rows} less one")
    for line in lines:
        if len(line) != columns:
            fail(f"--plot line of {len(line)} columns, not {columns}: {line!r}")
    if lines[0].rstrip() != "AWS/Kinesis IncomingRecords Sum per minute":
        fail(f"title: {lines[0]!r}")
    axis = next(i for i, line in enumerate(lines) if "└" in line)
    label_width = lines[axis].index("└")
    plot_columns = columns - label_width - 1
    plot = [line[label_width + 1:] for line in lines[1:axis]]
    # The value axis: numbers from 0, evenly spaced by 1, 2 or 5 times a power of ten, the
    # top one the first such multiple at or above the greatest value.
    ticks = [(r, float(line[:label_width])) for r, line in enumerate(lines[1:axis]) if line[label_width] == "┤"]
    values = [v for _, points in data for _, v in points]
    low, high = ticks[-1][1], ticks[0][1]
    if ticks[0][0] != 0 or ticks[-1][0] != len(plot) - 1 or low != 0:
        fail(f"value axis from {low} on its last row to {high} on its first: {ticks}")
    steps = {round(b[1] - a[1], 9) for a, b in zip(ticks[1:], ticks)}
    step = steps.pop() if len(steps) == 1 else fail(f"uneven value ticks {ticks}")
    mantissa = step / 10 ** math.floor(math.log10(step))
    if round(mantissa, 9) not in (1, 2, 5) or not (high >= max(values) > high - step):
        fail(f"value axis of step {step} up to {high} for values up to {max(values)}")
    X, Y = plot_columns * 2, len(plot) * 4
    x_of = lambda t: half_up((t - T0) * (X - 1) / (T1 - T0))
    y_of = lambda v: half_up((high - v) * (Y - 1) / (high - low))
    def dot(x, y):
        cell = plot[y // 4][x // 2]
        return cell != " " and (ord(cell) - 0x2800) >> BRAILLE_BIT[(x % 2, y % 4)] & 1
    expected_columns = set()
    for label, points in data:
        for t, v in points:
            if not dot(x_of(t), y_of(v)):
                fail(f"{label}: no dot at ({x_of(t)}, {y_of(v)}) for {v} at {t}")
        for run in runs(points):
            expected_columns |= set(range(x_of(run[0][0]) // 2, x_of(run[-1][0]) // 2 + 1))
    drawn = {c for row in plot for c, cell in enumerate(row) if cell != " "}
    if drawn != expected_columns:
        fail(f"columns drawn {sorted(drawn)}, the data's {sorted(expected_columns)}")
    # Time labels: HH:MM of a round minute, each centred under its tick at the time's column.
    labels = [(m.start(), m.group()) for m in re.finditer(r"\d\d:\d\d", lines[axis + 1])]
    if len(labels) < 3:
        fail(f"time labels: {lines[axis + 1]!r}")
    for at, text in labels:
        hours, minutes = map(int, text.split(":"))
        t = T0 + ((hours - 10) * 60 + minutes) * 60000
        column = label_width + 1 + x_of(t) // 2
        if lines[axis][column] != "┬" or at != column - len(text) // 2:
            fail(f"time label {text} at {at}, its tick at {column}: {lines[axis]!r}")
    legend = " ".join(lines[axis + 2:])
    for label, _ in data:
        if f"━━ {label}" not in legend:
            fail(f"no legend of {label}: {legend!r}")
    print(f"plot ok: {len(drawn)} columns of {plot_columns}, value axis 0..{high:g} by {step:g}")

SVG = {"s": "http://www.w3.org/2000/svg"}

def check_svg_chart(element, data, title):
    """The chart drawn in `element` (the document, or a dashboard's panel) holds `data`."""
    if element.find("s:title", SVG).text != title:
        fail(f"SVG title {element.find('s:title', SVG).text!r}, not {title!r}")
    plot = element.find("s:rect[@class='plot']", SVG)
    px, py, pw, ph = (float(plot.get(k)) for k in ("x", "y", "width", "height"))
    labels = [float(t.text) for t in element.findall("s:g[@class='value-axis']/s:text", SVG)]
    low, high = labels[0], labels[-1]
    values = [v for _, points in data for _, v in points]
    if low != 0 or not high >= max(values):
        fail(f"SVG value axis {labels} for values up to {max(values)}")
    place = lambda t, v: (px + (t - T0) * pw / (T1 - T0), py + (high - v) * ph / (high - low))
    for index, (label, points) in enumerate(data):
        lines = element.findall(f"s:polyline[@data-series='{index}']", SVG)
        dots = element.findall(f"s:circle[@data-series='{index}']", SVG)
        expected = runs(points)
        if len(lines) != sum(len(r) > 1 for r in expected) or len(dots) != sum(len(r) == 1 for r in expected):
            fail(f"{label}: {len(lines)} polylines and {len(dots)} circles for runs {expected}")
        drawn = iter(lines)
        for run in (r for r in expected if len(r) > 1):
            points_drawn = [tuple(map(float, p.split(","))) for p in next(drawn).get("points").split()]
            if len(points_drawn) != len(run):
                fail(f"{label}: {points_drawn} for {run}")
            for (x, y), (t, v) in zip(points_drawn, run):
                ex, ey = place(t, v)
                if abs(x - ex) > 0.006 or abs(y - ey) > 0.006:
                    fail(f"{label}: point ({x}, {y}) for {v} at {t}, not ({ex:.2f}, {ey:.2f})")
        for circle, run in zip(dots, (r for r in expected if len(r) == 1)):
            ex, ey = place(*run[0])
            if abs(float(circle.get("cx")) - ex) > 0.006 or abs(float(circle.get("cy")) - ey) > 0.006:
                fail(f"{label}: lone point at {circle.get('cx')},{circle.get('cy')}, not {ex:.2f},{ey:.2f}")

def check_svg(path, data_path):
    data = json.load(open(data_path))
    root = ET.parse(path).getroot()  # raises on anything that is not well-formed XML
    check_svg_chart(root, data, "AWS/Kinesis IncomingRecords Sum per minute")
    legend = [t.text for t in root.findall("s:g[@class='legend']/s:text", SVG)]
    if legend != [label for label, _ in data]:
        fail(f"SVG legend {legend}")
    print("svg ok:", len(root.findall("s:polyline", SVG)), "polylines")

def check_dashboard_svg(path, titles_path, data_path):
    titles = open(titles_path).read().splitlines()
    root = ET.parse(path).getroot()
    panels = root.findall("s:svg[@class='panel']", SVG)
    found = [p.find("s:title", SVG).text for p in panels]
    if found != titles:
        fail(f"SVG dashboard panels {found}, not {titles}")
    # The stream's panel holds its records per minute, on the query's range.
    data = [d for d in json.load(open(data_path)) if d[0] == "StreamName=rides"]
    check_svg_chart(panels[titles.index("rides: incoming records")], data, "rides: incoming records")
    print("dashboard svg ok:", len(panels), "panels")

def check_dashboard(path, titles_path):
    titles = open(titles_path).read().splitlines()
    kinds = "incoming records|iterator age, max|errors|duration, average|delivered to S3|write capacity"
    found = []
    for row, line in enumerate(screen_lines(path)):
        for m in re.finditer(rf"([A-Za-z0-9_./-]+): ({kinds})", line):
            found.append((row, m.start(), m.group()))
    # Pipeline order: left to right, then down.
    found.sort()
    if [f[2] for f in found] != titles:
        fail(f"dashboard panels {[f[2] for f in found]}, not {titles}")
    print("dashboard ok:", len(found), "panels")

def check_watch(path, marker, frames_wanted):
    captured = open(path, "rb").read()
    enter, leave = b"\x1b[?1049h\x1b[?25l", b"\x1b[?25h\x1b[?1049l"
    if not captured.startswith(enter) or captured.count(enter) != 1:
        fail("--watch did not take the alternate screen once, first")
    if not captured.endswith(leave) or captured.count(leave) != 1:
        fail(f"--watch did not leave the terminal as it was: ends {captured[-40:]!r}")
    frames = captured[len(enter):-len(leave)].split(b"\x1b[H")[1:]
    if len(frames) < int(frames_wanted):
        fail(f"--watch drew {len(frames)} frames")
    for frame in frames:
        if marker.encode() not in frame:
            fail(f"a frame without {marker!r}: {frame[:200]!r}")
    print(f"watch ok: {len(frames)} frames")

globals()["check_" + sys.argv[1]](*sys.argv[2:])
PY
check() { /usr/bin/python3 check.py "$@" || fail "$1"; }

# ---- --plot -------------------------------------------------------------------------------------
on_pty plot.tty -- "$MILLRACE_BIN/cw-stats" -S "$STORE" --metric IncomingRecords --dimension StreamName "${RANGE[@]}" \
  --plot || fail "cw-stats --plot on a terminal: $(cat plot.tty)"
check plot plot.tty data.json 100 30

expect_status 64 "--plot into a pipe" bash -o pipefail -c "'$MILLRACE_BIN/cw-stats' -S '$STORE' --metric IncomingRecords --plot 2>plot.err | cat >plot.out"
grep -q "cw-stats: --plot: standard output is not a terminal" plot.err || fail "--plot into a pipe: $(cat plot.err)"
[[ ! -s plot.out ]] || fail "--plot drew into a pipe"
expect_status 64 "--plot into a file" stats --metric IncomingRecords --plot >plot.out
expect_status 64 "--plot with --json" stats --plot --json
expect_status 66 "--plot of no metric" on_pty none.tty -- "$MILLRACE_BIN/cw-stats" -S "$STORE" --metric NoSuchMetric --plot

# ---- --svg ---------------------------------------------------------------------------------------
stats --metric IncomingRecords --dimension StreamName "${RANGE[@]}" --svg chart.svg || fail "cw-stats --svg"
check svg chart.svg data.json
stats --metric IncomingRecords --dimension StreamName "${RANGE[@]}" --svg - >stdout.svg || fail "cw-stats --svg -"
check svg stdout.svg data.json
expect_status 73 "--svg into a missing directory" stats --metric IncomingRecords --svg "$TMP/no/such/dir/x.svg"

# ---- --dashboard ---------------------------------------------------------------------------------
# The panels the workload makes: per stream its records, and the iterator age of the groups that
# read it (readers and archive read rides, fn reads taxis); the function fn's errors and
# duration; fh-archive's delivery stream, bucket/archive; the table items.
printf '%s\n' "rides: incoming records" "rides: iterator age, max" "taxis: incoming records" "taxis: iterator age, max" \
  "fn: errors" "fn: duration, average" "bucket/archive: delivered to S3" "items: write capacity" >titles
on_pty dashboard.tty -- "$MILLRACE_BIN/cw-stats" -S "$STORE" --dashboard "${RANGE[@]}" ||
  fail "cw-stats --dashboard: $(cat dashboard.tty)"
check dashboard dashboard.tty titles
stats --dashboard "${RANGE[@]}" --svg dashboard.svg || fail "cw-stats --dashboard --svg"
check dashboard_svg dashboard.svg titles data.json
expect_status 64 "--dashboard into a pipe" bash -o pipefail -c "'$MILLRACE_BIN/cw-stats' -S '$STORE' --dashboard | cat"
expect_status 64 "--dashboard with --metric" stats --dashboard --metric IncomingRecords --svg x.svg
"$MILLRACE_BIN/ks-shard" -S "$TMP/empty" create quiet >/dev/null
expect_status 66 "--dashboard of a store without metrics" "$MILLRACE_BIN/cw-stats" -S "$TMP/empty" --dashboard --svg x.svg

# ---- --watch -------------------------------------------------------------------------------------
# Two seconds before a 5-second tick of the clock: the first frame at once, the second at the
# tick; then SIGTERM (the chart), SIGINT (the table).
export MILLRACE_NOW=2026-11-23T10:10:58Z
on_pty watch.tty --signal-when $'\x1b[H' --count 2 --signal TERM --timeout 9 -- \
  "$MILLRACE_BIN/cw-stats" -S "$STORE" --metric IncomingRecords --dimension StreamName --since 15m --plot --watch ||
  fail "cw-stats --plot --watch ended with $?"
check watch watch.tty "AWS/Kinesis IncomingRecords Sum per minute" 2
on_pty table.tty --signal-when $'\x1b[H' --count 2 --signal INT --timeout 9 -- \
  "$MILLRACE_BIN/cw-stats" -S "$STORE" --metric IncomingRecords --dimension StreamName=rides --since 15m --watch ||
  fail "cw-stats --watch (the table) ended with $?"
check watch table.tty "IncomingRecords StreamName=rides (Sum Count)" 2
expect_status 64 "--watch into a pipe" bash -o pipefail -c "'$MILLRACE_BIN/cw-stats' -S '$STORE' --metric IncomingRecords --watch | cat"
expect_status 64 "--watch with --until" stats --plot --watch --until 2026-11-23T10:10:00Z
expect_status 64 "--watch with --svg" stats --watch --svg x.svg
note "ok"
