// Files as clients send and receive them in JSON: inline data URLs.
import { bytesToBase64 } from "./aws/base64.ts";
import { BadRequestError } from "./errors.ts";
import type { InputFile } from "./parts.ts";

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)(?:;[\w-]+=[^;,]*)*;base64,([A-Za-z0-9+/=\s]*)$/;

/** A `data:<type>;base64,...` URL → a file named `name` (with an extension from its type). */
export function dataUrlToFile(url: unknown, name: string, param: string): InputFile {
  const match = typeof url === "string" ? DATA_URL.exec(url) : null;
  if (!match) {
    throw new BadRequestError(
      `${param}: files must be inline data URLs (data:<type>;base64,...): the agent runtime takes the bytes, not a link`,
      { param, code: "unsupported_content" },
    );
  }
  const mediaType = match[1]!;
  const extension = mediaType.split("/")[1]!.replace(/[^a-z0-9]/gi, "");
  return { name: name.includes(".") || !extension ? name : `${name}.${extension}`, mediaType, data: match[2]!.replace(/\s+/g, "") };
}

/** A file the agent produced, as the endpoint sends it: a data URL in JSON. */
export function fileToDataUrl(file: { name: string; type: string; bytes: Uint8Array }): { name: string; type: string; url: string } {
  return { name: file.name, type: file.type, url: `data:${file.type};base64,${bytesToBase64(file.bytes)}` };
}
