#!/usr/bin/env python3
"""Offline training for mapped inference on the sklearn digits (docs/networks.md): a 64 -> 10
softmax (multinomial logistic regression with an L2 penalty, full-batch gradient descent in numpy)
on the stated 1200-image training split, then its weights mapped to differential conductance pairs
G+ - G- with every G in [g_min, g_max], and to LIF weights in V.

The split is memlab's (network::split_indices: a Fisher-Yates shuffle by util::rng, splitmix64
seeding xoshiro256**), reproduced here; tests/cli/test_network.py checks it against the indices a
memlab run writes.

    /usr/bin/python3 scripts/digits_softmax.py --out FOLDER [--split-seed 1]

writes FOLDER/weights_lif.csv (65 x 10: 64 pixel rows, then the bias row; V), FOLDER/g_plus.csv and
FOLDER/g_minus.csv (65 x 10, S) and FOLDER/softmax.json (accuracies, the scale).

    /usr/bin/python3 scripts/digits_softmax.py --data fashion_mnist --out FOLDER

does the same for Fashion-MNIST (dataset-fashion-mnist; 784 pixels, its own 60000 / 10000 split,
trained by minibatch gradient descent: 785 x 10 files)."""
import argparse
import gzip
import json
from pathlib import Path

import numpy as np

DIGITS = Path("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz")
FASHION = Path("/usr/share/datasets/fashion-mnist")
M64 = (1 << 64) - 1


class Rng:
    """memlab's util::rng (src/util/rng.cpp): the same integers for a seed."""

    def __init__(self, seed):
        z, self.s = seed, []
        for _ in range(4):
            z = (z + 0x9E3779B97F4A7C15) & M64
            x = z
            x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
            x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(x ^ (x >> 31))

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M64  # noqa: E731
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        reject_from = ((1 << 64) - ((1 << 64) % n)) & M64
        while True:
            x = self.next()
            if reject_from == 0 or x < reject_from:
                return x % n


def split(count, train, seed):
    """network::split_indices: (train indices, test indices)."""
    idx = list(range(count))
    r = Rng(seed)
    for k in range(count, 1, -1):
        j = r.below(k)
        idx[k - 1], idx[j] = idx[j], idx[k - 1]
    return np.array(idx[:train]), np.array(idx[train:])


def load():
    with gzip.open(DIGITS, "rt") as f:
        a = np.loadtxt(f, delimiter=",")
    return a[:, :64] / 16.0, a[:, 64].astype(int)


def load_fashion(train):
    """Fashion-MNIST's training or test set as (pixels / 255, labels) (IDX files, gzipped)."""
    stem = "train" if train else "t10k"
    x = np.frombuffer(gzip.open(FASHION / f"{stem}-images-idx3-ubyte.gz").read(), np.uint8, offset=16)
    y = np.frombuffer(gzip.open(FASHION / f"{stem}-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    return x.reshape(len(y), -1) / 255.0, y.astype(int)


def train_softmax_minibatch(x, y, l2=1e-4, epochs=20, batch=100, lr=0.1, seed=1):
    """The same loss as train_softmax, by minibatch gradient descent (a fixed numpy shuffle)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros((d + 1, 10))
    onehot = np.eye(10)[y]
    order = np.random.default_rng(seed)
    for _ in range(epochs):
        perm = order.permutation(n)
        for k in range(0, n, batch):
            b = perm[k:k + batch]
            z = xb[b] @ w
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            w -= lr * (xb[b].T @ (p - onehot[b]) / len(b) + l2 * np.vstack([w[:-1], np.zeros((1, 10))]))
    return w


def train_softmax(x, y, l2=1e-3, steps=3000, lr=0.5):
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros((d + 1, 10))
    onehot = np.eye(10)[y]
    for _ in range(steps):
        z = xb @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = xb.T @ (p - onehot) / n + l2 * np.vstack([w[:-1], np.zeros((1, 10))])
        w -= lr * grad
    return w


def accuracy(w, x, y):
    return float(np.mean(np.argmax(np.hstack([x, np.ones((len(x), 1))]) @ w, axis=1) == y))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--split-seed", type=int, default=1)
    ap.add_argument("--train", type=int, default=1200)
    ap.add_argument("--g-min", type=float, default=1e-6, help="S")
    ap.add_argument("--g-max", type=float, default=100e-6, help="S")
    ap.add_argument("--lif-scale", type=float, default=2e-3, help="V: the LIF weight of the largest |w|")
    ap.add_argument("--data", choices=["digits", "fashion_mnist"], default="digits")
    a = ap.parse_args()
    if a.data == "digits":
        x, y = load()
        tr, te = split(len(y), a.train, a.split_seed)
        w = train_softmax(x[tr], y[tr])
    else:
        x_tr, y_tr = load_fashion(True)
        x_te, y_te = load_fashion(False)
        x, y = np.vstack([x_tr, x_te]), np.concatenate([y_tr, y_te])
        tr, te = np.arange(len(y_tr)), len(y_tr) + np.arange(len(y_te))
        w = train_softmax_minibatch(x[tr], y[tr])
    # Differential pairs: w / max|w| * (g_max - g_min) = G+ - G-, the smaller of the two at g_min.
    scale = (a.g_max - a.g_min) / np.abs(w).max()
    dg = w * scale
    g_plus = np.where(dg > 0, a.g_min + dg, a.g_min)
    g_minus = np.where(dg < 0, a.g_min - dg, a.g_min)
    w_mapped = (g_plus - g_minus) / scale
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    np.savetxt(out / "g_plus.csv", g_plus, delimiter=",", fmt="%.9g")
    np.savetxt(out / "g_minus.csv", g_minus, delimiter=",", fmt="%.9g")
    np.savetxt(out / "weights_lif.csv", w / np.abs(w).max() * a.lif_scale, delimiter=",", fmt="%.9g")
    r = dict(train_accuracy=accuracy(w, x[tr], y[tr]), test_accuracy=accuracy(w, x[te], y[te]),
             test_accuracy_mapped=accuracy(w_mapped, x[te], y[te]), data=a.data,
             split_seed=a.split_seed if a.data == "digits" else None, train=int(len(tr)), test=int(len(te)),
             conductance_per_weight_S=float(scale), lif_volts_per_weight=float(a.lif_scale / np.abs(w).max()),
             test_index_first=[int(i) for i in te[:5]])
    (out / "softmax.json").write_text(json.dumps(r, indent=2) + "\n")
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
