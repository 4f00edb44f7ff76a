/**
 * `use:clampNumber` on an `<input type="number">` keeps what the box holds inside its `min`/`max`
 * (the browser only checks them on form submit): a typed 64 in a box with max 20 becomes 20 at
 * once, a −5 in a box with min ≥ 0 becomes the min at once, and a value below a positive min
 * (the "1" on the way to "15") is raised to the min when the learner leaves the box. It runs
 * before Svelte's `bind:value` (capture listener), so the bound state never holds the bad value
 * for long, and share links and saved states stay valid.
 */
export function clampNumber(el: HTMLInputElement): { destroy(): void } {
  const limits = () => ({
    min: el.min === '' ? -Infinity : Number(el.min),
    max: el.max === '' ? Infinity : Number(el.max),
  });
  const set = (v: number, notify: boolean) => {
    el.value = String(v);
    if (notify) el.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const onInput = () => {
    if (el.value === '') return;
    const v = Number(el.value);
    const { min, max } = limits();
    if (v > max) set(max, false);
    else if (v < 0 && min >= 0) set(min, false);
  };
  const onChange = () => {
    const { min, max } = limits();
    const v = Number(el.value);
    if (el.value === '' || !Number.isFinite(v)) set(Number.isFinite(min) ? min : 0, true);
    else if (v < min) set(min, true);
    else if (v > max) set(max, true);
  };
  el.addEventListener('input', onInput, { capture: true });
  el.addEventListener('change', onChange);
  return {
    destroy() {
      el.removeEventListener('input', onInput, { capture: true });
      el.removeEventListener('change', onChange);
    },
  };
}
