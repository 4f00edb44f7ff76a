/** The quiz: inline code shows as code, arrow keys select without grading, a click grades. */
import { afterEach, describe, expect, it } from 'vitest';
import { render } from '@testing-library/svelte';
import { userEvent } from 'vitest/browser';
import Quiz from '../../../src/app/Quiz.svelte';

afterEach(() => {
  document.body.innerHTML = '';
});

const questions = [
  { question: 'What does `max_tokens` limit?', choices: ['the `prompt`', 'the reply', 'the window'], answer: 1, explanation: 'It caps the `reply`.' },
  { question: 'Second?', choices: ['a', 'b'], answer: 0, explanation: 'a.' },
];

describe('quiz', () => {
  it('renders `code` in questions, choices and explanations as code, without backticks', async () => {
    const r = render(Quiz, { props: { questions, id: 'q' } });
    const legend = r.container.querySelector('legend')!;
    expect(legend.textContent).not.toContain('`');
    expect(legend.querySelector('code')!.textContent).toBe('max_tokens');
    expect(r.container.querySelector('label code')!.textContent).toBe('prompt');
  });

  it('arrow keys move the selection without grading; Check grades; a click grades at once', async () => {
    const r = render(Quiz, { props: { questions, id: 'q' } });
    const radios = r.getAllByRole('radio');
    radios[0]!.focus();
    await userEvent.keyboard(' '); // select the first choice with the keyboard
    await userEvent.keyboard('{ArrowDown}');
    expect((radios[1] as HTMLInputElement).checked).toBe(true);
    expect(r.container.querySelector('.feedback')).toBeNull(); // nothing graded yet
    expect((radios[2] as HTMLInputElement).disabled).toBe(false);
    await userEvent.click(r.getByRole('button', { name: 'Check answer' }));
    expect(r.container.querySelector('.feedback')!.textContent).toMatch(/Correct/);
    expect(r.container.querySelector('.feedback code')!.textContent).toBe('reply');
    await userEvent.click(radios[4]!); // second question, second choice: a click grades
    expect(r.container.querySelectorAll('.feedback')[1]!.textContent).toMatch(/Not quite/);
  });
});
