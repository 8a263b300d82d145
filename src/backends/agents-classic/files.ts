import { BadRequestError } from "../../errors.ts";
import type { InputFile } from "../../parts.ts";

/** `sessionState.files[]` as InvokeAgent takes them: bytes inline, for the chat. */
export interface SessionFile {
  name: string;
  source: { sourceType: "BYTE_CONTENT"; byteContent: { mediaType: string; data: string } };
  useCase: "CHAT";
}

// The service's limits (service model: 10 MiB per file; documented: 5 files, 10 MiB in all),
// checked here so an oversized request fails fast with a clear message.
export const MAX_FILES = 5;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_TOTAL_FILE_BYTES = 10 * 1024 * 1024;

/** The files of the turn the agent answers, checked against the service's limits. */
export function toSessionFiles(files: InputFile[], param: string): SessionFile[] {
  if (files.length > MAX_FILES) {
    throw new BadRequestError(`An agent takes at most ${MAX_FILES} files per message, got ${files.length}`, {
      param,
      code: "too_many_files",
    });
  }
  let total = 0;
  for (const file of files) {
    const bytes = base64Length(file.data);
    if (bytes === 0 || bytes > MAX_FILE_BYTES) {
      throw new BadRequestError(`File "${file.name}" has ${bytes} bytes: each file must have 1 byte to 10 MiB`, {
        param,
        code: "file_too_large",
      });
    }
    total += bytes;
  }
  if (total > MAX_TOTAL_FILE_BYTES) {
    throw new BadRequestError(`The files add up to ${total} bytes: at most 10 MiB per message`, {
      param,
      code: "file_too_large",
    });
  }
  return files.map((file) => ({
    name: file.name,
    source: { sourceType: "BYTE_CONTENT", byteContent: { mediaType: file.mediaType, data: file.data } },
    useCase: "CHAT",
  }));
}

function base64Length(data: string): number {
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}
