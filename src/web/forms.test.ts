import { describe, expect, it } from 'vitest';
import { fromForm } from './forms.js';

describe('form bodies for API schemas', () => {
  it('when fields are blank, typed or unanswered, then they become null, values or undefined, and unknown fields are dropped', () => {
    const body = {
      a: '  ',
      e: ' ',
      b: ' text ',
      n: '12',
      bad: '1.5',
      yes: 'yes',
      no: 'no',
      one: 'x',
      many: ['x', 'y'],
      _csrf: 'token',
    };
    expect(
      fromForm(body, {
        a: 'text',
        e: 'text-or-empty',
        b: 'text',
        n: 'int',
        bad: 'int',
        yes: 'yes-no',
        no: 'yes-no',
        unanswered: 'yes-no',
        one: 'list',
        many: 'list',
        none: 'list',
      }),
    ).toEqual({
      a: null,
      e: '',
      b: 'text',
      n: 12,
      bad: '1.5',
      yes: true,
      no: false,
      unanswered: undefined,
      one: ['x'],
      many: ['x', 'y'],
      none: [],
    });
  });
});
