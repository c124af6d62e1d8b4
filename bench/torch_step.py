#!/usr/bin/env python3
"""PyTorch peer of Overparam's GD step (bench/Overparam.Bench launches it; it can also be run by hand).

Builds the paper's networks in the paper's parameterization (spec §2): no biases, all weights N(0, 1),
  fc:      x^(h) = sqrt(c_σ/m) σ(W^(h) x^(h−1)),                       f = aᵀ x^(H)
  resnet:  x^(1) = sqrt(c_σ/m) σ(W^(1) x),  x^(h) = x^(h−1) + c_res/(H sqrt m) σ(W^(h) x^(h−1))
  conv:    the conv ResNet of §2.3: x ∈ R^{d0×p}, W^(h) ∈ R^{m×q·d_{h−1}} applied as a stride-1 'same' conv1d
           (padding (q−1)/2, no bias; weight [m, d_{h−1}, q] = W reshaped channel by channel), same scalings as
           resnet, f = ⟨a, x^(H)⟩ with a ∈ R^{m×p}
with σ = softplus (c_σ = 1.0854870), loss ½ Σ (u − y)², and full-batch GD on all layers with autograd:
loss.backward(), then p −= lr·p.grad under no_grad, grads reset (set to None, as zero_grad(set_to_none=True)).

Prints one JSON line: per-step seconds (after warm-up), their median, and the torch/BLAS configuration.
Run with OPENBLAS_CORETYPE set as the C# library does (SkylakeX on AVX-512): Debian's torch calls the system
libblas.so.3, which is OpenBLAS (pthreads) through Debian's alternatives.
"""
import argparse
import json
import math
import os
import sys
import time

C_SIGMA_SOFTPLUS = 1.0854870


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["fc", "resnet", "conv"], default="fc")
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--d", type=int, default=64, help="input size d (fc/resnet) or input channels d0 (conv)")
    ap.add_argument("--m", type=int, default=2048)
    ap.add_argument("--H", type=int, default=8)
    ap.add_argument("--p", type=int, default=64, help="positions (conv)")
    ap.add_argument("--q", type=int, default=3, help="kernel size (conv)")
    ap.add_argument("--cres", type=float, default=0.5)
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--probe", action="store_true", help="print the torch/BLAS configuration and exit")
    return ap.parse_args()


def blas_info(torch):
    cfg = torch.__config__.show()
    info = {"torch": torch.__version__, "num_threads": torch.get_num_threads(),
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
            "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS")}
    for key in ("BLAS_INFO", "LAPACK_INFO"):
        i = cfg.find(key + "=")
        if i >= 0:
            info[key.lower()] = cfg[i + len(key) + 1:].split(",")[0]
    info["mkl"] = torch.backends.mkl.is_available()
    info["mkldnn"] = torch.backends.mkldnn.is_available()
    # Which shared BLAS the process actually mapped (Debian's torch links the generic libblas.so.3).
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if "blas" in base or "lapack" in base or "mkl" in base:
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    info["blas_libraries"] = sorted(libs)
    return info


def main():
    args = parse()
    try:
        import torch
    except ImportError as e:
        print(json.dumps({"error": f"torch not importable: {e}"}))
        return 3
    torch.set_num_threads(args.threads)
    if args.probe:
        print(json.dumps(blas_info(torch)))
        return 0

    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    torch.manual_seed(args.seed)
    n, d, m, H = args.n, args.d, args.m, args.H
    c_sigma = C_SIGMA_SOFTPLUS
    conv = args.arch == "conv"
    q, p = args.q, args.p
    pad = (q - 1) // 2

    def gaussian(*shape):
        return torch.randn(*shape, dtype=dtype).requires_grad_(True)

    if conv:
        ws = [gaussian(m, d, q)] + [gaussian(m, m, q) for _ in range(H - 1)]
        a = gaussian(m, p)
        x = torch.randn(n, d, p, dtype=dtype)
        x = x / x.flatten(1).norm(dim=1).view(n, 1, 1)
    else:
        ws = [gaussian(m, d)] + [gaussian(m, m) for _ in range(H - 1)]
        a = gaussian(m)
        x = torch.randn(n, d, dtype=dtype)
        x = x / x.norm(dim=1, keepdim=True)
    y = torch.randn(n, dtype=dtype)
    params = ws + [a]
    first = math.sqrt(c_sigma / m)
    residual = args.cres / (H * math.sqrt(m))
    softplus = torch.nn.functional.softplus

    def forward():
        if conv:
            conv1d = torch.nn.functional.conv1d
            h = first * softplus(conv1d(x, ws[0], padding=pad))
            for w in ws[1:]:
                h = h + residual * softplus(conv1d(h, w, padding=pad))
            return (h * a).sum(dim=(1, 2))
        h = first * softplus(x @ ws[0].t())
        for w in ws[1:]:
            z = softplus(h @ w.t())
            h = first * z if args.arch == "fc" else h + residual * z
        return h @ a

    def step():
        u = forward()
        loss = 0.5 * ((u - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for t in params:
                t.sub_(t.grad, alpha=args.lr)   # p -= lr·grad, in place, no temporary
                t.grad = None
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    loss = float("nan")
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
    s = sorted(times)
    k = len(s)
    median = s[k // 2] if k % 2 else 0.5 * (s[k // 2 - 1] + s[k // 2])
    out = {"arch": args.arch, "dtype": args.dtype, "n": n, "d": d, "m": m, "H": H, "threads": args.threads,
           "times": times, "median_s": median, "min_s": s[0], "max_s": s[-1], "final_loss": loss}
    if conv:
        out.update({"p": p, "q": q})
    out.update(blas_info(torch))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
