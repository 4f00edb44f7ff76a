"""Recipe sweep for the TinyLM chat model: a PyTorch mirror of our TypeScript model and trainer
(same architecture, initial weights from tinylm-base, AdamW with decay on matrices, cosine schedule
with warm-up, clipping, windows starting at example boundaries, reply-only loss unless mask='all'),
used to find a recipe on a GPU in minutes that our trainer then runs once on the CPU.

  npx tsx scripts/research/chat-recipe/export.ts          # writes the data to .sweep/
  python3 scripts/research/chat-recipe/sweep.py <group> <ngroups> <deadline_unix> <out.jsonl> <round>

Run several groups at once (each interleaves its configs); every 250 steps each config logs greedy
exact match on the held-out QA/JSON/tool prompts and the held-out story loss. Not part of the app
or the tests; needs PyTorch (ran on one H200 with torch 2.11).
"""
import json, math, os, sys, time, traceback
import numpy as np
import torch
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = True
dev = 'cuda' if torch.cuda.is_available() else 'cpu'
D0 = os.environ.get('SWEEP_DATA', '.sweep/')
tokens = torch.from_numpy(np.fromfile(D0 + 'tokens.bin', dtype=np.int16).astype(np.int64)).to(dev)
maskv = torch.from_numpy(np.fromfile(D0 + 'mask.bin', dtype=np.uint8).astype(np.bool_)).to(dev)
starts = torch.from_numpy(np.fromfile(D0 + 'starts.bin', dtype=np.int32).astype(np.int64)).to(dev)
skills = torch.from_numpy(np.fromfile(D0 + 'skills.bin', dtype=np.uint8).astype(np.int64)).to(dev)
EV = json.load(open(D0 + 'eval.json'))
NTOK = tokens.shape[0]
SKILLS = ['qa', 'json', 'tool', 'chat', 'story', 'copy']


class Model(torch.nn.Module):
    def __init__(s, V=1024, D=96, L=3, H=3, HKV=1, Fd=256, S=256, theta=10000.0):
        super().__init__()
        s.V, s.D, s.L, s.H, s.HKV, s.hd = V, D, L, H, HKV, D // H
        hd = s.hd
        P = torch.nn.Parameter
        s.emb = P(torch.randn(V, D) * 0.02)
        so = 0.02 / math.sqrt(2 * L)
        s.ln1 = torch.nn.ParameterList([P(torch.ones(D)) for _ in range(L)])
        s.ln2 = torch.nn.ParameterList([P(torch.ones(D)) for _ in range(L)])
        s.wq = torch.nn.ParameterList([P(torch.randn(H * hd, D) * 0.02) for _ in range(L)])
        s.wk = torch.nn.ParameterList([P(torch.randn(HKV * hd, D) * 0.02) for _ in range(L)])
        s.wv = torch.nn.ParameterList([P(torch.randn(HKV * hd, D) * 0.02) for _ in range(L)])
        s.wo = torch.nn.ParameterList([P(torch.randn(D, H * hd) * so) for _ in range(L)])
        s.wg = torch.nn.ParameterList([P(torch.randn(Fd, D) * 0.02) for _ in range(L)])
        s.wu = torch.nn.ParameterList([P(torch.randn(Fd, D) * 0.02) for _ in range(L)])
        s.wd = torch.nn.ParameterList([P(torch.randn(D, Fd) * so) for _ in range(L)])
        s.norm = P(torch.ones(D))
        inv = 1.0 / (theta ** (torch.arange(0, hd, 2).float() / hd))
        ang = torch.outer(torch.arange(S).float(), inv)
        e = torch.cat((ang, ang), -1)
        s.register_buffer('cos', e.cos())
        s.register_buffer('sin', e.sin())

    def load_hf(s, path):
        from safetensors.torch import load_file
        W = load_file(path)
        with torch.no_grad():
            s.emb.copy_(W['model.embed_tokens.weight'])
            s.norm.copy_(W['model.norm.weight'])
            for i in range(s.L):
                p = f'model.layers.{i}.'
                s.ln1[i].copy_(W[p + 'input_layernorm.weight'])
                s.ln2[i].copy_(W[p + 'post_attention_layernorm.weight'])
                s.wq[i].copy_(W[p + 'self_attn.q_proj.weight'])
                s.wk[i].copy_(W[p + 'self_attn.k_proj.weight'])
                s.wv[i].copy_(W[p + 'self_attn.v_proj.weight'])
                s.wo[i].copy_(W[p + 'self_attn.o_proj.weight'])
                s.wg[i].copy_(W[p + 'mlp.gate_proj.weight'])
                s.wu[i].copy_(W[p + 'mlp.up_proj.weight'])
                s.wd[i].copy_(W[p + 'mlp.down_proj.weight'])

    @staticmethod
    def rms(x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w

    @staticmethod
    def rot(x):
        h = x.shape[-1] // 2
        return torch.cat((-x[..., h:], x[..., :h]), -1)

    def forward(s, ids):
        B, S = ids.shape
        x = s.emb[ids]
        cos, sin = s.cos[:S], s.sin[:S]
        for i in range(s.L):
            h = s.rms(x, s.ln1[i])
            q = (h @ s.wq[i].T).view(B, S, s.H, s.hd).transpose(1, 2)
            k = (h @ s.wk[i].T).view(B, S, s.HKV, s.hd).transpose(1, 2)
            v = (h @ s.wv[i].T).view(B, S, s.HKV, s.hd).transpose(1, 2)
            q = q * cos + s.rot(q) * sin
            k = k * cos + s.rot(k) * sin
            k = k.repeat_interleave(s.H // s.HKV, dim=1)
            v = v.repeat_interleave(s.H // s.HKV, dim=1)
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, S, s.D)
            x = x + o @ s.wo[i].T
            h = s.rms(x, s.ln2[i])
            x = x + (F.silu(h @ s.wg[i].T) * (h @ s.wu[i].T)) @ s.wd[i].T
        return s.rms(x, s.norm) @ s.emb.T


@torch.no_grad()
def greedy_em(model, items, chunk=100):
    hit = 0
    for c0 in range(0, len(items), chunk):
        its = items[c0:c0 + chunk]
        N = len(its)
        maxR = max(len(it['r']) for it in its)
        maxL = max(len(it['p']) for it in its) + maxR
        buf = torch.zeros(N, maxL, dtype=torch.long, device=dev)
        cur = torch.tensor([len(it['p']) for it in its], device=dev)
        for j, it in enumerate(its):
            buf[j, :len(it['p'])] = torch.tensor(it['p'], device=dev)
        gen = torch.zeros(N, maxR, dtype=torch.long, device=dev)
        ar = torch.arange(N, device=dev)
        for t in range(maxR):
            m = int(cur.max().item())
            logits = model(buf[:, :m])
            nxt = logits[ar, cur - 1].argmax(-1)
            gen[:, t] = nxt
            buf[ar, cur] = nxt
            cur = cur + 1
        g = gen.tolist()
        for j, it in enumerate(its):
            r = it['r']
            if g[j][:len(r)] == r:
                hit += 1
    return hit / len(items)


@torch.no_grad()
def story_loss(model):
    v = torch.tensor(EV['stories'], device=dev)
    T = 128
    n = (v.shape[0] - 1) // T
    x = v[: n * T].view(n, T)
    y = v[1: n * T + 1].view(n, T)
    return F.cross_entropy(model(x).reshape(-1, model.V), y.reshape(-1)).item()


def evaluate(model):
    model.eval()
    r = {'qa': greedy_em(model, EV['qa']), 'json': greedy_em(model, EV['json']), 'tool': greedy_em(model, EV['tool']), 'story': story_loss(model)}
    model.train()
    return r


class Run:
    def __init__(s, cfg):
        s.cfg = cfg
        torch.manual_seed(cfg.get('seed', 1))
        shp = cfg.get('shape', {})
        s.model = Model(**shp).to(dev)
        if cfg.get('init', 'base') == 'base':
            s.model.load_hf(D0 + 'base.safetensors')
        ps = list(s.model.parameters())
        decay = [p for p in ps if p.dim() >= 2]
        nod = [p for p in ps if p.dim() < 2]
        groups = [{'params': decay, 'weight_decay': 0.1}, {'params': nod, 'weight_decay': 0.0}]
        try:
            s.opt = torch.optim.AdamW(groups, lr=cfg['lr'], betas=(0.9, 0.95), eps=1e-8, fused=(dev == 'cuda'))
        except Exception:
            traceback.print_exc()
            s.opt = torch.optim.AdamW(groups, lr=cfg['lr'], betas=(0.9, 0.95), eps=1e-8)
        w = cfg.get('w', {})
        wt = torch.tensor([w.get(k, 1.0 if k not in ('story', 'copy') else (0.5 if k == 'story' else 0.0)) for k in SKILLS], device=dev)
        s.weights = wt[skills]
        s.step = 0
        s.params = ps
        s.losses = []
        s.t0 = time.time()
        s.log = []

    def lr(s):
        c = s.cfg
        mx, mn, wu, tot = c['lr'], c.get('minLr', 1e-4), c.get('warmup', 20), c['steps']
        st = s.step
        if st < wu:
            return mx * (st + 1) / wu
        if st >= tot:
            return mn
        pr = (st - wu) / max(1, tot - wu)
        return mn + 0.5 * (mx - mn) * (1 + math.cos(math.pi * pr))

    def train_step(s):
        c = s.cfg
        B, T = c.get('B', 6), c.get('T', 160)
        sel = torch.multinomial(s.weights, B, replacement=True)
        idx = starts[sel][:, None] + torch.arange(T + 1, device=dev)[None]
        valid = idx < NTOK
        idx = idx.clamp(max=NTOK - 1)
        w = tokens[idx]
        x, y = w[:, :-1], w[:, 1:].clone()
        keep = valid[:, 1:]
        if c.get('mask', 'reply') == 'reply':
            keep = keep & maskv[idx[:, 1:]]
        y[~keep] = -1
        for g in s.opt.param_groups:
            g['lr'] = s.lr()
        loss = F.cross_entropy(s.model(x).reshape(-1, s.model.V), y.reshape(-1), ignore_index=-1)
        s.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(s.params, 1.0)
        s.opt.step()
        s.step += 1
        s.losses.append(loss.detach())


def main():
    group, ngroups, deadline, outf = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    from configs import ROUNDS
    CONFIGS = ROUNDS[int(sys.argv[5])]
    mine = [c for i, c in enumerate(CONFIGS) if i % ngroups == group]
    runs = [Run(c) for c in mine]
    every = 250
    out = open(outf, 'a')
    while True:
        active = [r for r in runs if r.step < r.cfg['steps']]
        if not active or time.time() > deadline:
            break
        for r in active:
            for _ in range(50):
                r.train_step()
            if r.step % every == 0 or r.step == r.cfg['steps']:
                try:
                    m = evaluate(r.model)
                except Exception:
                    traceback.print_exc()
                    m = {}
                tl = torch.stack(r.losses[-50:]).mean().item()
                rec = {'name': r.cfg['name'], 'step': r.step, 'loss': round(tl, 4), **{k: round(v, 4) for k, v in m.items()}, 'sec': round(time.time() - r.t0, 1)}
                print(json.dumps(rec), flush=True)
                out.write(json.dumps(rec) + '\n')
                out.flush()
                r.losses = []
    for r in runs:
        print(json.dumps({'name': r.cfg['name'], 'final_step': r.step}), flush=True)


if __name__ == '__main__':
    main()
