#!/usr/bin/env python3
"""PyTorch peer of Overparam's minibatch classifier (bench/Overparam.Bench's classifier cases launch it).

The model is the one `overparam train --arch fc --depth 2 --width 1024 --parameterization standard --bias
--activation relu` builds: nn.Linear(784, 1024) → ReLU → nn.Linear(1024, 1024) → ReLU → nn.Linear(1024, 10), its
weights and biases loaded from our run folder's init.safetensors (W1 [1024, 784], b1, W2, b2 are nn.Linear's
layout; a [1024, 10] is the last layer's weight transposed, b_out its bias), trained on the run folder's
data.safetensors (X, y; X_test, y_test: the standardized Fashion-MNIST exactly as our run trains and evaluates on)
with F.cross_entropy (mean over the batch) and torch.optim.SGD(lr, momentum), batches of a fresh torch.randperm each
epoch (DataLoader's shuffle=True, drop_last=False, without the DataLoader: rows gathered by index_select).

--mode time: a few warm-up steps, then the weights and optimizer are reset to init and one epoch is timed, one
`loss.item()` per step as any training loop that logs its loss. --mode accuracy: --epochs epochs from init, then
the test error (argmax, misclassification rate) on X_test. Prints one JSON line.
Run with OPENBLAS_CORETYPE set as the C# library runs (SkylakeX on AVX-512): Debian's torch calls the system
libblas.so.3, which is OpenBLAS (pthreads) through Debian's alternatives.
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True, help="our run folder (init.safetensors, data.safetensors)")
    ap.add_argument("--mode", choices=["time", "accuracy"], default="time")
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float32")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--warmup", type=int, default=5, help="warm-up steps before the timed epoch (--mode time)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args()


def read_safetensors(path):
    """{name: numpy array} of a safetensors file (F64/F32), without the safetensors package."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        buf = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        dtype = {"F64": np.float64, "F32": np.float32}[t["dtype"]]
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(buf[b:e], dtype=dtype).reshape(t["shape"])
    return out


def main():
    args = parse()
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dtype = torch.float64 if args.dtype == "float64" else torch.float32

    init = read_safetensors(os.path.join(args.run, "init.safetensors"))
    data = read_safetensors(os.path.join(args.run, "data.safetensors"))
    x = torch.tensor(data["X"], dtype=dtype)
    y = torch.tensor(data["y"]).long()
    x_test = torch.tensor(data["X_test"], dtype=dtype)
    y_test = torch.tensor(data["y_test"]).long()
    d, m, classes = init["W1"].shape[1], init["W1"].shape[0], init["a"].shape[1]
    model = torch.nn.Sequential(
        torch.nn.Linear(d, m), torch.nn.ReLU(),
        torch.nn.Linear(m, m), torch.nn.ReLU(),
        torch.nn.Linear(m, classes)).to(dtype)

    def load_init():
        with torch.no_grad():
            for layer, w, b in ((model[0], init["W1"], init["b1"]), (model[2], init["W2"], init["b2"]),
                                (model[4], init["a"].T, init["b_out"])):
                layer.weight.copy_(torch.tensor(np.ascontiguousarray(w), dtype=dtype))
                layer.bias.copy_(torch.tensor(b, dtype=dtype))
        return torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    n, bs = x.shape[0], args.batch_size

    def epoch(opt, limit=None):
        perm = torch.randperm(n)
        total, steps = 0.0, 0
        for start in range(0, n, bs):
            if limit is not None and steps >= limit:
                break
            idx = perm[start:start + bs]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
        return total / steps, steps

    out = {"mode": args.mode, "dtype": args.dtype, "threads": args.threads, "torch": torch.__version__,
           "num_threads": torch.get_num_threads(), "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
           "n": n, "batch_size": bs, "lr": args.lr, "momentum": args.momentum}
    if args.mode == "time":
        if args.warmup > 0:
            epoch(load_init(), limit=args.warmup)
        opt = load_init()
        t0 = time.perf_counter()
        mean_loss, steps = epoch(opt)
        out.update({"seconds": time.perf_counter() - t0, "steps": steps, "mean_loss": mean_loss})
    else:
        opt = load_init()
        t0 = time.perf_counter()
        losses = [epoch(opt)[0] for _ in range(args.epochs)]
        seconds = time.perf_counter() - t0
        with torch.no_grad():
            wrong = sum(int((model(x_test[s:s + 1024]).argmax(1) != y_test[s:s + 1024]).sum())
                        for s in range(0, x_test.shape[0], 1024))
        out.update({"epochs": args.epochs, "seconds": seconds, "epoch_mean_losses": losses,
                    "test_error": wrong / x_test.shape[0], "n_test": x_test.shape[0]})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
