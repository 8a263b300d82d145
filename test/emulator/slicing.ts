// How a byte stream is cut into socket writes. Pure, so the plan is reproducible from a seed
// and scenarios can use the same PRNG to build their data.

/** mulberry32: a tiny seeded PRNG; same seed, same sequence, on every runtime. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random slicing: socket writes of 1 byte up to `maxBytes`, with a pause every `pauseEvery` writes. */
export interface RandomSlicing {
  kind: "random";
  seed: number;
  /** Largest slice, in bytes; make it several frames long to also merge frames. */
  maxBytes: number;
  /** Pause length; a pause makes the previous writes arrive as their own read. */
  pauseMs: number;
  pauseEvery: number;
}

/**
 * Cuts `frames` (concatenated) into random slices. Besides the random cut points, every 5th
 * frame boundary gets a forced cut 1–3 bytes later, so the 4-byte length prefix itself is split
 * across reads (a classic framing bug that pure randomness would rarely hit).
 */
export function sliceFrames(frames: Uint8Array[], seed: number, maxBytes: number): Uint8Array[] {
  const total = frames.reduce((n, f) => n + f.length, 0);
  const all = new Uint8Array(total);
  const cuts = new Set<number>();
  let offset = 0;
  frames.forEach((frame, i) => {
    all.set(frame, offset);
    if (i % 5 === 0) cuts.add(offset + 1 + (i % 3));
    offset += frame.length;
  });
  const rng = mulberry32(seed);
  for (let at = 0; at < total; ) {
    const r = rng();
    // A mix of tiny, medium and multi-frame slices.
    const size =
      r < 0.35
        ? 1 + Math.floor(rng() * 8)
        : r < 0.7
          ? 1 + Math.floor(rng() * 600)
          : 600 + Math.floor(rng() * Math.max(1, maxBytes - 600));
    at += size;
    if (at < total) cuts.add(at);
  }
  const sorted = [...cuts].filter((c) => c > 0 && c < total).sort((a, b) => a - b);
  const slices: Uint8Array[] = [];
  let start = 0;
  for (const cut of sorted) {
    slices.push(all.subarray(start, cut));
    start = cut;
  }
  if (start < total) slices.push(all.subarray(start));
  return slices;
}
