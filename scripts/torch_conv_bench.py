#!/usr/bin/env python3
"""Times a suite CSV through PyTorch CPU (NCHW float32, default oneDNN backend), for
scripts/compare-pytorch. fwd: F.conv2d. bwd_data / bwd_weight: autograd with only the input /
only the weight requiring grad; the graph is built once and each timed call is
torch.autograd.grad(y, t, dy, retain_graph=True), i.e. just the convolution backward that
training runs. (torch.nn.grad.conv2d_input/_weight pass a stride-0 expanded dummy for the
other operand, which changes PyTorch's backend choice: 2-3x off either way on some layers.)
Per layer and pass: warm-up, then the median of timed calls.
Writes a JSON array like scripts/bench's: name, pass, impl ("torch"), ms, gflops, n, threads,
samples. Run with the python of scripts/torch-python.
With --serve it times nothing up front: it answers "ready" once torch is loaded, then reads requests "LAYER PASS" from stdin, one per
line, times each and answers "ok" on stdout (or "error: ..."), until a line "." or the end
of stdin; then it writes the JSON of the requests it timed. scripts/compare-pytorch sends each
layer-pass right after vconv's run of it, so that the two times are taken seconds apart."""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import PASSES, flops, nd_pads, read_suite  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# (warm-up calls, warm-up seconds, measured calls, measured seconds): both minimums must be met
PRESETS = {"quick": (3, 0.25, 10, 0.75), "full": (10, 1.0, 50, 3.0)}


CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
TCONV = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def make_nd_call(l, pss, gen):
    """An N-d row as torch.nn's Conv/ConvTranspose modules compute it: zero padding in the
    convolution where it is symmetric, F.pad otherwise and for the other padding modes."""
    rank, g = l["rank"], l["groups"]
    rnd = lambda *shape: torch.rand(*shape, generator=gen) * 2 - 1  # noqa: E731
    x = rnd(l["n"], l["c"], *l["in"])
    pads = nd_pads(l)
    if l["op"] == "tconv":
        wt = rnd(l["c"], l["k"] // g, *l["kernel"])
        f = lambda x, wt: TCONV[rank](x, wt, None, l["stride"], [b for b, _ in pads],  # noqa: E731
                                      l["output_padding"], g, l["dilation"])
    else:
        wt = rnd(l["k"], l["c"] // g, *l["kernel"])
        sym = l["mode"] == "zeros" and all(b == a for b, a in pads)
        flat = [v for b, a in reversed(pads) for v in (b, a)]
        mode = "constant" if l["mode"] == "zeros" else l["mode"]
        if sym:
            f = lambda x, wt: CONV[rank](x, wt, None, l["stride"], [b for b, _ in pads],  # noqa: E731
                                         l["dilation"], g)
        else:
            f = lambda x, wt: CONV[rank](F.pad(x, flat, mode=mode), wt, None,  # noqa: E731
                                         l["stride"], 0, l["dilation"], g)
    if pss == "fwd":
        return lambda: f(x, wt)
    t = (x if pss == "bwd_data" else wt).requires_grad_(True)
    y = f(x, wt)
    dy = rnd(*y.shape)
    return lambda: torch.autograd.grad(y, t, dy, retain_graph=True)[0]


def make_call(l, pss, gen):
    if l.get("nd"):
        return make_nd_call(l, pss, gen)
    n, c, h, w, k = l["n"], l["c"], l["h"], l["w"], l["k"]
    g, st, pd, dl = l["groups"], l["stride"], l["pad"], l["dilation"]
    rnd = lambda *shape: torch.rand(*shape, generator=gen) * 2 - 1  # noqa: E731
    x = rnd(n, c, h, w)
    wt = rnd(k, c // g, l["r"], l["s"])
    if pss == "fwd":
        return lambda: F.conv2d(x, wt, None, st, pd, dl, g)
    # only the tensor whose gradient is timed requires grad, so autograd computes just that
    t = (x if pss == "bwd_data" else wt).requires_grad_(True)
    y = F.conv2d(x, wt, None, st, pd, dl, g)
    dy = rnd(*y.shape)
    return lambda: torch.autograd.grad(y, t, dy, retain_graph=True)[0]


def median_ms(call, preset):
    warm_calls, warm_s, calls, secs = PRESETS[preset]
    t0, i = time.perf_counter(), 0
    while i < warm_calls or time.perf_counter() - t0 < warm_s:
        call()
        i += 1
    times = []
    t0 = time.perf_counter()
    while len(times) < calls or time.perf_counter() - t0 < secs:
        s = time.perf_counter()
        call()
        times.append(time.perf_counter() - s)
    return statistics.median(times) * 1e3, len(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--suite", required=True)
    ap.add_argument("--layers", help="comma-separated subset")
    ap.add_argument("--passes", default=",".join(PASSES))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--preset", choices=PRESETS, default="quick")
    ap.add_argument("--json", required=True)
    ap.add_argument("--serve", action="store_true",
                    help='time the "LAYER PASS" requests read from stdin (see above)')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    layers = read_suite(a.suite)
    if a.layers:
        layers = [l for l in layers if l["name"] in a.layers.split(",")]
    passes = a.passes.split(",")
    gen = torch.Generator().manual_seed(42)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"mkldnn {'on' if torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled else 'off'}",
          file=sys.stderr)
    rows = []

    def time_row(l, pss):
        ms, samples = median_ms(make_call(l, pss, gen), a.preset)
        gf = flops(l) / (ms * 1e6)
        rows.append({"name": l["name"], "pass": pss, "impl": "torch", "ms": round(ms, 4),
                     "gflops": round(gf, 2), "n": l["n"], "threads": a.threads,
                     "samples": samples})
        print(f"  {l['name']:<16} {pss:<10} torch  median {ms:.3f} ms", file=sys.stderr,
              flush=True)

    if a.serve:
        by_name = {l["name"]: l for l in layers}
        print("ready", flush=True)
        while True:
            line = sys.stdin.readline()
            if not line or line.strip() == ".":
                break
            words = line.split()
            if len(words) != 2 or words[0] not in by_name or words[1] not in PASSES:
                print(f"error: bad request {line.strip()!r}", flush=True)
                continue
            try:
                time_row(by_name[words[0]], words[1])
                print("ok", flush=True)
            except Exception as e:  # noqa: BLE001 - the caller reports it and stops
                print(f"error: {type(e).__name__}: {e}".replace("\n", " "), flush=True)
    else:
        for l in layers:
            for pss in passes:
                time_row(l, pss)
    with open(a.json, "w") as f:
        json.dump(rows, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
