#!/usr/bin/env python3
"""Generate a benchmark corpus: N sealed INDEXABLE_REAL packs.

usage: make_corpus.py OUT_DIR N_PACKS FILES_PER_PACK FILE_BYTES [json]

Each pack is a copy of fixtures/packs/good-real plus FILES_PER_PACK extra
artifact files of FILE_BYTES pseudo-random bytes, re-sealed (sha256sums and
pack_root_hash), so every gate has real work and the packs pass. With
`json`, the extra files are minified JSON arrays of small objects (about
FILE_BYTES each), one in 10,000 holding an escaped URL of an allowed host,
so that HOST-ALLOW-01's JSON string scan has work too.
"""
import hashlib
import json
import os
import random
import shutil
import sys

FIVE = ['artifacts/context.json', 'artifacts/plan.json', 'artifacts/confirm.json',
        'artifacts/trace.json', 'timeline/events.ndjson']


def sha(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def write_json(f, size):
    """A minified JSON array of about `size` bytes."""
    f.write(b'[')
    written, i = 1, 0
    while written < size:
        chunk = []
        for _ in range(10000):
            chunk.append(b'{"i":%d,"s":"%s"},' % (i, b'v' * 60))
            i += 1
        chunk.append(b'{"u":"https:\\/\\/github.com\\/mplp\\/%d"},' % i)
        data = b''.join(chunk)
        f.write(data)
        written += len(data)
    f.write(b'{}]')


def main():
    out, n, files, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    as_json = len(sys.argv) > 5 and sys.argv[5] == 'json'

    src = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'packs', 'good-real')
    rng = random.Random(42)
    blob = bytes(rng.getrandbits(8) for _ in range(min(size, 1 << 16)))
    shutil.rmtree(out, ignore_errors=True)
    for i in range(n):
        pack = os.path.join(out, f'pack-{i:05d}')
        shutil.copytree(src, pack)
        for j in range(files):
            if as_json:
                with open(os.path.join(pack, 'artifacts', f'blob-{j:04d}.json'), 'wb') as f:
                    write_json(f, size)
                continue
            with open(os.path.join(pack, 'artifacts', f'blob-{j:04d}.bin'), 'wb') as f:
                f.write(f'{i}/{j}\n'.encode())  # make every file distinct
                left = size
                while left > 0:
                    f.write(blob[:left])
                    left -= len(blob)
        # Each pack's records name its own run, as a producer's would.
        for rel in FIVE:
            path = os.path.join(pack, rel)
            if os.path.exists(path):
                with open(path) as f:
                    text = f.read()
                with open(path, 'w') as f:
                    f.write(text.replace('d1_basic_pass', f'bench-{i:05d}')
                                .replace('mcp-d1-real-runner-001', f'bench-{i:05d}'))
        m = json.load(open(os.path.join(pack, 'manifest.json')))
        m['pack_id'] = f'bench-{i:05d}'
        m['scenario_id'] = f'bench-{i:05d}'
        text = ''.join(f'{sha(os.path.join(pack, f))}  {f}\n' for f in FIVE)
        m['hashes']['pack_root_hash'] = hashlib.sha256(text.encode()).hexdigest()
        with open(os.path.join(pack, 'manifest.json'), 'w') as f:
            json.dump(m, f, indent=2)
            f.write('\n')
        listed = sorted(os.path.relpath(os.path.join(r, f), pack)
                        for r, _, fs in os.walk(pack) for f in fs)
        listed = [p for p in listed if not p.startswith('integrity/')]
        with open(os.path.join(pack, 'integrity', 'sha256sums.txt'), 'w') as f:
            f.writelines(f'{sha(os.path.join(pack, p))}  {p}\n' for p in listed)


if __name__ == '__main__':
    main()
