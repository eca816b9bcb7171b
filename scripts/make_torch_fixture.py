#!/usr/bin/env python3
"""PyTorch reference values for covlab's Java GPT (test GptTorchFixtureTest).

Builds a small GPT with the module of scripts/covlab_gpt.py, gives it fixed random weights, runs
forward + backward on a fixed batch with a loss mask, and two AdamW steps, all in float64, and writes
src/test/resources/fixtures/torch_gpt_small.safetensors (float32; about 140 KB):
  <state_dict name>          the weights (exactly the state_dict keys)
  grad.<name>                d loss / d weight
  adamw1.<name>, adamw2.<name>  weights after AdamW steps with gradients g, then -0.5 g
  input.tokens, input.targets, input.weights   (batch, seq); integers stored as float
  output.logits (batch, seq, vocab), output.loss (1)
and the config and optimizer settings in the metadata.

  /usr/bin/python3 scripts/make_torch_fixture.py
  /usr/bin/python3 scripts/make_torch_fixture.py --check runs/tiny/checkpoints/step-000100   # load a covlab checkpoint in torch

--check takes a checkpoint folder (or its model.safetensors) and reads the model's shape from its config.json.

Setup on Debian: apt-get install -y python3-torch libopenblas0-pthread
"""
import argparse, json, os, sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import covlab_gpt  # noqa: E402

CONFIG = dict(vocab=11, ctx=40, layers=2, heads=2, dmodel=16)
BATCH, SEQ = 2, 40    # SEQ > 36 so the Java attention crosses its query blocks
ADAMW = dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)


def fixed_batch(vocab):
    g = torch.Generator().manual_seed(7)
    tokens = torch.randint(0, vocab, (BATCH, SEQ), generator=g)
    targets = torch.randint(0, vocab, (BATCH, SEQ), generator=g)
    weights = torch.ones(BATCH, SEQ, dtype=torch.float64)
    for b in range(BATCH):
        weights[b, :2 + b] = 0          # "prompt" positions carry no loss, as with --loss-on response
    return tokens, targets, weights


def masked_loss(logits, targets, weights):
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction='none')
    return (ce * weights.reshape(-1)).sum() / weights.sum()


def make(args):
    torch.manual_seed(1234)
    c = CONFIG
    model = covlab_gpt.GPT(c['vocab'], c['ctx'], c['layers'], c['heads'], c['dmodel'])
    with torch.no_grad():
        for name, p in model.named_parameters():
            is_ln_weight = name.split('.')[-2].startswith('ln') and name.endswith('weight')
            p.copy_((1 + 0.2 * torch.randn_like(p)) if is_ln_weight else 0.3 * torch.randn_like(p))
    weights32 = {k: v.clone() for k, v in model.state_dict().items()}
    model = model.double()
    tokens, targets, weights = fixed_batch(c['vocab'])
    logits = model(tokens)
    loss = masked_loss(logits, targets, weights)
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}

    # AdamW on the float32-rounded gradients, so Java's optimizer sees the same inputs.
    opt = torch.optim.AdamW(model.parameters(), **ADAMW)
    after = []
    for scale in (1.0, -0.5):
        for n, p in model.named_parameters():
            p.grad = grads[n].to(torch.float32).double() * scale
        opt.step()
        after.append({n: p.detach().clone() for n, p in model.named_parameters()})

    tensors = dict(weights32)
    tensors.update({'grad.' + n: g for n, g in grads.items()})
    for i, a in enumerate(after):
        tensors.update({'adamw%d.%s' % (i + 1, n): p for n, p in a.items()})
    tensors['input.tokens'] = tokens.double()
    tensors['input.targets'] = targets.double()
    tensors['input.weights'] = weights
    tensors['output.logits'] = logits.detach()
    tensors['output.loss'] = loss.detach().reshape(1)
    meta = {k: str(v) for k, v in c.items()}
    meta.update({'adamw.lr': str(ADAMW['lr']), 'adamw.beta1': str(ADAMW['betas'][0]),
                 'adamw.beta2': str(ADAMW['betas'][1]), 'adamw.eps': str(ADAMW['eps']),
                 'adamw.weight_decay': str(ADAMW['weight_decay']), 'torch': torch.__version__,
                 'made_by': 'scripts/make_torch_fixture.py'})
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    covlab_gpt.write_safetensors(args.out, tensors, meta)
    print(json.dumps({'out': args.out, 'bytes': os.path.getsize(args.out), 'loss': loss.item()}))


def check(args):
    """Loads a covlab checkpoint into covlab_gpt's GPT (strict names and shapes; the shape from config.json) and scores the fixed batch."""
    folder = args.check if os.path.isdir(args.check) else os.path.dirname(os.path.abspath(args.check))
    if not os.path.isfile(os.path.join(folder, 'config.json')):
        sys.exit('%s: no config.json beside the weights; --check needs a checkpoint folder' % folder)
    model, cfg = covlab_gpt.load_checkpoint(folder)
    c = cfg['model']
    tokens, targets, weights = (z[:, :c['ctx']] for z in fixed_batch(c['vocab']))
    with torch.no_grad():
        loss = masked_loss(model(tokens).double(), targets, weights)
    print(json.dumps({'loaded': folder, 'tensors': len(model.state_dict()), 'loss': loss.item()}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=os.path.join(REPO, 'src', 'test', 'resources', 'fixtures', 'torch_gpt_small.safetensors'))
    ap.add_argument('--check', help='a covlab checkpoint folder (or its model.safetensors) to load into torch instead of making the fixture')
    args = ap.parse_args()
    check(args) if args.check else make(args)


if __name__ == '__main__':
    main()
