#!/usr/bin/env python3
"""Replays an `overparam train --batch-norm` run in PyTorch and compares the final state bit for bit-ish.

The run must be: --arch fc or resnet, --parameterization standard, --batch-norm, --optimizer sgd (any momentum,
no weight decay), --loss mse, one output, --shuffle false (batches in data order), --steps K. The model is built
from the run's init.safetensors and data.safetensors exactly as docs/mathematics.md §2.6 defines it:
  fc:     x_h = act(BN_h(W_h x_{h-1} + b_h))
  resnet: x_1 = act(BN_1(W_1 x + b_1)), x_h = x_{h-1} + (c_res/H) act(BN_h(W_h x_{h-1} + b_h)),
          a widening last layer (feature width != width) without skip and without c_res/H
  f = x_H a + b_out
and trained with torch.optim.SGD for K steps in model.train(); the training loop evaluates the loss once more at
theta(K) on batch K (a forward pass in training mode), so the replay does K + 1 forward passes too.
Prints the largest relative difference of every tensor of final.safetensors.

usage: /usr/bin/python3 bench/torch_batchnorm.py RUN_DIR
"""
import json
import sys

import numpy as np
import torch


def load_file(path):
    """The tensors of a safetensors file (docs/formats.md): an 8-byte header length, the JSON header, the data."""
    raw = open(path, "rb").read()
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + size])
    dtypes = {"F64": np.float64, "F32": np.float32}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + size + begin:8 + size + end], dtype=dtypes[t["dtype"]]).reshape(t["shape"]).copy())
    return out

run = sys.argv[1]
config = json.load(open(f"{run}/config.json"))
spec, resolved = config["spec"], config["resolved"]
torch.set_default_dtype(torch.float64)
init = load_file(f"{run}/init.safetensors")
final = load_file(f"{run}/final.safetensors")
data = load_file(f"{run}/data.safetensors")
x_all, y_all = data["X"].double(), data["y"].double()
depth, width = spec["depth"], spec["width"]
feature = spec.get("feature_width") or width
arch = spec["architecture"]
c_res = spec["c_res"]
act = {"softplus": torch.nn.functional.softplus, "tanh": torch.tanh, "relu": torch.relu}[spec["activation"]]
bias = spec.get("bias", False)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.W = torch.nn.ParameterList()
        self.b = torch.nn.ParameterList()
        self.bn = torch.nn.ModuleList()
        for h in range(1, depth + 1):
            self.W.append(torch.nn.Parameter(init[f"W{h}"].clone()))
            if bias:
                self.b.append(torch.nn.Parameter(init[f"b{h}"].clone()))
            m = init[f"W{h}"].shape[0]
            bn = torch.nn.BatchNorm1d(m, eps=1e-5, momentum=0.1)
            with torch.no_grad():
                bn.weight.copy_(init[f"bn{h}.weight"]); bn.bias.copy_(init[f"bn{h}.bias"])
                bn.running_mean.copy_(init[f"bn{h}.running_mean"]); bn.running_var.copy_(init[f"bn{h}.running_var"])
            self.bn.append(bn)
        self.a = torch.nn.Parameter(init["a"].clone())
        self.b_out = torch.nn.Parameter(init["b_out"].clone()) if bias else None

    def forward(self, x):
        for h in range(1, depth + 1):
            z = x @ self.W[h - 1].T
            if bias:
                z = z + self.b[h - 1]
            s = act(self.bn[h - 1](z))
            plain = h == 1 or (h == depth and feature != width) or arch == "fc"
            x = s if plain else x + (c_res / depth) * s
        u = x @ self.a.reshape(x.shape[1], -1)
        if self.b_out is not None:
            u = u + self.b_out
        return u.reshape(-1)


net = Net()
net.train()
params = []
for h in range(depth):
    params.append(net.W[h])
    if bias:
        params.append(net.b[h])
    params += [net.bn[h].weight, net.bn[h].bias]
params.append(net.a)
if bias:
    params.append(net.b_out)
opt = torch.optim.SGD(params, lr=spec["lr"], momentum=spec.get("momentum") or 0, dampening=spec.get("dampening") or 0,
                      nesterov=spec.get("nesterov", False))
n, batch, steps = x_all.shape[0], spec["batch_size"], resolved["steps"]
per_epoch = (n + batch - 1) // batch
for k in range(steps + 1):
    j = k % per_epoch
    xb, yb = x_all[j * batch:(j + 1) * batch], y_all[j * batch:(j + 1) * batch]
    loss = torch.nn.functional.mse_loss(net(xb), yb)
    if k == steps:
        break
    opt.zero_grad()
    loss.backward()
    opt.step()

ours = {}
for h in range(1, depth + 1):
    ours[f"W{h}"] = net.W[h - 1]
    if bias:
        ours[f"b{h}"] = net.b[h - 1]
    for what in ["weight", "bias", "running_mean", "running_var"]:
        ours[f"bn{h}.{what}"] = getattr(net.bn[h - 1], what)
ours["a"] = net.a
if bias:
    ours["b_out"] = net.b_out
worst = 0.0
for name, value in ours.items():
    ref = final[name].double()
    diff = (value.detach() - ref).abs().max().item()
    scale = ref.abs().max().item()
    # b_h before a batch norm has gradient 0 up to rounding: both sides hold rounding noise of size ~1e-17, compared absolutely.
    redundant = name.startswith("b") and name[1:].isdigit()
    rel = diff / max(scale, 1e-300)
    if not redundant:
        worst = max(worst, rel)
    print(f"{name:20s} max |torch - overparam| = {diff:.2e}, relative {rel:.2e}{'  (b_h: rounding noise on both sides)' if redundant else ''}")
print(f"worst relative difference {worst:.2e} (b_h aside) after {steps} steps (final loss torch {loss.item():.12g})")
