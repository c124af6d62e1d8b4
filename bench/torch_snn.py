#!/usr/bin/env python3
"""PyTorch peer of Overparam's spiking network (`overparam train --arch snn --depth 1 --width 800`), for the SNN speed case.

The net of the Grad R authors' MNIST experiment: nn.Linear(784, 800, bias=False) → LIF → nn.Linear(800, 10, bias=False)
→ LIF, written as eager PyTorch with an explicit loop over T time steps (spikingjelly's LIFNode: tau = 2, V_th = 1,
V_reset = 0, hard reset with the spike detached) and the ATan surrogate (alpha = 2) as a custom autograd Function. The
first layer's current x W1^T is computed once per batch (it is the same at every step), as our model does. Loss: MSE
between the output firing rate and the one-hot label (F.mse_loss), torch.optim.Adam(lr=1e-3). One epoch over the 60,000
Fashion-MNIST training images (pixels in [0, 1]) in batches of --batch-size of a fresh randperm; a few warm-up steps
first; prints one JSON line with the epoch's seconds. Run with OPENBLAS_CORETYPE and OMP_* as wanted.
"""
import argparse, gzip, json, math, time
import numpy as np


def images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[4:8], "big")
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255


def labels(path):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--time-steps", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=5)
    args = ap.parse_args()
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    root = "/usr/share/datasets/fashion-mnist/"
    x = torch.from_numpy(images(root + "train-images-idx3-ubyte.gz"))
    y = torch.from_numpy(labels(root + "train-labels-idx1-ubyte.gz"))

    class ATan(torch.autograd.Function):
        @staticmethod
        def forward(ctx, h, alpha):
            ctx.save_for_backward(h)
            ctx.alpha = alpha
            return (h >= 0).to(h.dtype)

        @staticmethod
        def backward(ctx, grad):
            (h,) = ctx.saved_tensors
            a = ctx.alpha
            return grad * (a / 2) / (1 + (math.pi / 2 * a * h) ** 2), None

    fc1 = torch.nn.Linear(784, 800, bias=False)
    fc2 = torch.nn.Linear(800, 10, bias=False)
    params = list(fc1.parameters()) + list(fc2.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    T, tau = args.time_steps, 2.0

    def step(xb, yb):
        current = fc1(xb)
        v1 = torch.zeros_like(current)
        v2 = torch.zeros(xb.shape[0], 10)
        count = 0
        for _ in range(T):
            h1 = v1 + (current - v1) / tau
            s1 = ATan.apply(h1 - 1.0, 2.0)
            v1 = h1 * (1 - s1.detach())
            h2 = v2 + (fc2(s1) - v2) / tau
            s2 = ATan.apply(h2 - 1.0, 2.0)
            v2 = h2 * (1 - s2.detach())
            count = count + s2
        loss = F.mse_loss(count / T, F.one_hot(yb, 10).float())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    n, b = x.shape[0], args.batch_size
    perm = torch.randperm(n)
    for k in range(args.warmup):
        idx = perm[k * b:(k + 1) * b]
        step(x.index_select(0, idx), y.index_select(0, idx))
    perm = torch.randperm(n)
    t0 = time.perf_counter()
    for k in range(0, n, b):
        idx = perm[k:k + b]
        step(x.index_select(0, idx), y.index_select(0, idx))
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "steps": (n + b - 1) // b, "threads": args.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
