"""Writes trajectories.json: PyTorch's own SGD, Adam and RMSprop replaying fixed gradients on one parameter, in float64
and float32, for OptimizerTorchGoldenTests. Run with Debian's PyTorch (python3-torch): /usr/bin/python3 make.py

The gradients are set by hand (p.grad), so no model or data is involved; foreach=False is PyTorch's default on the CPU
(the single-tensor code path of torch/optim/sgd.py, adam.py, rmsprop.py)."""
import json
import random

import torch

N, STEPS = 37, 4
random.seed(12)
theta = [random.gauss(0, 1) for _ in range(N)]
grads = [[random.gauss(0, 1) * (0.1 if k % 2 else 1) for _ in range(N)] for k in range(STEPS)]

# Each case in OptimizerSettings' field names; TORCH maps them to the PyTorch keyword arguments.
CASES = [
    ("sgd", {"LearningRate": 0.1}),
    ("sgd", {"LearningRate": 0.1, "Momentum": 0.9}),
    ("sgd", {"LearningRate": 0.1, "Momentum": 0.9, "Nesterov": True, "WeightDecay": 5e-4}),
    ("sgd", {"LearningRate": 0.1, "Momentum": 0.9, "Dampening": 0.3, "WeightDecay": 0.01}),
    ("adam", {"LearningRate": 1e-3}),
    ("adam", {"LearningRate": 0.1, "Beta1": 0.8, "Beta2": 0.99, "Epsilon": 1e-6, "WeightDecay": 0.01}),
    ("rmsprop", {"LearningRate": 0.01}),
    ("rmsprop", {"LearningRate": 0.01, "Momentum": 0.9, "WeightDecay": 0.01}),
    ("rmsprop", {"LearningRate": 0.01, "Alpha": 0.9, "Momentum": 0.5, "Centered": True, "Epsilon": 1e-6}),
]
TORCH = {"LearningRate": "lr", "Momentum": "momentum", "Dampening": "dampening", "Nesterov": "nesterov",
         "WeightDecay": "weight_decay", "Epsilon": "eps", "Alpha": "alpha", "Centered": "centered"}
OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}


def trajectory(name, settings, dtype):
    kwargs = {TORCH[k]: v for k, v in settings.items() if k in TORCH}
    if "Beta1" in settings:
        kwargs["betas"] = (settings["Beta1"], settings["Beta2"])
    p = torch.nn.Parameter(torch.tensor(theta, dtype=torch.float64).to(dtype))
    optimizer = OPTIMIZERS[name]([p], foreach=False, **kwargs)
    thetas = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64).to(dtype)
        optimizer.step()
        thetas.append(p.detach().double().tolist())
    return thetas


cases = [{"optimizer": name, "settings": settings,
          "float64": trajectory(name, settings, torch.float64), "float32": trajectory(name, settings, torch.float32)}
         for name, settings in CASES]
with open("trajectories.json", "w") as f:
    json.dump({"torch": torch.__version__, "theta": theta, "grads": grads, "cases": cases}, f, indent=1)
