"""The parser training step in PyTorch, as the peer a user would pick instead (benchmarks only).

The network of ParserStepBenchmarks: 48 features embedded in 50 (word, tag and label tables of
about EWT's sizes), two tanh layers of 500, 103 transitions, softmax cross-entropy, AdaGrad
lr 0.01 (eps 1e-6), batch 10,000, dense back propagation. Prints seconds per step and per million
transition examples, for one thread and for two.

Run with Debian's python3 and its python3-torch (OpenBLAS):
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 tests/MeProp.Benchmarks/Peers/parser_step_torch.py
"""
import time

import torch
from torch import nn

EXAMPLES, HIDDEN, TRANSITIONS, DIM = 10_000, 500, 103, 50
WORDS, TAGS, LABELS = 8_591, 51, 53


class Parser(nn.Module):
    def __init__(self):
        super().__init__()
        self.words, self.tags, self.labels = nn.Embedding(WORDS, DIM), nn.Embedding(TAGS, DIM), nn.Embedding(LABELS, DIM)
        self.hidden1, self.hidden2 = nn.Linear(48 * DIM, HIDDEN), nn.Linear(HIDDEN, HIDDEN)
        self.output = nn.Linear(HIDDEN, TRANSITIONS)

    def forward(self, w, t, l):
        x = torch.cat([self.words(w).flatten(1), self.tags(t).flatten(1), self.labels(l).flatten(1)], dim=1)
        return self.output(torch.tanh(self.hidden2(torch.tanh(self.hidden1(x)))))


def measure(threads, steps=8, warmup=2):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = Parser()
    optimizer = torch.optim.Adagrad(model.parameters(), lr=0.01, eps=1e-6)
    w = torch.randint(WORDS, (EXAMPLES, 18))
    t = torch.randint(TAGS, (EXAMPLES, 18))
    l = torch.randint(LABELS, (EXAMPLES, 12))
    gold = torch.randint(TRANSITIONS, (EXAMPLES,))
    loss_fn = nn.CrossEntropyLoss()
    best = float("inf")
    for step in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=False)
        loss = loss_fn(model(w, t, l), gold)
        loss.backward()
        optimizer.step()
        elapsed = time.perf_counter() - start
        if step >= warmup:
            best = min(best, elapsed)
    return best


if __name__ == "__main__":
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads available")
    for threads in (1, 2):
        seconds = measure(threads)
        print(f"{threads} thread(s): {seconds * 1000:.0f} ms per step of {EXAMPLES:,}, {seconds * 1e6 / EXAMPLES:.1f} s per million examples")
