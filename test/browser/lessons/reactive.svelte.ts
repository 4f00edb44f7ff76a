/** Deeply reactive lab state for component tests (what the host gives a lab). */
export function reactive<T extends object>(value: T): T {
  const s = $state(value);
  return s;
}
