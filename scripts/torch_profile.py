#!/usr/bin/env python3
"""Where PyTorch's time goes on torch_gpt.py's training step: torch.profiler over 5 steps after 3 warm-up steps.

Run from the repository root (docs/performance.md quotes its output):
  /usr/bin/python3 scripts/torch_profile.py --threads 1
  /usr/bin/python3 scripts/torch_profile.py --threads 2 --script ../shared/bench/torch_gpt.py
"""
import argparse, importlib.util, sys

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--script', default='../shared/bench/torch_gpt.py')
ap.add_argument('--batch', type=int, default=32)
ap.add_argument('--ctx', type=int, default=128)
a = ap.parse_args()
spec = importlib.util.spec_from_file_location('torch_gpt', a.script)
torch_gpt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(torch_gpt)

torch.manual_seed(0)
torch.set_num_threads(a.threads)
vocab = 104
model = torch_gpt.GPT(vocab, a.ctx, 4, 4, 128)
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
x = torch.randint(0, vocab, (a.batch, a.ctx))
y = torch.randint(0, vocab, (a.batch, a.ctx))


def step():
    loss = F.cross_entropy(model(x).view(-1, vocab), y.view(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


for _ in range(3):
    step()
with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
    for _ in range(5):
        step()
print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=15), file=sys.stdout)
