/** FNV-1a, 32 bits: a short stable name for a text (deployment ids and marks), never a secret. */
export function fnv32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** fnv32 as 8 hex digits. */
export function fnvHex(text: string): string {
  return fnv32(text).toString(16).padStart(8, "0");
}
