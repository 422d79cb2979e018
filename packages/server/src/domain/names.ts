import { invalid } from './errors.js';

/** Display names of clients, applications and resources: trimmed, 1-100 characters. */
export function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 100) throw invalid('name must be 1-100 characters');
  return name;
}
