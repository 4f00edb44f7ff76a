"""The three rounds of the chat-recipe sweep (run one with `--round N`)."""
W = {'D': 128, 'L': 4, 'H': 4, 'HKV': 1, 'Fd': 344}
L4 = {'D': 96, 'L': 4, 'H': 3, 'HKV': 1, 'Fd': 256}
ROUND1 = [
    {'name': 'ref', 'lr': 2e-3, 'steps': 4000},
    {'name': 'all', 'mask': 'all', 'lr': 2e-3, 'steps': 4000},
    {'name': 'ref-lr4', 'lr': 4e-3, 'steps': 4000},
    {'name': 'copy', 'w': {'copy': 1.0}, 'lr': 2e-3, 'steps': 4000},
    {'name': 'all-copy', 'mask': 'all', 'w': {'copy': 1.0}, 'lr': 3e-3, 'steps': 4000},
    {'name': 'qa3', 'w': {'qa': 3.0}, 'lr': 3e-3, 'steps': 4000},
    {'name': 'scratch-all-copy', 'init': 'rand', 'mask': 'all', 'w': {'copy': 1.0, 'story': 2.0}, 'lr': 4e-3, 'steps': 4000},
    {'name': 'wide-all-copy', 'init': 'rand', 'shape': W, 'mask': 'all', 'w': {'copy': 1.0, 'story': 2.0}, 'lr': 3e-3, 'steps': 4000},
    {'name': 'all-copy-2k', 'mask': 'all', 'w': {'copy': 1.0}, 'lr': 3e-3, 'steps': 2000},
    {'name': 'ref-B12-2k', 'B': 12, 'lr': 3e-3, 'steps': 2000},
    {'name': 'all-copy-qa2-2k', 'mask': 'all', 'w': {'copy': 1.0, 'qa': 2.0}, 'lr': 3e-3, 'steps': 2000},
    {'name': 'L4-scratch-all-copy', 'init': 'rand', 'shape': L4, 'mask': 'all', 'w': {'copy': 1.0, 'story': 2.0}, 'lr': 4e-3, 'steps': 4000},
]

C = {'copy': 1.0}
ROUND2 = [
    {'name': 'c-B6-2k', 'w': C, 'lr': 2e-3, 'steps': 2000},
    {'name': 'c-B3-4k', 'w': C, 'B': 3, 'lr': 2e-3, 'steps': 4000},
    {'name': 'c-B2-6k', 'w': C, 'B': 2, 'lr': 2e-3, 'steps': 6000},
    {'name': 'c-B4T128-4k', 'w': C, 'B': 4, 'T': 128, 'lr': 2e-3, 'steps': 4000},
    {'name': 'c2-B3-4k', 'w': {'copy': 2.0}, 'B': 3, 'lr': 2e-3, 'steps': 4000},
    {'name': 'c-B3-4k-lr3', 'w': C, 'B': 3, 'lr': 3e-3, 'steps': 4000},
    {'name': 'c-B3-4k-lr1', 'w': C, 'B': 3, 'lr': 1e-3, 'steps': 4000},
    {'name': 'c-B3-7k', 'w': C, 'B': 3, 'lr': 2e-3, 'steps': 7000},
    {'name': 'c-B4-6k', 'w': C, 'B': 4, 'lr': 2e-3, 'steps': 6000},
    {'name': 'cj-B3-4k', 'w': {'copy': 1.0, 'json': 1.5}, 'B': 3, 'lr': 2e-3, 'steps': 4000},
    {'name': 'c-B3-4k-min3', 'w': C, 'B': 3, 'lr': 2e-3, 'minLr': 3e-4, 'steps': 4000},
    {'name': 'c-B3-4k-seed2', 'w': C, 'B': 3, 'lr': 2e-3, 'steps': 4000, 'seed': 2},
]

ROUND3 = [
    {'name': 'c2-3k', 'w': {'copy': 2.0}, 'lr': 2e-3, 'steps': 3000},
    {'name': 'c3-3k', 'w': {'copy': 3.0}, 'lr': 2e-3, 'steps': 3000},
    {'name': 'c2-3k-lr3', 'w': {'copy': 2.0}, 'lr': 3e-3, 'steps': 3000},
    {'name': 'c2-3.5k', 'w': {'copy': 2.0}, 'lr': 2e-3, 'steps': 3500},
    {'name': 'c2-4k', 'w': {'copy': 2.0}, 'lr': 2e-3, 'steps': 4000},
    {'name': 'c3-4k', 'w': {'copy': 3.0}, 'lr': 2e-3, 'steps': 4000},
    {'name': 'c1-4k-seed2', 'w': {'copy': 1.0}, 'lr': 2e-3, 'steps': 4000, 'seed': 2},
    {'name': 'c2j-3.5k', 'w': {'copy': 2.0, 'json': 1.5}, 'lr': 2e-3, 'steps': 3500},
    {'name': 'c2-3k-B8', 'w': {'copy': 2.0}, 'B': 8, 'lr': 2e-3, 'steps': 3000},
    {'name': 'c2-3k-B8T128', 'w': {'copy': 2.0}, 'B': 8, 'T': 128, 'lr': 2e-3, 'steps': 3000},
    {'name': 'c2-3k-seed2', 'w': {'copy': 2.0}, 'lr': 2e-3, 'steps': 3000, 'seed': 2},
    {'name': 'c2q-3.5k', 'w': {'copy': 2.0, 'qa': 1.5}, 'lr': 2e-3, 'steps': 3500},
]

ROUNDS = {1: ROUND1, 2: ROUND2, 3: ROUND3}
