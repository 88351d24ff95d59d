#!/usr/bin/env python3
"""Write a 500-revision chain of a ~5 KB news article for `bench/run` (B1):
each revision makes one small editorial edit to the previous one (a word
swapped, a sentence moved to another paragraph, a sentence added or
removed, a figure changed), deterministically (fixed seed).

usage: blame-chain.py SEED_TEXT OUT_DIR [REVISIONS]
"""
import os, random, re, sys

src, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 500
rng = random.Random(7)
paras = [re.split(r"(?<=[.!?”])\s+", p.strip()) for p in open(src, encoding="utf-8").read().split("\n\n") if p.strip()]
swaps = ["said", "stated", "met", "fulfilled", "people", "individuals", "protests", "demonstrations", "large", "huge"]
os.makedirs(out, exist_ok=True)
for r in range(n):
    if r:
        p = rng.randrange(len(paras))
        s = rng.randrange(len(paras[p]))
        kind = rng.randrange(5)
        words = paras[p][s].split(" ")
        if kind == 0 and len(words) > 3:
            words[rng.randrange(len(words))] = rng.choice(swaps)
            paras[p][s] = " ".join(words)
        elif kind == 1 and len(paras[p]) > 1:
            moved = paras[p].pop(s)
            paras[rng.randrange(len(paras))].insert(0, moved)
        elif kind == 2:
            paras[p].insert(s, f"An update in revision {r} adds this sentence about the talks.")
        elif kind == 3 and len(paras[p]) > 1:
            paras[p].pop(s)
        else:
            paras[p][s] = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), paras[p][s], count=1) + ("" if re.search(r"\d", paras[p][s]) else " It was day 1.")
        paras = [q for q in paras if q]
    with open(os.path.join(out, f"{r + 1:04}.txt"), "w", encoding="utf-8") as f:
        f.write("\n\n".join(" ".join(q) for q in paras) + "\n")
