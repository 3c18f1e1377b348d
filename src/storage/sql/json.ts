/** Row helpers shared by the repositories: JSON text columns and 0/1 booleans. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function bool(value: number | boolean): boolean {
  return value === 1 || value === true;
}

export function flag(value: boolean): number {
  return value ? 1 : 0;
}
