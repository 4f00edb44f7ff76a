"""Generates the PWA's PNG icons (public/icons/icon-*.png) with no image library:
a blue rounded square with three linked nodes, drawn by distance tests. Run: python3 scripts/make-icons.py"""
import struct, zlib, math

def png(path, size, maskable=False):
    s = size / 64.0
    pad = 0 if not maskable else 0
    nodes = [(18, 20), (46, 20), (32, 44)]
    edges = [(0, 1), (0, 2), (1, 2)]
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            u, v = (x + 0.5) / s, (y + 0.5) / s
            if maskable:  # content inside the 80% safe zone
                u, v = 32 + (u - 32) / 0.8, 32 + (v - 32) / 0.8
            r = 12
            inside = True
            if not maskable:
                cx = min(max(u, r), 64 - r); cy = min(max(v, r), 64 - r)
                inside = (u - cx) ** 2 + (v - cy) ** 2 <= r * r
            if not inside:
                row += bytes([0, 0, 0, 0]); continue
            white = any((u - a) ** 2 + (v - b) ** 2 <= 25 for a, b in nodes)
            for i, j in edges:
                (ax, ay), (bx, by) = nodes[i], nodes[j]
                dx, dy = bx - ax, by - ay
                t = max(0, min(1, ((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy)))
                if (u - ax - t * dx) ** 2 + (v - ay - t * dy) ** 2 <= 2.25: white = True
            row += bytes([255, 255, 255, 255]) if white else bytes([0x1d, 0x4e, 0xd8, 255])
        rows.append(bytes(row))
    raw = zlib.compress(b''.join(rows), 9)
    def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 6, 0, 0, 0)) + chunk(b'IDAT', raw) + chunk(b'IEND', b'')
    open(path, 'wb').write(data)

png('public/icons/icon-192.png', 192)
png('public/icons/icon-512.png', 512)
png('public/icons/icon-maskable-512.png', 512, maskable=True)
