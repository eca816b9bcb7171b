#!/usr/bin/env python3
"""Trains covlab's GPT (scripts/covlab_gpt.py) in PyTorch for a few steps and writes it as a covlab checkpoint.

Used by the test TorchRoundTripTest, which then checks covlab's log-probs against PyTorch's:

  /usr/bin/python3 scripts/torch_roundtrip.py --samples S.jsonl --task fig2 --H 8 --out DIR

S.jsonl: one {"prompt": [token ids], "response": [token ids]} per line (e.g. ./covlab task sample --json).
DIR gets config.json and model.safetensors (Python's standard library writes them), and torch_logprobs.json:
log pi(response | prompt) of every sample under the trained model, in the file's order.
"""
import argparse, json, os, sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import covlab_gpt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--samples', required=True)
    ap.add_argument('--task', required=True)
    ap.add_argument('--H', type=int, required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--vocab', type=int, default=104)
    ap.add_argument('--ctx', type=int, default=160)
    ap.add_argument('--layers', type=int, default=1)
    ap.add_argument('--heads', type=int, default=2)
    ap.add_argument('--dmodel', type=int, default=16)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    with open(a.samples) as f:
        samples = [json.loads(line) for line in f if line.strip()]
    model = covlab_gpt.GPT(a.vocab, a.ctx, a.layers, a.heads, a.dmodel)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr)
    for _ in range(a.steps):                       # next-token loss on the response tokens, one sequence at a time
        opt.zero_grad()
        loss = 0
        for s in samples:
            seq = torch.tensor([s['prompt'] + s['response']])
            logits = model(seq[:, :-1])[0, len(s['prompt']) - 1:]
            loss = loss + F.cross_entropy(logits, seq[0, len(s['prompt']):]) / len(samples)
        loss.backward()
        opt.step()
    covlab_gpt.save_checkpoint(a.out, model, a.task, a.H)
    logp = [covlab_gpt.response_logprobs(model, s['prompt'], [s['response']])[0] for s in samples]
    with open(os.path.join(a.out, 'torch_logprobs.json'), 'w') as f:
        json.dump({'logp': logp, 'final_loss': loss.item(), 'torch': torch.__version__}, f)
    print(json.dumps({'out': a.out, 'samples': len(samples), 'final_loss': loss.item()}))


if __name__ == '__main__':
    main()
