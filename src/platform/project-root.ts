import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project's root directory (the nearest one up holding package.json), so files read at run time
 * (mappings/) are found the same from src/ under tsx and from the compiled dist/src/.
 */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);
