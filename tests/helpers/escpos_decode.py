"""Decode an ESC/POS job back to what the printer would print (for tests).

GS v 0 raster blocks (`1D 76 30 m xL xH yL yH data`: width in bytes, MSB = leftmost dot,
1 = black) are stacked top to bottom. The other commands our jobs use are recognised and
listed; any unknown byte is an error, so stray text in a job fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image


@dataclass
class DecodedJob:
    blocks: list[tuple[int, int]] = field(default_factory=list)  # (width_dots, rows) per GS v 0
    commands: list[str] = field(default_factory=list)  # in order: init, image, feed, cut, drawer, status
    rows: list[bytes] = field(default_factory=list)  # raster rows, width_bytes each

    @property
    def width(self) -> int:
        widths = {w for w, _ in self.blocks}
        if len(widths) != 1:
            raise ValueError(f"blocks of different widths: {sorted(widths)}")
        return widths.pop()

    @property
    def height(self) -> int:
        return len(self.rows)

    def image(self) -> Image.Image:
        """The printed raster as a PIL 'L' image: 0 = black dot, 255 = paper."""
        wb = (self.width + 7) // 8
        ones = Image.frombytes("1", (wb * 8, self.height), b"".join(self.rows))
        # PIL '1' treats a set bit as white; ESC/POS treats it as black.
        return Image.eval(ones.convert("L"), lambda v: 255 - v).crop((0, 0, self.width, self.height))


def decode(data: bytes) -> DecodedJob:
    job = DecodedJob()
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if data.startswith(b"\x1d\x76\x30", i):
            m, xl, xh, yl, yh = data[i + 3 : i + 8]
            if m not in (0, 1, 2, 3, 48, 49, 50, 51):
                raise ValueError(f"bad GS v 0 mode {m} at {i}")
            wb, rows = xl + 256 * xh, yl + 256 * yh
            start = i + 8
            end = start + wb * rows
            if end > n:
                raise ValueError(f"truncated GS v 0 block at {i}: needs {end - n} more bytes")
            job.rows.extend(data[start + r * wb : start + (r + 1) * wb] for r in range(rows))
            job.blocks.append((wb * 8, rows))
            job.commands.append("image")
            i = end
        elif data.startswith(b"\x1b@", i):
            job.commands.append("init")
            i += 2
        elif data.startswith(b"\x1bd", i) or data.startswith(b"\x1bJ", i):
            job.commands.append("feed")
            i += 3
        elif data.startswith(b"\x1dV", i):
            mode = data[i + 2]
            job.commands.append("cut")
            i += 4 if mode in (65, 66, 97, 98, 103, 104) else 3
        elif data.startswith(b"\x1bp", i):
            job.commands.append("drawer")
            i += 5
        elif data.startswith(b"\x10\x04", i):
            job.commands.append("status")
            i += 3
        elif b == 0x0A:
            job.commands.append("lf")
            i += 1
        else:
            raise ValueError(f"unknown ESC/POS byte 0x{b:02x} at offset {i}")
    return job
