"""PyTorch peer of cwrf's recipes (calibration, and the user's loop of bench/loop.ts): trains resnet20 (option A), the
ViT of src/nn/models/vit.ts, the small CNN or an MLP on given, already normalised arrays with the same recipe (SGD or AdamW, multistep or
cosine schedule, batched flip + reflect-pad crop augmentation) and prints a JSON line with the test accuracy
and the seconds per epoch. Usage: python3 torch_cifar.py DIR ARGS_JSON  (DIR holds xtr.npy ytr.npy xte.npy yte.npy).
Module names are cwrf's (torch's), so a cwrf state dict loads as is. Lockstep mode, for comparing the two step by
step: ARGS_JSON's "init" (an .npz of cwrf's initial state dict) replaces the initialisation and "batches" (lists of
row indices per epoch) replaces the shuffled batches; the peer then trains those steps and prints {"losses": [...],
"testLogits": [...]}: every step's loss and the eval-mode logits of xte after training."""
import json, math, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F


def augment(x, g, flip, crop, pad):
    if not flip and not crop:
        return x
    n, c, h, w = x.shape
    if flip:
        m = (torch.rand(n, generator=g) < 0.5).view(n, 1, 1, 1)
        x = torch.where(m, x.flip(3), x)
    if crop:
        p = F.pad(x, (pad,) * 4, mode='reflect')
        oy = torch.randint(0, 2 * pad + 1, (n,), generator=g)
        ox = torch.randint(0, 2 * pad + 1, (n,), generator=g)
        rows = (oy.view(n, 1) + torch.arange(h).view(1, h)).view(n, 1, h, 1).expand(n, c, h, w + 2 * pad)
        cols = (ox.view(n, 1) + torch.arange(w).view(1, w)).view(n, 1, 1, w).expand(n, c, h, w)
        x = p.gather(2, rows).gather(3, cols)
    return x


class Block(nn.Module):
    def __init__(s, i, o, st):
        super().__init__()
        s.st, s.o = st, o
        s.conv1 = nn.Conv2d(i, o, 3, st, 1, bias=False); s.bn1 = nn.BatchNorm2d(o)
        s.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(o)

    def forward(s, x):
        out = s.bn2(s.conv2(F.relu(s.bn1(s.conv1(x)))))
        sc = x
        if s.st != 1 or x.shape[1] != s.o:
            sc = x[:, :, ::s.st, ::s.st]
            e = s.o - x.shape[1]
            sc = F.pad(sc, (0, 0, 0, 0, e // 2, e - e // 2))
        return F.relu(out + sc)


class CifarResNet(nn.Module):
    def __init__(s, depth=20, classes=10, width=1.0):
        super().__init__()
        n = (depth - 2) // 6
        ws = [round(16 * width), round(32 * width), round(64 * width)]
        s.conv1 = nn.Conv2d(3, ws[0], 3, 1, 1, bias=False); s.bn1 = nn.BatchNorm2d(ws[0])
        i = ws[0]
        for st, o in enumerate(ws):
            blocks = []
            for b in range(n):
                blocks.append(Block(i, o, 2 if st > 0 and b == 0 else 1)); i = o
            setattr(s, f'layer{st + 1}', nn.Sequential(*blocks))
        s.linear = nn.Linear(i, classes)

    def forward(s, x):
        h = F.relu(s.bn1(s.conv1(x)))
        return s.linear(F.adaptive_avg_pool2d(s.layer3(s.layer2(s.layer1(h))), 1).flatten(1))


class Attn(nn.Module):
    def __init__(s, d, h):
        super().__init__(); s.h = h; s.qkv = nn.Linear(d, 3 * d); s.proj = nn.Linear(d, d)

    def forward(s, x):
        n, t, d = x.shape
        q, k, v = s.qkv(x).view(n, t, 3, s.h, d // s.h).permute(2, 0, 3, 1, 4)
        a = (q @ k.transpose(2, 3) * (1 / math.sqrt(d // s.h))).softmax(3)
        return s.proj((a @ v).transpose(1, 2).reshape(n, t, d))


class Mlp(nn.Module):
    def __init__(s, d):
        super().__init__(); s.fc1 = nn.Linear(d, 4 * d); s.fc2 = nn.Linear(4 * d, d)

    def forward(s, x):
        return s.fc2(F.gelu(s.fc1(x)))


class PatchEmbed(nn.Module):
    def __init__(s, d, patch):
        super().__init__(); s.proj = nn.Conv2d(3, d, patch, patch)

    def forward(s, x):
        return s.proj(x).flatten(2).transpose(1, 2)


class VBlock(nn.Module):
    def __init__(s, d, h):
        super().__init__()
        s.norm1 = nn.LayerNorm(d, eps=1e-6); s.attn = Attn(d, h); s.norm2 = nn.LayerNorm(d, eps=1e-6); s.mlp = Mlp(d)

    def forward(s, x):
        x = x + s.attn(s.norm1(x))
        return x + s.mlp(s.norm2(x))


class ViT(nn.Module):
    def __init__(s, classes=10, depth=6, dim=192, heads=3, patch=4, size=32):
        super().__init__()
        t = (size // patch) ** 2
        s.cls_token = nn.Parameter(torch.randn(1, 1, dim) * .02); s.pos_embed = nn.Parameter(torch.randn(1, t + 1, dim) * .02)
        s.patch_embed = PatchEmbed(dim, patch); s.blocks = nn.Sequential(*[VBlock(dim, heads) for _ in range(depth)])
        s.norm = nn.LayerNorm(dim, eps=1e-6); s.head = nn.Linear(dim, classes)

    def forward(s, x):
        t = s.patch_embed(x)
        t = torch.cat([s.cls_token.expand(t.shape[0], 1, -1), t], 1) + s.pos_embed
        return s.head(s.norm(s.blocks(t))[:, 0])


class SmallCnn(nn.Sequential):  # cwrf's smallcnn (src/nn/models/small-cnn.ts), norm none
    def __init__(s, c, h, w, classes):
        super().__init__(nn.Conv2d(c, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * (h // 4) * (w // 4), 128), nn.ReLU(), nn.Linear(128, classes))


class TabularMlp(nn.Sequential):  # cwrf's mlp (src/nn/models/mlp.ts): hidden layers with tanh or relu (not the ViT's Mlp above)
    def __init__(s, features, hidden, classes, act):
        A = nn.Tanh if act == 'tanh' else nn.ReLU
        layers, i = [], features
        for h in hidden:
            layers += [nn.Linear(i, h), A()]; i = h
        super().__init__(*layers, nn.Linear(i, classes))


def build(m, xtr, classes):
    if m['arch'].startswith('resnet'):
        return CifarResNet(int(m['arch'][6:]), classes, m.get('width', 1))
    if m['arch'] == 'smallcnn':
        return SmallCnn(xtr.shape[1], xtr.shape[2], xtr.shape[3], classes)
    if m['arch'] == 'mlp':
        return TabularMlp(int(np.prod(xtr.shape[1:])), m['hidden'], classes, m.get('activation', 'relu'))
    return ViT(classes, m.get('depth', 6), m.get('dim', 192), m.get('heads', 3), m.get('patch', 4), xtr.shape[2])


def lockstep(net, opt, lr_at, xtr, ytr, xte, epochs, g, aug):
    """Trains on the given batches (a list per epoch, lists of row indices) and returns every step's loss and
    the eval-mode logits of xte after training."""
    net.train()
    losses = []
    for e, batches in enumerate(epochs):
        for gr in opt.param_groups: gr['lr'] = lr_at(e)
        for b in batches:
            idx = torch.tensor(b, dtype=torch.long)
            opt.zero_grad()
            loss = F.cross_entropy(net(augment(xtr[idx], g, aug['flip'], aug['crop'], aug['pad'])), ytr[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
    net.eval()
    with torch.no_grad():
        logits = net(xte).flatten().tolist()
    print(json.dumps({'losses': losses, 'testLogits': logits, 'torch': torch.__version__}))


def main():
    d, a = sys.argv[1], json.loads(sys.argv[2])
    torch.set_num_threads(a.get('threads', 2))
    torch.manual_seed(a.get('seed', 0))
    g = torch.Generator().manual_seed(a.get('seed', 0))
    xtr, ytr = torch.from_numpy(np.load(f'{d}/xtr.npy')), torch.from_numpy(np.load(f'{d}/ytr.npy')).long()
    xte, yte = torch.from_numpy(np.load(f'{d}/xte.npy')), torch.from_numpy(np.load(f'{d}/yte.npy')).long()
    classes = int(max(ytr.max(), yte.max()) + 1)
    m = a['model']
    net = build(m, xtr, classes)
    if m['arch'] == 'mlp':
        xtr, xte = xtr.reshape(len(xtr), -1), xte.reshape(len(xte), -1)
    if a.get('dtype') == 'float64':
        net = net.double()
    o = a['optimizer']
    opt = torch.optim.SGD(net.parameters(), lr=o['lr'], momentum=o.get('momentum', 0), weight_decay=o.get('weightDecay', 0)) \
        if o['name'] == 'sgd' else torch.optim.Adam(net.parameters(), lr=o['lr'], weight_decay=o.get('weightDecay', 0)) \
        if o['name'] == 'adam' else torch.optim.AdamW(net.parameters(), lr=o['lr'], weight_decay=o.get('weightDecay', 0))
    E, s = a['epochs'], a['schedule']

    def lr_at(e):
        if s['name'] == 'multistep':
            # cwrf rounds half up (JavaScript's Math.round); Python's round() rounds half to even (round(2.5) == 2)
            return o['lr'] * s.get('gamma', 0.1) ** sum(e >= math.floor(f * E + 0.5) for f in s['milestones'])
        if s['name'] == 'cosine':
            return o['lr'] * (1 + math.cos(math.pi * e / E)) / 2
        return o['lr']
    aug = a.get('augment') or {'flip': False, 'crop': False, 'pad': 4}
    if 'init' in a:
        z = np.load(a['init'])
        net.load_state_dict({k: torch.from_numpy(z[k]).reshape(v.shape) for k, v in net.state_dict().items()})
    if 'batches' in a:
        return lockstep(net, opt, lr_at, xtr, ytr, xte, a['batches'], g, aug)
    B, times = a['batchSize'], []
    for e in range(E):
        for gr in opt.param_groups: gr['lr'] = lr_at(e)
        t0 = time.perf_counter()
        net.train()
        perm = torch.randperm(len(ytr), generator=g)
        for i in range(0, len(ytr), B):
            idx = perm[i:i + B]
            opt.zero_grad()
            F.cross_entropy(net(augment(xtr[idx], g, aug['flip'], aug['crop'], aug['pad'])), ytr[idx]).backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    net.eval()
    with torch.no_grad():
        pred = torch.cat([net(xte[i:i + 1000]).argmax(1) for i in range(0, len(yte), 1000)])
    print(json.dumps({'testAccuracy': (pred == yte).float().mean().item(), 'epochSeconds': times, 'torch': torch.__version__}))


main()
