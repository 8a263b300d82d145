import { BadRequestError } from "./errors.ts";
import type { ContentPart } from "./types.ts";

/** `sessionState.files[]` as InvokeAgent takes them: bytes inline, for the chat. */
export interface InputFile {
  name: string;
  source: { sourceType: "BYTE_CONTENT"; byteContent: { mediaType: string; data: string } };
  useCase: "CHAT";
}

// The service's limits (service model: 10 MiB per file; documented: 5 files, 10 MiB in all),
// checked here so an oversized request fails fast with a clear message.
export const MAX_FILES = 5;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_TOTAL_FILE_BYTES = 10 * 1024 * 1024;

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)(?:;[\w-]+=[^;,]*)*;base64,([A-Za-z0-9+/=\s]*)$/;

/** An image or file content part → a session file; other part types are not for files. */
export function partToFile(part: ContentPart, param: string, index: number): InputFile | undefined {
  let url: unknown;
  let name: string;
  if (part.type === "image_url") {
    url = (part.image_url as { url?: unknown } | undefined)?.url;
    name = `image-${index + 1}`;
  } else if (part.type === "file") {
    const file = (part.file ?? {}) as { file_data?: unknown; filename?: unknown; file_id?: unknown };
    if (file.file_id !== undefined && file.file_data === undefined) {
      throw new BadRequestError(`${param}: uploaded file ids are not supported; send the file inline as file_data`, {
        param,
        code: "unsupported_content",
      });
    }
    url = file.file_data;
    name = typeof file.filename === "string" && file.filename ? file.filename : `file-${index + 1}`;
  } else {
    return undefined;
  }
  const match = typeof url === "string" ? DATA_URL.exec(url) : null;
  if (!match) {
    throw new BadRequestError(
      `${param}: files must be inline data URLs (data:<type>;base64,...): the agent runtime takes the bytes, not a link`,
      { param, code: "unsupported_content" },
    );
  }
  const data = match[2]!.replace(/\s+/g, "");
  const extension = match[1]!.split("/")[1]!.replace(/[^a-z0-9]/gi, "");
  return {
    name: name.includes(".") || !extension ? name : `${name}.${extension}`,
    source: { sourceType: "BYTE_CONTENT", byteContent: { mediaType: match[1]!, data } },
    useCase: "CHAT",
  };
}

/** The service's limits on files, checked before sending. */
export function checkFiles(files: InputFile[]): void {
  if (files.length > MAX_FILES) {
    throw new BadRequestError(`An agent takes at most ${MAX_FILES} files per message, got ${files.length}`, {
      param: "messages",
      code: "too_many_files",
    });
  }
  let total = 0;
  for (const file of files) {
    const bytes = base64Length(file.source.byteContent.data);
    if (bytes === 0 || bytes > MAX_FILE_BYTES) {
      throw new BadRequestError(`File "${file.name}" has ${bytes} bytes: each file must have 1 byte to 10 MiB`, {
        param: "messages",
        code: "file_too_large",
      });
    }
    total += bytes;
  }
  if (total > MAX_TOTAL_FILE_BYTES) {
    throw new BadRequestError(`The files add up to ${total} bytes: at most 10 MiB per message`, {
      param: "messages",
      code: "file_too_large",
    });
  }
}

function base64Length(data: string): number {
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

/** A file the agent produced, as the endpoint sends it: a data URL in JSON. */
export function fileToDataUrl(file: { name: string; type: string; bytes: Uint8Array }): { name: string; type: string; url: string } {
  let binary = "";
  for (let i = 0; i < file.bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...file.bytes.subarray(i, i + 0x8000));
  }
  return { name: file.name, type: file.type, url: `data:${file.type};base64,${btoa(binary)}` };
}
