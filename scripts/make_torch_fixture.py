#!/usr/bin/env python3
"""PyTorch reference values for covlab's Java GPT (test GptTorchFixtureTest).

Builds a small GPT with the module of shared/bench/torch_gpt.py, gives it fixed random weights, runs
forward + backward on a fixed batch with a loss mask, and two AdamW steps, all in float64, and writes
src/test/resources/fixtures/torch_gpt_small.safetensors (float32; about 140 KB):
  <state_dict name>          the weights (exactly the state_dict keys)
  grad.<name>                d loss / d weight
  adamw1.<name>, adamw2.<name>  weights after AdamW steps with gradients g, then -0.5 g
  input.tokens, input.targets, input.weights   (batch, seq); integers stored as float
  output.logits (batch, seq, vocab), output.loss (1)
and the config and optimizer settings in the metadata.

  /usr/bin/python3 scripts/make_torch_fixture.py [--torch-gpt ../shared/bench/torch_gpt.py]
  /usr/bin/python3 scripts/make_torch_fixture.py --check FILE.safetensors   # load a covlab-written model in torch

Setup on Debian: apt-get install -y python3-torch libopenblas0-pthread
"""
import argparse, importlib.util, json, os, struct, sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CONFIG = dict(vocab=11, ctx=40, layers=2, heads=2, dmodel=16)
BATCH, SEQ = 2, 40    # SEQ > 36 so the Java attention crosses its query blocks
ADAMW = dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)


def load_module(path):
    spec = importlib.util.spec_from_file_location('torch_gpt', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_safetensors(path, tensors, metadata):
    header, offset, blobs = {'__metadata__': metadata}, 0, []
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    js = json.dumps(header, separators=(',', ':')).encode()
    js += b' ' * (-len(js) % 8)
    with open(path + '.tmp', 'wb') as f:
        f.write(struct.pack('<Q', len(js)) + js + b''.join(blobs))
    os.replace(path + '.tmp', path)


def read_safetensors(path):
    """A minimal reader (the safetensors package is not in Debian): returns name -> float32 tensor, metadata."""
    import numpy as np
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for name, h in header.items():
        assert h['dtype'] == 'F32', name
        b, e = h['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + b:8 + n + e], dtype='<f4').copy()).reshape(h['shape'])
    return out, meta


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
    mod = load_module(args.torch_gpt)
    torch.manual_seed(1234)
    c = CONFIG
    model = mod.GPT(c['vocab'], c['ctx'], c['layers'], c['heads'], c['dmodel'])
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
    write_safetensors(args.out, tensors, meta)
    print(json.dumps({'out': args.out, 'bytes': os.path.getsize(args.out), 'loss': loss.item()}))


def check(args):
    """Loads a covlab-written model.safetensors into torch_gpt's GPT (strict names and shapes) and scores the fixed batch."""
    mod = load_module(args.torch_gpt)
    tensors, meta = read_safetensors(args.check)
    c = {k: int(meta[k]) for k in CONFIG} if all(k in meta for k in CONFIG) else CONFIG
    model = mod.GPT(c['vocab'], c['ctx'], c['layers'], c['heads'], c['dmodel'])
    model.load_state_dict(tensors, strict=True)
    tokens, targets, weights = (z[:, :c['ctx']] for z in fixed_batch(c['vocab']))
    with torch.no_grad():
        loss = masked_loss(model(tokens).double(), targets, weights)
    print(json.dumps({'loaded': args.check, 'tensors': len(tensors), 'loss': loss.item()}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--torch-gpt', default=os.path.join(REPO, '..', 'shared', 'bench', 'torch_gpt.py'),
                    help='path of torch_gpt.py (default: ../shared/bench/torch_gpt.py beside the repo)')
    ap.add_argument('--out', default=os.path.join(REPO, 'src', 'test', 'resources', 'fixtures', 'torch_gpt_small.safetensors'))
    ap.add_argument('--check', help='a covlab model.safetensors to load into torch instead of making the fixture')
    args = ap.parse_args()
    if not os.path.exists(args.torch_gpt):
        sys.exit('torch_gpt.py not found at %s; pass --torch-gpt PATH' % args.torch_gpt)
    check(args) if args.check else make(args)


if __name__ == '__main__':
    main()
