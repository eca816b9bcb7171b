#!/usr/bin/env python3
"""covlab's GPT in PyTorch (docs/architecture.md), and its checkpoint files with Python's standard library.

The module's state_dict has exactly the names and shapes of covlab's model.safetensors, so
load_state_dict(strict=True) takes a covlab checkpoint and covlab reads this module's weights:

  import sys; sys.path.insert(0, 'scripts'); import covlab_gpt
  model, cfg = covlab_gpt.load_checkpoint('runs/tiny/checkpoints/step-000100')   # config.json + model.safetensors
  covlab_gpt.save_checkpoint('runs/mine', model, task='fig2', H=8)               # what ./covlab eval reads

No safetensors package is needed: the format is an 8-byte little-endian header length, a JSON header, raw bytes.
Setup on Debian: apt-get install -y python3-torch libopenblas0-pthread (then use /usr/bin/python3).
"""
import json, math, os, struct

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    """Pre-LayerNorm block: x + proj(attn(ln1(x))), then x + out(gelu_tanh(fc(ln2(x))))."""
    def __init__(self, d, heads):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)        # eps 1e-5, with bias
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)   # qkv rows: [q; k; v], heads contiguous in each
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.heads = heads

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)
        att = att.masked_fill(~torch.ones(t, t, dtype=torch.bool).tril(), float('-inf')).softmax(dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.out(F.gelu(self.fc(self.ln2(x)), approximate='tanh'))


class GPT(nn.Module):
    """Token + learned position embeddings, the blocks, a final LayerNorm, an untied head without bias."""
    def __init__(self, vocab, ctx, layers, heads, d):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

    def forward(self, idx):                                           # idx (batch, seq) -> logits (batch, seq, vocab)
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln(x))


def from_config(model_cfg):
    """A GPT of config.json's "model" block: {vocab, ctx, layers, heads, dModel}."""
    c = model_cfg
    return GPT(c['vocab'], c['ctx'], c['layers'], c['heads'], c['dModel'])


def write_safetensors(path, tensors, metadata=None):
    """name -> tensor as F32 safetensors, written to a temporary file and renamed."""
    assert struct.pack('=f', 1.0) == struct.pack('<f', 1.0), 'this writer assumes a little-endian machine'
    header, offset, blobs = ({'__metadata__': metadata} if metadata else {}), 0, []
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    js = json.dumps(header, separators=(',', ':')).encode()
    js += b' ' * (-len(js) % 8)
    with open(path + '.tmp', 'wb') as f:
        f.write(struct.pack('<Q', len(js)) + js + b''.join(blobs))
    os.replace(path + '.tmp', path)


def read_safetensors(path):
    """name -> float32 tensor, and the metadata (F32 files, as covlab writes)."""
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for name, h in header.items():
        assert h['dtype'] == 'F32', '%s: %s' % (name, h['dtype'])
        b, e = h['data_offsets']
        out[name] = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=torch.float32).reshape(h['shape'])
    return out, meta


def save_checkpoint(folder, model, task, H, edge_order='layer'):
    """A checkpoint folder covlab reads: config.json (shape and task) and model.safetensors."""
    first = model.blocks[0]
    cfg = {'model': {'vocab': model.tok.num_embeddings, 'ctx': model.pos.num_embeddings, 'layers': len(model.blocks),
                     'heads': first.heads, 'dModel': model.tok.embedding_dim},
           'task': {'name': task, 'H': H, 'edgeOrder': edge_order.upper()}}
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    write_safetensors(os.path.join(folder, 'model.safetensors'), model.state_dict())


def load_checkpoint(folder):
    """A covlab checkpoint folder as (GPT with its weights, config.json as a dict)."""
    with open(os.path.join(folder, 'config.json')) as f:
        cfg = json.load(f)
    model = from_config(cfg['model'])
    model.load_state_dict(read_safetensors(os.path.join(folder, 'model.safetensors'))[0], strict=True)
    return model, cfg


def response_logprobs(model, prompt, responses):
    """log pi(y | prompt) for each response y (lists of token ids), summed over y's tokens, in float64."""
    out = []
    with torch.no_grad():
        for y in responses:
            seq = torch.tensor([list(prompt) + list(y)])
            logp = model(seq[:, :-1]).double().log_softmax(-1)[0]
            out.append(sum(logp[len(prompt) - 1 + i, tok].item() for i, tok in enumerate(y)))
    return out
