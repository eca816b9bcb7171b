#!/usr/bin/env python3
"""Peer of `covlab bench`'s task round: PyTorch trains covlab's GPT (scripts/covlab_gpt.py) on the batches covlab
wrote (real fig2 batches), the way nanoGPT-style code does: each batch padded to its longest sequence, the loss
masked by the weights (response tokens only), AdamW. Prints one JSON line with task_train_tokens_per_s, counting
useful tokens only (each row's length, padding left out), over the batches after the warm-up ones.

  /usr/bin/python3 scripts/torch_task_train.py --batches FILE --threads 2
"""
import argparse, json, os, sys, time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import covlab_gpt  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batches', required=True, help='the JSON file covlab bench writes')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    with open(a.batches) as f:
        spec = json.load(f)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    model = covlab_gpt.from_config(spec['model'])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    batches = []
    for b in spec['batches']:
        shape = (b['rows'], b['seq'])
        batches.append((torch.tensor(b['inputs']).view(shape), torch.tensor(b['targets']).view(shape),
                        torch.tensor(b['weights'], dtype=torch.float32).view(shape), sum(b['lengths'])))

    def train_step(x, y, w):
        ce = F.cross_entropy(model(x).view(-1, spec['model']['vocab']), y.view(-1), reduction='none')
        loss = (ce * w.view(-1)).sum() / w.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    warmup = spec['warmup']
    for x, y, w, _ in batches[:warmup]:
        train_step(x, y, w)
    t0 = time.perf_counter()
    for x, y, w, _ in batches[warmup:]:
        train_step(x, y, w)
    dt = time.perf_counter() - t0
    useful = sum(n for *_, n in batches[warmup:])
    print(json.dumps({'peer': 'pytorch', 'version': torch.__version__, 'threads': a.threads,
                      'batches': len(batches) - warmup, 'useful_tokens': useful,
                      'padded_tokens': sum(x.numel() for x, *_ in batches[warmup:]),
                      'task_train_tokens_per_s': useful / dt}))


if __name__ == '__main__':
    main()
