"""Crossprop and backprop in NumPy, one example at a time as the authors' code runs (docs/mathematics.md, "Crossprop").

Written from the update equations, not from the C# code: for the Overparam.Bench case `crossprop`, which times it
against the C# learners on the same stream and the same initial weights and compares the final weights.

  python3 numpy_crossprop.py --file stream.safetensors --learner cp|bp|cp-alt --alpha A --examples N --warmup K

stream.safetensors holds X [N, M] (bias entry last), y [N], U0 [M, n] (input-major), W0 [K, n+1]. Prints one JSON line:
examples/s of the timed examples and the final U, W checksums.
"""
import argparse, json, struct, sys, time
import numpy as np


def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        buf = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(buf[b:e], dtype="<f8").reshape(t["shape"]).copy()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--file", required=True)
    p.add_argument("--learner", required=True, choices=["cp", "bp", "cp-alt"])
    p.add_argument("--alpha", type=float, default=0.0005)
    p.add_argument("--examples", type=int, required=True)
    p.add_argument("--warmup", type=int, default=50)
    a = p.parse_args()
    d = load(a.file)
    X, Y, U, W = d["X"], d["y"], d["U0"], d["W0"]
    M, n = U.shape
    K = W.shape[0]
    alpha = a.alpha
    H = np.zeros((M, n)) if a.learner == "cp" else np.zeros((n, K))
    phib = np.ones(n + 1)
    eye = np.eye(K)

    def step(x, target):
        nonlocal H, U, W
        net = x @ U                                     # net_j = sum_i x_i u_ij
        phi = np.tanh(net)
        phib[:n] = phi                                  # bias unit phi_n = 1
        slope = 1.0 - phi * phi                         # tanh'
        z = W @ phib
        if K == 1:
            e = z - target                              # e = y - y* = -delta
        else:
            q = np.exp(z - z.max())
            e = q / q.sum() - eye[int(target)]          # softmax cross-entropy: p - onehot
        if a.learner == "cp":                           # K = 1: LMS, then U with the old trace, then the trace
            delta = -e[0]
            W[0] += alpha * delta * phib
            U += alpha * delta * phi * H
            H *= 1.0 - alpha * phi * phi
            H += alpha * delta * np.outer(x, slope)
        elif a.learner == "bp":
            dnet = (W[:, :n].T @ e) * slope              # dL/dnet_j with W before its update
            W -= alpha * np.outer(e, phib)
            U -= alpha * np.outer(x, dnet)
        else:                                           # cp-alt: h_jk per hidden unit and output
            b = phi * slope * (H @ e)
            W -= alpha * np.outer(e, phib)
            U -= alpha * np.outer(x, b)
            H = H * (1.0 - alpha * phi * phi)[:, None] - alpha * e[None, :]

    for t in range(a.warmup):
        step(X[t], Y[t])
    start = time.perf_counter()
    for t in range(a.warmup, a.warmup + a.examples):
        step(X[t], Y[t])
    seconds = time.perf_counter() - start
    print(json.dumps({"examples_per_second": a.examples / seconds, "seconds": seconds, "numpy": np.__version__,
                      "U_sum": float(U.sum()), "W_sum": float(W.sum()), "W": W.ravel().tolist()[:8]}))


if __name__ == "__main__":
    sys.exit(main())
