"""PyTorch (CPU) twin of the tiny policy, for bench/policy.ts.

Same architecture as src/model (pre-LN decoder, tied embeddings, learned positions, token-shift
embeddings, exact GELU, patch encoder with 2x2 merges, visual tokens spliced at image slots, the
copy head's mixture with its context matching when the config has them), same batch shapes, written
the way one would in PyTorch: nn.Linear layers, one qkv matmul, batched attention, a static
(preallocated, in-place) KV cache for decoding, AdamW with clipping.

Usage: python3 policy_torch.py '<json>' where json has config, sft {batchSize, seqLen,
imagesPerSequence, lossShare}, decode {batches, promptLen, newTokens}, threads, steps, and
optionally device ("cpu" by default, "cuda" for bench/gpu.ts: every tensor is made there).
Prints one JSON object.
"""
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h, dff, eps):
        super().__init__()
        self.h, self.dh = h, d // h
        self.ln1 = nn.LayerNorm(d, eps=eps)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=eps)
        self.fc = nn.Linear(d, dff)
        self.proj = nn.Linear(dff, d)

    def heads(self, x):
        B, T, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.h, self.dh).permute(2, 0, 3, 1, 4)
        return q, k, v

    def finish(self, x, o):
        B, H, T, dh = o.shape
        x = x + self.out(o.transpose(1, 2).reshape(B, T, H * dh))
        return x + self.proj(F.gelu(self.fc(self.ln2(x))))

    def forward(self, x, mask):
        q, k, v = self.heads(x)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(self.dh) + mask
        return self.finish(x, torch.softmax(s, -1) @ v)

    def step(self, x, kc, vc, pos):
        """x: [B, 1, d]; writes this position's k, v into the preallocated caches."""
        q, k, v = self.heads(x)
        kc[:, :, pos : pos + 1] = k
        vc[:, :, pos : pos + 1] = v
        s = (q @ kc[:, :, : pos + 1].transpose(-1, -2)) / math.sqrt(self.dh)
        return self.finish(x, torch.softmax(s, -1) @ vc[:, :, : pos + 1])


class TinyVLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, v = c["dModel"], c["visual"]
        self.c = c
        self.tok = nn.Embedding(c["vocabSize"], d)
        self.pos = nn.Embedding(c["maxSeq"], d)
        # Token shift: embeddings of the n previous tokens (row vocabSize = none), config.ts.
        self.shift = nn.ModuleList(nn.Embedding(c["vocabSize"] + 1, d) for _ in range(c.get("tokenShift", 0)))
        widths = [v["patchSize"] ** 2 * 3] + v["channels"]
        self.stages = nn.ModuleList(nn.Linear(widths[i] * (1 if i == 0 else 4), widths[i + 1]) for i in range(len(v["channels"])))
        self.vis_out = nn.Linear(4 * widths[-1], d)
        g = v["imageSide"] // (v["patchSize"] * 2 ** len(v["channels"]))
        self.K = g * g
        self.vis_pos = nn.Parameter(torch.zeros(self.K, d))
        self.blocks = nn.ModuleList(Block(d, c["nHeads"], c["dFF"], c["layerNormEps"]) for _ in range(c["nLayers"]))
        self.ln_f = nn.LayerNorm(d, eps=c["layerNormEps"])
        if c.get("copyHead"):
            # Copy head (src/model/copyHead.ts): gate, query, key, recency slope.
            dc = d // c["nHeads"]
            self.copy_q = nn.Linear(d, dc, bias=False)
            self.copy_k = nn.Linear(d, dc, bias=False)
            self.copy_gate = nn.Linear(d, 1)
            self.copy_recency = nn.Parameter(torch.zeros(1))
            # Context matching (copyMatch): mu_m per matched token, raw weights start at 1/4, scale 8.
            self.copy_match = nn.Parameter(torch.full((c.get("copyMatch", 0),), 0.25))

    def encode(self, patches):
        """patches: [n * K * 4^levels, p*p*3] in the same Z order as src/model/visual.ts."""
        x = patches
        for i, lin in enumerate(self.stages):
            if i > 0:
                x = x.reshape(-1, 4 * x.shape[1])
            x = F.gelu(lin(x))
        x = self.vis_out(x.reshape(-1, 4 * x.shape[1]))
        return (x.view(-1, self.K, x.shape[-1]) + self.vis_pos).reshape(-1, x.shape[-1])

    def embed(self, ids, patches, image_slots, positions, before=None):
        """before: [B, n] ids preceding this chunk (decoding), or None at the start of the rows."""
        x = self.tok(ids)
        if patches is not None:
            x = x.reshape(-1, x.shape[-1]).index_copy(0, image_slots, self.encode(patches)).view_as(x)
        x = x + self.pos(positions)
        if self.shift:
            n = len(self.shift)
            if before is None:
                before = torch.full((ids.shape[0], n), self.c["vocabSize"], dtype=ids.dtype)
            ext = torch.cat([before, ids], 1)
            for k, emb in enumerate(self.shift, 1):
                x = x + emb(ext[:, n - k : ext.shape[1] - k])
        return x

    def logits(self, h):
        return h @ self.tok.weight.t()

    def match_bonus(self, ids, image, t):
        """[M, L] copy score bonus of context matches (copyHead.ts matchLength): ids, image [M, L]
        (each query's row), t [M] the query positions."""
        M, L = ids.shape
        bonus = torch.zeros(M, L)
        ok = torch.ones(M, L, dtype=torch.bool)
        rows = torch.arange(M)
        for m in range(1, self.copy_match.shape[0] + 1):
            cand = torch.full((M, L), -1, dtype=ids.dtype)
            cand[:, m:] = ids[:, :-m]
            cand_img = torch.ones(M, L, dtype=torch.bool)
            cand_img[:, m:] = image[:, :-m]
            qi = t + 1 - m
            qid = torch.where(qi >= 0, ids[rows, qi.clamp(min=0)], torch.full_like(qi, -2))
            qimg = image[rows, qi.clamp(min=0)] | (qi < 0)
            ok = ok & (cand == qid.unsqueeze(1)) & ~cand_img & ~qimg.unsqueeze(1)
            bonus = bonus + ok * (8 * self.copy_match[m - 1])
        return bonus

    def copy_logprobs(self, h_sel, logits, keys, ids, back, mask, bonus=None):
        """log p [M, V] of the copy mixture: h_sel [M, d], keys [M, L, dc] (each query's row),
        ids [M, L], back [M, L] = positions back, mask [M, L] True where a position may be copied."""
        q = self.copy_q(h_sel) / math.sqrt(keys.shape[-1])
        slope = F.softplus(self.copy_recency) / 16
        s = (keys @ q.unsqueeze(-1)).squeeze(-1) - slope * back
        if bonus is not None:
            s = s + bonus
        a = torch.softmax(s.masked_fill(~mask, float("-inf")), -1)
        copy = torch.zeros_like(logits).scatter_add_(1, ids, a)
        g = torch.sigmoid(self.copy_gate(h_sel))
        return torch.log(g * torch.softmax(logits, -1) + (1 - g) * copy + 1e-30)


def make_sft_batch(c, model, s, gen):
    B, T, n_img = s["batchSize"], s["seqLen"], s["imagesPerSequence"]
    ids = torch.randint(0, c["vocabSize"] - 10, (B, T), generator=gen)
    mask = torch.rand(B, T, generator=gen) < s["lossShare"]
    slots = []
    for b in range(B):
        for i in range(n_img):
            start = 10 + i * (model.K + 20)
            slots.extend(b * T + start + k for k in range(model.K))
            mask[b, start : start + model.K] = False
    v = c["visual"]
    per_image = model.K * 4 ** len(v["channels"])
    patches = torch.rand(B * n_img * per_image, v["patchSize"] ** 2 * 3, generator=gen) * 2 - 1
    mask[:, 0] = False
    sel = mask.reshape(-1).nonzero().squeeze(1)
    return ids, patches, torch.tensor(slots), sel


def sft_step(model, opt, batch, causal):
    ids, patches, slots, sel = batch
    B, T = ids.shape
    x = model.embed(ids, patches, slots, torch.arange(T).expand(B, T))
    for blk in model.blocks:
        x = blk(x, causal)
    hn = model.ln_f(x)
    h = hn.reshape(B * T, -1).index_select(0, sel - 1)
    target = ids.reshape(-1).index_select(0, sel)
    if hasattr(model, "copy_q"):
        rows, t = (sel - 1) // T, (sel - 1) % T
        keys = model.copy_k(hn)[rows]
        j = torch.arange(T)
        img = torch.zeros(B * T, dtype=torch.bool)
        img[slots] = True
        img = img.view(B, T)[rows]
        mask = (j <= t.unsqueeze(1)) & (~img | (j == t.unsqueeze(1)))
        bonus = model.match_bonus(ids[rows], img, t) if model.copy_match.numel() else None
        logp = model.copy_logprobs(h, model.logits(h), keys, ids[rows], (t.unsqueeze(1) - j).clamp(min=0).float(), mask, bonus)
        loss = -logp.gather(1, target.unsqueeze(1)).mean()
    else:
        loss = F.cross_entropy(model.logits(h), target)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


@torch.no_grad()
def decode(model, c, B, prompt_len, new_tokens, gen):
    H, dh = c["nHeads"], c["dModel"] // c["nHeads"]
    L = prompt_len + new_tokens
    caches = [(torch.zeros(B, H, L, dh), torch.zeros(B, H, L, dh)) for _ in model.blocks]
    ids = torch.randint(0, c["vocabSize"] - 10, (B, prompt_len), generator=gen)
    # Prefill: the whole prompt at once, keys/values written into the caches.
    x = model.embed(ids, None, None, torch.arange(prompt_len).expand(B, prompt_len))
    causal = torch.full((prompt_len, prompt_len), float("-inf")).triu(1)
    for blk, (kc, vc) in zip(model.blocks, caches):
        q, k, v = blk.heads(x)
        kc[:, :, :prompt_len], vc[:, :, :prompt_len] = k, v
        s = q @ k.transpose(-1, -2) / math.sqrt(dh) + causal
        x = blk.finish(x, torch.softmax(s, -1) @ v)
    copying = hasattr(model, "copy_q")
    hn = model.ln_f(x)
    if copying:
        ckeys = torch.zeros(B, L, model.copy_k.out_features)
        cids = torch.zeros(B, L, dtype=torch.long)
        ckeys[:, :prompt_len], cids[:, :prompt_len] = model.copy_k(hn), ids

    def next_logprobs(h, n):
        logits = model.logits(h)
        if not copying:
            return logits
        back = (n - 1 - torch.arange(n)).float().expand(B, n)
        bonus = model.match_bonus(cids[:, :n], torch.zeros(B, n, dtype=torch.bool), torch.full((B,), n - 1)) if model.copy_match.numel() else None
        return model.copy_logprobs(h, logits, ckeys[:, :n], cids[:, :n], back, torch.ones(B, n, dtype=torch.bool), bonus)

    nxt = next_logprobs(hn[:, -1], prompt_len)
    hist = ids[:, -max(1, len(model.shift)):]
    t0 = time.perf_counter()
    for i in range(new_tokens):
        probs = torch.softmax(nxt, -1)
        tok = torch.multinomial(probs, 1, generator=gen)
        pos = prompt_len + i
        x = model.embed(tok, None, None, torch.full((B, 1), pos), hist[:, -len(model.shift):] if model.shift else None)
        hist = torch.cat([hist[:, 1:], tok], 1)
        for blk, (kc, vc) in zip(model.blocks, caches):
            x = blk.step(x, kc, vc, pos)
        h = model.ln_f(x[:, -1])
        if copying:
            ckeys[:, pos], cids[:, pos] = model.copy_k(h), tok[:, 0]
        nxt = next_logprobs(h, pos + 1)
        nxt.tolist() if B == 1 else None  # the TF.js side downloads logits every step too
    if torch.cuda.is_available() and nxt.is_cuda:
        torch.cuda.synchronize()  # kernels run asynchronously: the clock stops when they are done
    return B * new_tokens / (time.perf_counter() - t0)


def blas_info():
    """Which BLAS this process really loaded (from /proc/self/maps, after a matmul) and its sgemm
    speed at 1024^3 on one thread. Debian's python3-torch calls whatever libblas.so.3 the
    alternatives system points at: the reference BLAS on a fresh machine (~4 GFLOP/s), OpenBLAS
    once libopenblas0-pthread is installed (~20x faster). A ratio against the reference BLAS
    measures the machine's packages, not the engines."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
    a @ b
    reps, t0 = 3, time.perf_counter()
    for _ in range(reps):
        a @ b
    gflops = 2 * 1024**3 * reps / (time.perf_counter() - t0) / 1e9
    torch.set_num_threads(threads)
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            name = os.path.basename(path)
            if path.startswith("/") and any(k in name for k in ("blas", "lapack", "mkl", "blis")):
                libs.add(os.path.realpath(path))
    joined = " ".join(sorted(libs))
    kind = "openblas" if "openblas" in joined else "mkl" if "mkl" in joined else "blis" if "blis" in joined else "reference" if "/blas/libblas" in joined else "unknown"
    return {"kind": kind, "libraries": sorted(libs), "sgemm1024Gflops1Thread": round(gflops, 1)}


def main():
    args = json.loads(sys.argv[1])
    c = args["config"]
    blas = blas_info()
    torch.set_num_threads(args.get("threads", torch.get_num_threads()))
    device = args.get("device", "cpu")
    if device != "cpu":
        if not torch.cuda.is_available():
            print(json.dumps({"torch": torch.__version__, "error": "torch.cuda.is_available() is False: this PyTorch has no CUDA (Debian's python3-torch is CPU-only)"}))
            return
        torch.set_default_device(device)
    torch.manual_seed(0)
    gen = torch.Generator(device=device).manual_seed(0)
    model = TinyVLM(c)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.01)
    batch = make_sft_batch(c, model, args["sft"], gen)
    T = args["sft"]["seqLen"]
    causal = torch.full((T, T), float("-inf")).triu(1)
    times = []
    for i in range(args.get("steps", 5) + 1):
        t0 = time.perf_counter()
        sft_step(model, opt, batch, causal)
        if i > 0:
            times.append((time.perf_counter() - t0) * 1000)
    d = args["decode"]
    decode_tps = {str(B): decode(model, c, B, d["promptLen"], d["newTokens"], gen) for B in d["batches"]}
    print(json.dumps({
        "torch": torch.__version__,
        "device": device if device == "cpu" else "%s (%s)" % (device, torch.cuda.get_device_name()),
        "blas": blas,
        "threads": torch.get_num_threads(),
        "sftStepMs": statistics.median(times),
        "decodeTokensPerSec": decode_tps,
    }))


if __name__ == "__main__":
    main()
