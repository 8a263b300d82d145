// Every event frame of one type carries the same header block (":event-type" chunk,
// ":content-type" application/json, ":message-type" event), so the codec's header parser runs
// once per distinct block and later frames with the same bytes share its frozen result. The codec
// still splits every frame and checks both of its CRCs.

type Headers = Record<string, { type: string; value: unknown }>;
type HeaderParser = { parse(block: DataView): Headers };

// Only event blocks are kept: exception and error frames carry one-off messages in theirs.
const MAX_BLOCKS = 32;

/**
 * Makes an EventStreamCodec's header parser share the result of a header block seen before. It
 * reaches the parser through a field the codec's types call private; if a release renames it,
 * every frame is parsed as before, only slower (a test notices).
 */
export function shareHeaderBlocks(codec: object): void {
  const parser = (codec as unknown as { headerMarshaller?: HeaderParser }).headerMarshaller;
  if (typeof parser?.parse !== "function") return;
  const parse = parser.parse.bind(parser);
  const blocks: Array<{ block: DataView; headers: Headers }> = [];
  let last: (typeof blocks)[number] | undefined; // frames of one type come in runs
  parser.parse = (block) => {
    if (last && sameBytes(last.block, block)) return last.headers;
    for (const known of blocks) {
      if (known !== last && sameBytes(known.block, block)) return (last = known).headers;
    }
    const headers = parse(block);
    if (blocks.length < MAX_BLOCKS && headers[":message-type"]?.value === "event") {
      for (const header of Object.values(headers)) Object.freeze(header);
      const copy = new Uint8Array(block.buffer, block.byteOffset, block.byteLength).slice();
      blocks.push((last = { block: new DataView(copy.buffer), headers: Object.freeze(headers) }));
    }
    return headers;
  };
}

/** Compared four bytes at a time: this runs for every frame. */
function sameBytes(a: DataView, b: DataView): boolean {
  const n = a.byteLength;
  if (n !== b.byteLength) return false;
  let i = 0;
  for (; i + 4 <= n; i += 4) if (a.getUint32(i) !== b.getUint32(i)) return false;
  for (; i < n; i++) if (a.getUint8(i) !== b.getUint8(i)) return false;
  return true;
}
