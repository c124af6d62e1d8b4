#!/usr/bin/env python3
"""PyTorch peer of Overparam's spiking network (`overparam train --arch snn --depth 1 --width 800`), for the SNN speed case.

The net of the Grad R authors' MNIST experiment: nn.Linear(784, 800, bias=False) → LIF → nn.Linear(800, 10, bias=False)
→ LIF, written as eager PyTorch with an explicit loop over T time steps (spikingjelly's LIFNode: tau = 2, V_th = 1,
V_reset = 0, hard reset with the spike detached) and the ATan surrogate (alpha = 2) as a custom autograd Function. The
first layer's current x W1^T is computed once per batch (it is the same at every step), as our model does. Loss: MSE
between the output firing rate and the one-hot label (F.mse_loss), torch.optim.Adam(lr=1e-3). One epoch over the first --n (60,000: all)
Fashion-MNIST training images (pixels in [0, 1]) in batches of --batch-size of a fresh randperm; a few warm-up steps
first. Run with OPENBLAS_CORETYPE and OMP_* as wanted. Prints one JSON line.

--mode time: the epoch's seconds (--max-steps K: only its first K steps, to compare configurations quickly).
--mode phases: one epoch with wall-clock timers around each phase of every step (data: randperm slice + index_select;
forward GEMMs: the fc1 and fc2 calls; forward element-wise: the rest of the forward pass, the LIF and ATan ops of every
time step and the loss; backward: loss.backward(); optimizer: zero_grad + Adam's step). Eager CPU ops are synchronous,
so the timers are exact. Then --profile-steps steps under torch.profiler split backward's self CPU time into its GEMMs
(aten::mm / addmm / bmm under the backward scope) and the rest; that fraction splits the timed backward.
"""
import argparse, gzip, json, math, os, time
import numpy as np

GEMM_OPS = {"aten::mm", "aten::addmm", "aten::bmm"}


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
    ap.add_argument("--n", type=int, default=60000, help="train on the first n images")
    ap.add_argument("--mode", choices=["time", "phases"], default="time")
    ap.add_argument("--max-steps", type=int, default=0, help="--mode time: time only the first K steps of the epoch (0: all)")
    ap.add_argument("--profile-steps", type=int, default=40, help="--mode phases: steps under torch.profiler")
    args = ap.parse_args()
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    root = "/usr/share/datasets/fashion-mnist/"
    x = torch.from_numpy(images(root + "train-images-idx3-ubyte.gz")[:args.n].copy())
    y = torch.from_numpy(labels(root + "train-labels-idx1-ubyte.gz")[:args.n].copy())

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
    clock = time.perf_counter
    # phase seconds, filled only when timing the phases
    split = {"data": 0.0, "forward_gemm": 0.0, "forward_elementwise": 0.0, "backward": 0.0, "optimizer": 0.0}

    def step(xb, yb, timed=False):
        t0 = clock()
        current = fc1(xb)
        gemm = clock() - t0
        v1 = torch.zeros_like(current)
        v2 = torch.zeros(xb.shape[0], 10)
        count = 0
        for _ in range(T):
            h1 = v1 + (current - v1) / tau
            s1 = ATan.apply(h1 - 1.0, 2.0)
            v1 = h1 * (1 - s1.detach())
            g0 = clock()
            x2 = fc2(s1)
            gemm += clock() - g0
            h2 = v2 + (x2 - v2) / tau
            s2 = ATan.apply(h2 - 1.0, 2.0)
            v2 = h2 * (1 - s2.detach())
            count = count + s2
        loss = F.mse_loss(count / T, F.one_hot(yb, 10).float())
        t1 = clock()
        loss.backward()
        t2 = clock()
        opt.step()
        opt.zero_grad(set_to_none=True)
        value = loss.item()
        t3 = clock()
        if timed:
            split["forward_gemm"] += gemm
            split["forward_elementwise"] += (t1 - t0) - gemm
            split["backward"] += t2 - t1
            split["optimizer"] += t3 - t2
        return value

    n, b = x.shape[0], args.batch_size
    perm = torch.randperm(n)
    for k in range(args.warmup):
        idx = perm[k * b:(k + 1) * b]
        step(x.index_select(0, idx), y.index_select(0, idx))
    out = {"mode": args.mode, "threads": args.threads, "num_threads": torch.get_num_threads(), "torch": torch.__version__,
           "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
           "batch_size": b, "time_steps": T}
    starts = list(range(0, n, b))
    if args.mode == "time":
        if args.max_steps > 0:
            starts = starts[:args.max_steps]
        t0 = clock()
        perm = torch.randperm(n)
        for k in starts:
            idx = perm[k:k + b]
            step(x.index_select(0, idx), y.index_select(0, idx))
        out.update({"seconds": clock() - t0, "steps": len(starts)})
    else:
        t0 = clock()
        perm = torch.randperm(n)
        split["data"] += clock() - t0
        for k in starts:
            d0 = clock()
            idx = perm[k:k + b]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            split["data"] += clock() - d0
            step(xb, yb, timed=True)
        seconds = clock() - t0
        # backward's GEMM share, from the profiler (its overhead inflates both parts; the ratio is what is used)
        from torch.profiler import profile, record_function, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for k in starts[:args.profile_steps]:
                idx = perm[k:k + b]
                xb, yb = x.index_select(0, idx), y.index_select(0, idx)
                current = fc1(xb)
                v1 = torch.zeros_like(current); v2 = torch.zeros(b, 10); count = 0
                for _ in range(T):
                    h1 = v1 + (current - v1) / tau
                    s1 = ATan.apply(h1 - 1.0, 2.0)
                    v1 = h1 * (1 - s1.detach())
                    h2 = v2 + (fc2(s1) - v2) / tau
                    s2 = ATan.apply(h2 - 1.0, 2.0)
                    v2 = h2 * (1 - s2.detach())
                    count = count + s2
                loss = F.mse_loss(count / T, F.one_hot(yb, 10).float())
                with record_function("backward_scope"):
                    loss.backward()
                opt.step(); opt.zero_grad(set_to_none=True)
        gemm_us, scope_us, ops = 0.0, 0.0, 0
        for e in prof.events():
            if e.name == "backward_scope":
                scope_us += e.cpu_time_total
                continue
            p = e.cpu_parent
            while p is not None and p.name != "backward_scope":
                p = p.cpu_parent
            if p is None:
                continue
            if e.name.startswith("aten::"):
                ops += 1
            if e.name in GEMM_OPS:
                gemm_us += e.self_cpu_time_total
        fraction = gemm_us / scope_us if scope_us > 0 else float("nan")
        steps = len(starts)
        split["backward_gemm"] = split["backward"] * fraction
        split["backward_elementwise"] = split["backward"] - split["backward_gemm"]
        out.update({"seconds": seconds, "steps": steps, "phases": split, "rest": seconds - sum(split[k] for k in
                    ("data", "forward_gemm", "forward_elementwise", "backward", "optimizer")),
                    "backward_gemm_fraction": fraction, "profiled_steps": min(steps, args.profile_steps),
                    "backward_aten_ops_per_step": ops / max(1, min(steps, args.profile_steps))})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
