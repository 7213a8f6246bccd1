#!/usr/bin/env bash
# An SVG chart is a well-formed XML document whose polylines hold the data, mapped to its plot
# area: one polyline per contiguous run (CloudWatch's gaps break the line), escaped labels.
source "$(dirname "$0")/common.sh"

cat >"$TMP/series.json" <<'JSON'
{"series":[
 {"label":"rides <&> \"quoted\"","unit":"Count","period_ms":60000,
  "points":[[1773532800000,10],[1773532860000,40],[1773532920000,100],[1773532980000,null],
            [1773533040000,70],[1773533100000,55],[1773533280000,20],[1773533340000,0]]},
 {"label":"taxis","unit":"Count","period_ms":60000,
  "points":[[1773532800000,5],[1773533340000,25]]}
]}
JSON
"$MILLRACE_BIN/chart_render" --svg --width 640 --height 360 --title 'rides & taxis' \
  <"$TMP/series.json" >"$TMP/chart.svg"

/usr/bin/python3 - "$TMP/series.json" "$TMP/chart.svg" <<'PY'
import json, math, sys
import xml.etree.ElementTree as ET

series = json.load(open(sys.argv[1]))["series"]
root = ET.parse(sys.argv[2]).getroot()  # raises on anything that is not well-formed XML
ns = {"s": "http://www.w3.org/2000/svg"}
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag

plot = root.find("s:rect[@class='plot']", ns)
px, py, pw, ph = (float(plot.get(k)) for k in ("x", "y", "width", "height"))
# The time range is the data's; the values (0 to 100, all counts) make an axis from 0 to 100:
# every nice step (1, 2 or 5 times a power of ten) up to 100 divides 100.
t0 = min(p[0] for s in series for p in s["points"])
t1 = max(p[0] for s in series for p in s["points"])
low, high = 0.0, 100.0
labels = [t.text for t in root.findall("s:g[@class='value-axis']/s:text", ns)]
assert labels[0] == "0" and labels[-1] == "100", labels

def expected_runs(s):
    runs, run, last = [], [], None
    for t, v in s["points"]:
        if v is None or (last is not None and t - last > s["period_ms"]):
            if run: runs.append(run)
            run = []
        if v is not None:
            run.append((t, v))
        last = t if v is not None else None
    if run: runs.append(run)
    return runs

def place(t, v):
    return (px + (t - t0) * pw / (t1 - t0), py + (high - v) * ph / (high - low))

for index, s in enumerate(series):
    lines = root.findall(f"s:polyline[@data-series='{index}']", ns)
    dots = root.findall(f"s:circle[@data-series='{index}']", ns)
    runs = expected_runs(s)
    assert len(lines) == sum(len(r) > 1 for r in runs), (index, len(lines), runs)
    assert len(dots) == sum(len(r) == 1 for r in runs), (index, len(dots))
    drawn = iter(lines)
    for run in (r for r in runs if len(r) > 1):
        points = [tuple(map(float, p.split(","))) for p in next(drawn).get("points").split()]
        assert len(points) == len(run), (points, run)
        for (x, y), (t, v) in zip(points, run):
            ex, ey = place(t, v)
            assert abs(x - ex) <= 0.006 and abs(y - ey) <= 0.006, ((x, y), (ex, ey))
            assert px - 0.01 <= x <= px + pw + 0.01 and py - 0.01 <= y <= py + ph + 0.01

legend = [t.text for t in root.findall("s:g[@class='legend']/s:text", ns)]
assert legend == ['rides <&> "quoted"', "taxis"], legend
assert root.find("s:title", ns).text == "rides & taxis"
times = [t.text for t in root.findall("s:g[@class='time-axis']/s:text", ns)]
assert "00:00" in times, times   # 1773532800000 is 2026-03-15T00:00:00Z
print("svg ok:", len(root.findall("s:polyline", ns)), "polylines")
PY
