import { describe, expect, it } from 'vitest';
import { SharedView } from '../../../src/lib/share/view';

describe('SharedView: a shared link never takes the place of the learner’s own state', () => {
  it('remembers the own state of each lab a link replaces, once, and restores or keeps', () => {
    const view = new SharedView();
    const mine: Record<string, Record<string, unknown> | undefined> = { a: { x: 1 }, b: undefined };
    view.enter({ a: { x: 9 }, b: { y: 9 } }, (id) => mine[id]);
    expect(view.labIds).toEqual(['a', 'b']);
    expect(view.has('a')).toBe(true);
    // a second link: lab a keeps its first own state, not the first link's
    view.enter({ a: { x: 10 } }, () => ({ x: 9 }));
    const own = view.restore();
    expect(own.get('a')).toEqual({ x: 1 });
    expect(own.has('b') && own.get('b')).toBe(undefined);
    expect(view.labIds).toEqual([]);
    view.enter({ c: { z: 1 } }, () => undefined);
    expect(view.keep()).toEqual(['c']);
    expect(view.has('c')).toBe(false);
  });
});
