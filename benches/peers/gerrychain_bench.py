"""The peer on the same data and metric as `cargo bench --bench optimize`.

Runs gerrychain's `recursive_tree_part` (balanced contiguous partitions by random
spanning-tree cuts) on ../shared/data/bench with the bench's adjacency and weights, and
prints max deviation from the mean, pieces, mean weighted distance to the territory's
weighted centre (km, EPSG:5070 centroids) and seconds, like the Rust bench.

    pip install gerrychain        # from PyPI
    python3 benches/peers/gerrychain_bench.py us_counties weight 50 0.01 [seed]
"""
import csv
import gzip
import json
import math
import random
import sys
import time
from pathlib import Path

import networkx as nx
from gerrychain import Graph
from gerrychain.partition import recursive_tree_part

BENCH = Path(__file__).resolve().parents[3] / "shared" / "data" / "bench"


def load(name, weight):
    plain = BENCH / f"{name}.geojson"
    opener = open if plain.exists() else gzip.open
    with opener(plain if plain.exists() else BENCH / f"{name}.geojson.gz", "rt") as f:
        features = json.load(f)["features"]
    g = nx.Graph()
    for i, feat in enumerate(features):
        p = feat["properties"]
        g.add_node(i, w=float(p[weight]), x=p["cx_m"] / 1000.0, y=p["cy_m"] / 1000.0)
    with open(BENCH / f"{name}.adj.csv") as f:
        for row in csv.DictReader(f):
            g.add_edge(int(row["i"]), int(row["j"]))
    return g


def figures(g, parts, k):
    loads = [0.0] * k
    sums = [[0.0, 0.0, 0.0] for _ in range(k)]
    for u, t in parts.items():
        d = g.nodes[u]
        loads[t] += d["w"]
        s = sums[t]
        s[0] += d["w"] * d["x"]
        s[1] += d["w"] * d["y"]
        s[2] += d["w"]
    mean = sum(loads) / k
    max_dev = max(abs(l - mean) / mean for l in loads)
    centres = [(s[0] / s[2], s[1] / s[2]) if s[2] > 0 else (0.0, 0.0) for s in sums]
    dist = sum(g.nodes[u]["w"] * math.dist((g.nodes[u]["x"], g.nodes[u]["y"]), centres[t]) for u, t in parts.items())
    pieces = sum(1 for t in range(k) if not nx.is_connected(g.subgraph([u for u, x in parts.items() if x == t])))
    return max_dev, pieces, dist / sum(loads)


def main():
    name, weight, k, eps = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    random.seed(seed)
    g = load(name, weight)
    graph = Graph.from_networkx(g)
    total = sum(d["w"] for _, d in g.nodes(data=True))
    started = time.time()
    parts = recursive_tree_part(graph, range(k), total / k, "w", eps)
    secs = time.time() - started
    max_dev, pieces, dist = figures(g, parts, k)
    print(f"{name:<12} {k:>4} {eps * 100:>4.0f}% {max_dev * 100:>8.2f}% {pieces:>8} {dist:>10.1f} {secs:>8.2f}")


if __name__ == "__main__":
    main()
