// Code blocks of the README, found by their first line (and, when that is not unique, a text
// they contain) and taken verbatim, dedented when the block sits inside a list item.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./run.ts";

const lines = readFileSync(join(root, "README.md"), "utf8").split("\n");

export function readmeBlock(firstLine: string, containing = ""): string {
  for (let start = 1; start < lines.length; start++) {
    if (lines[start]!.trim() !== firstLine || !lines[start - 1]!.trim().startsWith("```")) continue;
    const end = lines.findIndex((line, i) => i > start && line.trim() === "```");
    const indent = lines[start]!.length - lines[start]!.trimStart().length;
    const block = `${lines
      .slice(start, end)
      .map((line) => line.slice(indent))
      .join("\n")}\n`;
    if (block.includes(containing)) return block;
  }
  throw new Error(`README has no code block starting with ${firstLine}${containing && ` and containing ${containing}`}`);
}
