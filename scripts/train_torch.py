"""scripts/train --compare-pytorch's PyTorch side.

train:   train_torch.py --data DIR --run RUN --json OUT
         trains the network scripts/train trained, from RUN's export (settings.json, the
         initial weights init/*.npy and every epoch's batch order order.npy), on the same
         normalised IDX data, and writes per-epoch seconds, loss and accuracy to OUT.
compare: train_torch.py --compare VCONV.json TORCH.json
         prints both runs side by side.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np


def idx(path):
    """An IDX file's array (plain or gzip); only the unsigned-byte type MNIST uses."""
    for p in (path, path + ".gz"):
        if os.path.exists(p):
            with (gzip.open(p) if p.endswith(".gz") else open(p, "rb")) as f:
                raw = f.read()
            if raw[:3] != b"\0\0\x08":
                sys.exit(f"train_torch: {p}: not an unsigned-byte IDX file")
            rank = raw[3]
            shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(shape)
    sys.exit(f"train_torch: no {path} or {path}.gz")


def train(args):
    import torch
    import torch.nn as nn

    with open(os.path.join(args.run, "settings.json")) as f:
        s = json.load(f)
    torch.set_num_threads(s["threads"])
    scale, mean, inv = np.float32(s["scale"]), np.float32(s["mean"]), np.float32(1) / np.float32(s["std"])

    def images(name, limit=None):
        x = idx(os.path.join(args.data, name)).astype(np.float32)
        x = x[:limit] if limit else x
        # the same float32 operations as LabelledImages.batchInto: (p * scale - mean) * (1 / std)
        return torch.from_numpy(((x * scale - mean) * inv)[:, None, :, :].copy())

    xtr = images("train-images-idx3-ubyte", s["limit"])
    ytr = torch.from_numpy(idx(os.path.join(args.data, "train-labels-idx1-ubyte"))[:s["limit"]].astype(np.int64))
    xte = images("t10k-images-idx3-ubyte")
    yte = torch.from_numpy(idx(os.path.join(args.data, "t10k-labels-idx1-ubyte")).astype(np.int64))
    c1, c2, f1, f2 = s["widths"]
    net = nn.Sequential(
        nn.Conv2d(1, c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(c2 * 25, f1), nn.ReLU(), nn.Linear(f1, f2), nn.ReLU(), nn.Linear(f2, s["classes"]))
    state = {k: torch.from_numpy(np.load(os.path.join(args.run, "init", k + ".npy"))) for k in s["parameters"]}
    net.load_state_dict(state)
    opt = torch.optim.SGD(net.parameters(), lr=s["lr"], momentum=s["momentum"], weight_decay=s["weight_decay"])
    loss_fn = nn.CrossEntropyLoss()
    order = torch.from_numpy(np.load(os.path.join(args.run, "order.npy")).astype(np.int64))
    n, b, epochs = xtr.shape[0], s["batch"], s["epochs"]
    rows = []
    for e in range(epochs):
        lr = s["lr"] * (1 + math.cos(math.pi * e / epochs)) / 2 if s["schedule"] == "cosine" else s["lr"]
        for g in opt.param_groups:
            g["lr"] = lr
        net.train()
        total = 0.0
        t0 = time.perf_counter()
        for at in range(0, n, b):
            ids = order[e, at:at + b]
            opt.zero_grad(set_to_none=False)
            loss = loss_fn(net(xtr[ids]), ytr[ids])
            loss.backward()
            opt.step()
            total += loss.item() * len(ids)
        secs = time.perf_counter() - t0
        net.eval()
        with torch.no_grad():
            correct = sum((net(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
                          for i in range(0, xte.shape[0], 1000))
        acc = correct / xte.shape[0]
        rows.append({"epoch": e + 1, "seconds": secs, "loss": total / n, "accuracy": acc})
        print(f"pytorch epoch {e + 1}/{epochs}: loss {total / n:.4f}, test accuracy {acc:.4f}, "
              f"{secs:.2f} s ({n / secs:.0f} images/s)", flush=True)
    with open(args.json, "w") as f:
        json.dump({"threads": s["threads"], "torch": torch.__version__, "epochs": rows}, f)


def compare(vconv_json, torch_json):
    with open(vconv_json) as f:
        v = json.load(f)
    with open(torch_json) as f:
        t = json.load(f)
    print(f"\nvconv vs PyTorch {t.get('torch', '')} CPU, {v['threads']} threads, same initial "
          "weights, batch order, batch size and learning rates")
    print(f"{'epoch':>5}  {'vconv s':>8}  {'torch s':>8}  {'vconv/torch':>11}  "
          f"{'vconv acc':>9}  {'torch acc':>9}  {'vconv loss':>10}  {'torch loss':>10}")
    for a, b in zip(v["epochs"], t["epochs"]):
        print(f"{a['epoch']:>5}  {a['seconds']:8.2f}  {b['seconds']:8.2f}  "
              f"{a['seconds'] / b['seconds']:11.2f}  {a['accuracy']:9.4f}  {b['accuracy']:9.4f}  "
              f"{a['loss']:10.4f}  {b['loss']:10.4f}")
    sv = sum(a["seconds"] for a in v["epochs"])
    st = sum(b["seconds"] for b in t["epochs"])
    print(f"{'all':>5}  {sv:8.2f}  {st:8.2f}  {sv / st:11.2f}   (epoch time ratio: below 1, vconv is faster)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data")
    p.add_argument("--run")
    p.add_argument("--json")
    p.add_argument("--compare", nargs=2)
    a = p.parse_args()
    if a.compare:
        compare(*a.compare)
    else:
        train(a)


if __name__ == "__main__":
    main()
