#!/usr/bin/env python3
"""Helpers for scripts/bench and scripts/compare-pytorch (stdlib only).

  layers SUITE [--only a,b]       check a suite CSV, print its layer names comma-separated
  kind SUITE                      the JMH benchmark class for the suite's format
  peak JMH_JSON                   best throughput iteration of a peak benchmark, in GFLOP/s
  report --simd J… [--scalar J…] … JMH results (one or more files each) -> table on stdout,
                                  --json, --tsv (for ChartWriter)
  compare VCONV_JSON TORCH_JSON … vconv vs PyTorch table, geometric means, the ratios'
                                  distribution, whole-network sums (--suite), --json
  busy                            % of CPU time others used over the next second (Linux)
"""
import argparse
import csv
import json
import math
import sys

HEADER = "name,n,c,h,w,k,r,s,stride,pad,dilation,groups".split(",")
ND_HEADER = "name,op,n,c,k,in,kernel,stride,pad,dilation,groups,output_padding,mode".split(",")
MODES = ("zeros", "reflect", "replicate", "circular")
PASSES = ["fwd", "bwd_data", "bwd_weight"]


def die(msg):
    print(f"bench_report: {msg}", file=sys.stderr)
    sys.exit(2)


def axes(field):
    """A suite field: one value for both axes, or HxW."""
    parts = field.strip().split("x")
    if len(parts) > 2:
        raise ValueError(field)
    h = int(parts[0])
    return (h, int(parts[1]) if len(parts) == 2 else h)


def nd_field(key, text, rank):
    """A field of an N-d suite row: per-axis lists (one value broadcast), pads as (before,
    after) per axis from P or B:A, or 'same'."""
    t = text.strip()
    if key in ("op", "mode"):
        return t
    if key in ("n", "c", "k", "groups", "count"):
        return int(t)
    if key == "pad" and t == "same":
        return "same"
    parts = t.split("x")
    if len(parts) == 1 and rank:
        parts *= rank
    if key == "pad":
        return [tuple(int(v) for v in (p.split(":") * 2)[:2]) if ":" in p else (int(p), int(p))
                for p in parts]
    return [int(v) for v in parts]


def read_suite(path):
    """Rows of a suite CSV as dicts. 2-D suites (HEADER): ints, (H, W) pairs for stride, pad
    and dilation. N-d suites (ND_HEADER, rows marked "nd"): op conv or tconv, per-axis lists
    (the rank is the number of axes of 'in'), pads as (before, after) pairs or 'same', output
    padding and padding mode. Both take an optional count column (how many convolutions of
    the network share the row; 1 without it)."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        die(f"cannot read suite {path}: {e.strerror}")
    rows = [r for r in rows if r and any(x.strip() for x in r)]
    header = [x.strip() for x in rows[0]] if rows else []
    nd = header in (ND_HEADER, ND_HEADER + ["count"])
    if not nd and header not in (HEADER, HEADER + ["count"]):
        die(f"{path}: header must be {','.join(HEADER)} or {','.join(ND_HEADER)} (optionally"
            " followed by ,count)")
    layers = []
    for r in rows[1:]:
        if len(r) != len(header):
            die(f"{path}: expected {len(header)} columns: {','.join(r)}")
        try:
            if nd:
                rank = len(r[header.index("in")].split("x"))
                v = {k: nd_field(k, x, rank) for k, x in zip(header[1:], r[1:])}
                v["nd"], v["rank"] = True, rank
                if v["op"] not in ("conv", "tconv") or v["mode"] not in MODES:
                    raise ValueError(r)
            else:
                v = {k: (axes(x) if k in PAIRS else int(x)) for k, x in zip(header[1:], r[1:])}
        except ValueError:
            die(f"{path}: a field is malformed: {','.join(r)}")
        v.setdefault("count", 1)
        v["name"] = r[0].strip()
        if not v["name"] or any(ch in v["name"] for ch in " ,="):
            die(f"{path}: layer names must be non-empty without spaces, commas or '=': {r[0]!r}")
        layers.append(v)
    if not layers:
        die(f"{path}: no layers")
    names = [l["name"] for l in layers]
    if len(set(names)) != len(names):
        die(f"{path}: duplicate layer names")
    return layers


PAIRS = ("stride", "pad", "dilation")


def out_size(l):
    """(P, Q) of a suite row."""
    (sh, sw), (ph, pw), (dh, dw) = l["stride"], l["pad"], l["dilation"]
    return ((l["h"] + 2 * ph - dh * (l["r"] - 1) - 1) // sh + 1,
            (l["w"] + 2 * pw - dw * (l["s"] - 1) - 1) // sw + 1)


def nd_pads(l):
    """An N-d row's (before, after) pads, 'same' resolved."""
    if l["pad"] != "same":
        return l["pad"]
    pads = []
    for i in range(l["rank"]):
        s, k, d, n = l["stride"][i], l["kernel"][i], l["dilation"][i], l["in"][i]
        total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def nd_out(l):
    """An N-d row's output extents."""
    out = []
    for i, (b, a) in enumerate(nd_pads(l)):
        n, k, s, d = l["in"][i], l["kernel"][i], l["stride"][i], l["dilation"][i]
        if l["op"] == "tconv":
            out.append((n - 1) * s - b - a + (k - 1) * d + 1 + l["output_padding"][i])
        else:
            out.append((n + b + a - (k - 1) * d - 1) // s + 1)
    return out


def flops(l, n=None):
    """2*N*K*P*Q*(C/G)*R*S, the same for all three passes (PyTorch/oneDNN convention); for a
    transposed row, the count of the plain convolution whose passes it runs."""
    if l.get("nd"):
        taps = math.prod(l["kernel"])
        if l["op"] == "tconv":
            return 2.0 * (n or l["n"]) * l["c"] * math.prod(l["in"]) * (l["k"] // l["groups"]) * taps
        return 2.0 * (n or l["n"]) * l["k"] * math.prod(nd_out(l)) * (l["c"] // l["groups"]) * taps
    p, q = out_size(l)
    return 2.0 * (n or l["n"]) * l["k"] * p * q * (l["c"] // l["groups"]) * l["r"] * l["s"]


def cmd_kind(a):
    """The JMH benchmark class that runs the suite's rows."""
    print("ConvNdLayerBenchmark" if read_suite(a.suite)[0].get("nd") else "ConvLayerBenchmark")


def cmd_layers(a):
    layers = read_suite(a.suite)
    names = [l["name"] for l in layers]
    if a.only:
        wanted = a.only.split(",")
        missing = [w for w in wanted if w not in names]
        if missing:
            die(f"not in {a.suite}: {','.join(missing)} (it has {','.join(names)})")
        names = [n for n in names if n in wanted]
    print(",".join(names))


# JMH throughput units -> factor to GFLOP/s when one op is one flop
TO_GFLOPS = {"ops/ns": 1.0, "ops/us": 1e-3, "ops/ms": 1e-6, "ops/s": 1e-9}


def cmd_peak(a):
    with open(a.jmh_json) as f:
        results = json.load(f)
    best = 0.0
    for r in results:
        m = r["primaryMetric"]
        if m["scoreUnit"] not in TO_GFLOPS:
            die(f"{r['benchmark']}: unit {m['scoreUnit']} is not a throughput (ops/time)")
        # the best iteration: on a shared machine noise only ever lowers throughput
        scores = [s for fork in m.get("rawData", [[m["score"]]]) for s in fork]
        best = max(best, max(scores) * TO_GFLOPS[m["scoreUnit"]])
    if best <= 0:
        die(f"{a.jmh_json}: no peak result")
    print(f"{best:.1f}")


def jmh_medians(paths):
    """{(layer, pass): {ms, n, samples, threads}} from ConvLayerBenchmark JMH JSON files."""
    out = {}
    for path in paths:
        jmh_medians_into(out, path)
    return out


def jmh_medians_into(out, path):
    with open(path) as f:
        results = json.load(f)
    for r in results:
        m, p = r["primaryMetric"], r["params"]
        unit = m["scoreUnit"]
        if unit != "ms/op":
            die(f"{path}: expected ms/op, got {unit}")
        pct = m.get("scorePercentiles") or {}
        ms = pct.get("50.0")
        if ms is None:
            die(f"{path}: no median (scorePercentiles) for {p}")
        if "rawDataHistogram" in m:
            samples = sum(c for fork in m["rawDataHistogram"] for it in fork for _, c in it)
        else:
            samples = sum(len(fork) for fork in m["rawData"])
        key = (p["layer"], p["pass"])
        if key in out:
            die(f"{path}: a second result for {key}")
        out[key] = {
            "ms": ms, "samples": samples, "threads": int(p["threads"]),
            "batch_div": int(p.get("batchDiv", "1")), "impl": p["impl"], "mode": r["mode"]}


def fmt(v, spec, none="-"):
    return none if v is None else format(v, spec)


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def cmd_report(a):
    layers = {l["name"]: l for l in read_suite(a.suite)}
    impls = {"simd": jmh_medians(a.simd)}
    if a.scalar:
        impls["scalar"] = jmh_medians(a.scalar)
    rows = []
    for impl, res in impls.items():
        for (name, pss), r in res.items():
            l = layers[name]
            n = max(1, l["n"] // r["batch_div"])
            gf = flops(l, n) / (r["ms"] * 1e6)
            rows.append({"name": name, "pass": pss, "impl": impl, "ms": round(r["ms"], 4),
                         "gflops": round(gf, 2), "n": n, "threads": r["threads"],
                         "samples": r["samples"],
                         "pct_peak": round(100 * gf / a.peak, 1) if a.peak else None,
                         "kernels": a.kernels if impl == "simd" else "scalar"})
    order = {n: i for i, n in enumerate(layers)}
    rows.sort(key=lambda r: (order[r["name"]], PASSES.index(r["pass"]), r["impl"] != "simd"))
    scalar = {(r["name"], r["pass"]): r for r in rows if r["impl"] == "scalar"}
    for r in rows:
        s = scalar.get((r["name"], r["pass"]))
        # GFLOP/s ratio, i.e. the time ratio at equal batch (the quick preset shrinks scalar's)
        r["speedup"] = round(r["gflops"] / s["gflops"], 2) if r["impl"] == "simd" and s else None

    simd = [r for r in rows if r["impl"] == "simd"]
    print(a.title)
    for line in a.note:
        print(line)
    print()
    head = f"{'layer':<16} {'pass':<10} {'ms':>10} {'GFLOP/s':>9} {'%peak':>6} {'scalar GF/s':>11} {'speedup':>8}"
    print(head)
    print("-" * len(head))
    for r in simd:
        s = scalar.get((r["name"], r["pass"]))
        print(f"{r['name']:<16} {r['pass']:<10} {r['ms']:>10.3f} {r['gflops']:>9.1f} "
              f"{fmt(r['pct_peak'], '>6.1f', '     -')} {fmt(s and s['gflops'], '>11.2f', '          -')} "
              f"{fmt(r['speedup'], '>7.1f', '       -')}{'x' if r['speedup'] else ''}")
    print("-" * len(head))
    for pss in PASSES:
        g = geomean([r["gflops"] for r in simd if r["pass"] == pss])
        sp = geomean([r["speedup"] for r in simd if r["pass"] == pss])
        if g:
            print(f"{'geomean':<16} {pss:<10} {'':>10} {g:>9.1f} "
                  f"{fmt(100 * g / a.peak if a.peak else None, '>6.1f', '     -')} {'':>11} "
                  f"{fmt(sp, '>7.1f', '       -')}{'x' if sp else ''}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
            f.write("\n")
    if a.tsv:
        with open(a.tsv, "w") as f:
            f.write("name\tpass\tms\tgflops\tscalar_gflops\tpct_peak\tspeedup\n")
            for r in simd:
                s = scalar.get((r["name"], r["pass"]))
                f.write("\t".join(str(x) if x is not None else "" for x in (
                    r["name"], r["pass"], r["ms"], r["gflops"], s and s["gflops"],
                    r["pct_peak"], r["speedup"])) + "\n")


def cmd_compare(a):
    if len(a.vconv) != len(a.torch):
        die(f"compare: {len(a.vconv)} vconv results but {len(a.torch)} PyTorch results: "
            "one of each per round")
    vconv_rounds, torch_rounds = [], []
    for path in a.vconv:
        with open(path) as f:
            vconv_rounds.append({(r["name"], r["pass"]): r for r in json.load(f)
                                 if r["impl"] == "simd"})
    for path in a.torch:
        with open(path) as f:
            torch_rounds.append({(r["name"], r["pass"]): r for r in json.load(f)})
    rows = []
    for key, t in torch_rounds[0].items():  # the first round's order
        ts = [tr.get(key) for tr in torch_rounds]
        vs = [vr.get(key) for vr in vconv_rounds]
        if any(x is None for x in ts + vs):
            continue
        # per side, the median over the rounds (the upper one of an even count)
        v = sorted(vs, key=lambda x: x["ms"])[len(vs) // 2]
        tm = sorted(ts, key=lambda x: x["ms"])[len(ts) // 2]
        row = {"name": t["name"], "pass": t["pass"], "vconv_ms": v["ms"],
               "torch_ms": tm["ms"], "vconv_gflops": v["gflops"],
               "torch_gflops": tm["gflops"],
               # >1: vconv is faster
               "ratio": round(tm["ms"] / v["ms"], 3)}
        if len(vs) > 1:
            row["vconv_ms_rounds"] = [x["ms"] for x in vs]
            row["torch_ms_rounds"] = [x["ms"] for x in ts]
        rows.append(row)
    if not rows:
        die("no (layer, pass) in common between the vconv and PyTorch results")
    print(a.title)
    for line in a.note:
        print(line)
    print()
    wn = max([16] + [len(r["name"]) for r in rows])
    head = (f"{'layer':<{wn}} {'pass':<10} {'vconv ms':>10} {'torch ms':>10} "
            f"{'vconv GF/s':>10} {'torch GF/s':>10} {'ratio':>7}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['name']:<{wn}} {r['pass']:<10} {r['vconv_ms']:>10.3f} {r['torch_ms']:>10.3f} "
              f"{r['vconv_gflops']:>10.1f} {r['torch_gflops']:>10.1f} {r['ratio']:>7.3f}")
    print("-" * len(head))
    per_pass = {}
    for pss in PASSES:
        g = geomean([r["ratio"] for r in rows if r["pass"] == pss])
        if g:
            per_pass[pss] = round(g, 3)
            print(f"{'geomean':<{wn}} {pss:<10} {'':>10} {'':>10} {'':>10} {'':>10} {g:>7.3f}")
    total = round(geomean([r["ratio"] for r in rows]), 3)
    print(f"{'geomean':<{wn}} {'all':<10} {'':>10} {'':>10} {'':>10} {'':>10} {total:>7.3f}")
    print("ratio = torch ms / vconv ms: above 1, vconv is faster")
    dist = distribution([r["ratio"] for r in rows])
    print()
    print(f"distribution of the {len(rows)} ratios: min {dist['min']:.3f}, "
          f"10th percentile {dist['p10']:.3f}, median {dist['median']:.3f}, "
          f"geometric mean {dist['geomean']:.3f}")
    nets = networks(rows, read_suite(a.suite)) if a.suite else []
    if nets:
        print()
        print("whole networks: the count-weighted sum of every layer's passes (a training "
              "step's convolutions)")
        for net in nets:
            print(f"  {net['network']:<28} vconv {net['vconv_ms']:>10.2f} ms   "
                  f"torch {net['torch_ms']:>10.2f} ms   ratio {net['ratio']:.3f}   "
                  f"({net['layers']} of its {net['suite_layers']} suite rows measured)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"geomean_ratio": total, "geomean_ratio_per_pass": per_pass,
                       "distribution": dist, "networks": nets, "rows": rows}, f, indent=1)
            f.write("\n")


def percentile(sorted_values, q):
    """Linear interpolation between closest ranks (NumPy's default)."""
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def distribution(ratios):
    s = sorted(ratios)
    return {"min": round(s[0], 3), "p10": round(percentile(s, 0.1), 3),
            "median": round(percentile(s, 0.5), 3), "geomean": round(geomean(s), 3)}


def network_of(name):
    """network-bN of a zoo row name network.layer-bN (network alone without a batch suffix)."""
    net = name.split(".", 1)[0]
    tail = name.rsplit("-", 1)
    return net + ("-" + tail[1] if len(tail) == 2 and tail[1].startswith("b") else "")


def networks(rows, layers):
    """Per network and batch (rows named network.layer-bN): sums of count x ms over the
    layers whose three passes were all measured on both sides."""
    count = {l["name"]: l["count"] for l in layers}
    in_suite = {}
    for l in layers:
        if "." in l["name"]:
            in_suite[network_of(l["name"])] = in_suite.get(network_of(l["name"]), 0) + 1
    by_layer = {}
    for r in rows:
        by_layer.setdefault(r["name"], {})[r["pass"]] = r
    sums = {}
    for name, passes in by_layer.items():
        if "." not in name or len(passes) != len(PASSES):
            continue
        s = sums.setdefault(network_of(name), [0.0, 0.0, 0])
        s[2] += 1
        for r in passes.values():
            s[0] += count.get(name, 1) * r["vconv_ms"]
            s[1] += count.get(name, 1) * r["torch_ms"]
    return [{"network": net, "vconv_ms": round(v, 3), "torch_ms": round(t, 3),
             "ratio": round(t / v, 3), "layers": n, "suite_layers": in_suite.get(net, n)}
            for net, (v, t, n) in sorted(sums.items())]


def cmd_busy(a):
    """Busy share of all CPUs over one second while this process sleeps: what others use."""
    import time

    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait

    try:
        t0, i0 = sample()
        time.sleep(1)
        t1, i1 = sample()
    except OSError:
        print("-1")
        return
    print(round(100 * (1 - (i1 - i0) / max(1, t1 - t0))))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("layers")
    p.add_argument("suite")
    p.add_argument("--only")
    p.set_defaults(fn=cmd_layers)
    p = sub.add_parser("kind")
    p.add_argument("suite")
    p.set_defaults(fn=cmd_kind)
    p = sub.add_parser("peak")
    p.add_argument("jmh_json")
    p.set_defaults(fn=cmd_peak)
    p = sub.add_parser("report")
    p.add_argument("--suite", required=True)
    p.add_argument("--simd", required=True, nargs="+")
    p.add_argument("--scalar", nargs="+")
    p.add_argument("--peak", type=float)
    p.add_argument("--kernels", default="?")
    p.add_argument("--title", default="vconv convolution benchmark")
    p.add_argument("--note", action="append", default=[])
    p.add_argument("--json")
    p.add_argument("--tsv")
    p.set_defaults(fn=cmd_report)
    p = sub.add_parser("compare")
    p.add_argument("--vconv", required=True, nargs="+", help="scripts/bench JSON, one per round")
    p.add_argument("--torch", required=True, nargs="+",
                   help="torch_conv_bench.py JSON, one per round, in the same order")
    p.add_argument("--title", default="vconv vs PyTorch")
    p.add_argument("--note", action="append", default=[])
    p.add_argument("--suite", help="the suite CSV: its counts weight the whole-network sums")
    p.add_argument("--json")
    p.set_defaults(fn=cmd_compare)
    p = sub.add_parser("busy")
    p.set_defaults(fn=cmd_busy)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
