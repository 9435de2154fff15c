import { readFile } from 'node:fs/promises';
import { sampleMessagesPath } from './paths.js';

/** Non-empty lines of a JSON-lines file: one SQS message body each. */
async function readJsonLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}

export const readSampleMessages = (): Promise<string[]> => readJsonLines(sampleMessagesPath);
