/** Shell commands documented in the READMEs, read from their fenced code blocks as written. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface DocumentedCommand {
  /** Repository-relative file and the line the command starts on. */
  readonly where: string;
  /** The command as one line (backslash-newline continuations joined, as the shell would). */
  readonly command: string;
}

/** Commands starting with `program` in the fenced code blocks of `file`. */
export function documentedCommands(root: string, file: string, program: string): DocumentedCommand[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const out: DocumentedCommand[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const marker = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker;
      else if (line === fence) fence = undefined;
      continue;
    }
    if (fence === undefined || !line.startsWith(`${program} `)) continue;
    const start = i;
    let command = line;
    while (command.endsWith('\\') && i + 1 < lines.length)
      command = `${command.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
    out.push({ where: `${file}:${start + 1}`, command });
  }
  return out;
}
