import { describe, expect, it } from 'vitest';
import { callerRequestId } from './middleware.js';

describe('the caller’s X-Request-Id (issue 14 §11)', () => {
  it('when the caller sends an ordinary id, then it is kept as sent', () => {
    expect(callerRequestId('their-trace-0001')).toBe('their-trace-0001');
    expect(callerRequestId('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    );
  });

  it('when it holds control, non-ASCII or bidi characters, then only the printable ASCII is kept', () => {
    expect(callerRequestId('a\tb\u00e9c\u202ed\u0000e')).toBe('abcde');
    expect(callerRequestId('  padded  ')).toBe('padded');
  });

  it('when it is longer than 128 characters, then it is cut to 128', () => {
    expect(callerRequestId('x'.repeat(500))).toBe('x'.repeat(128));
  });

  it('when nothing printable is sent, then there is none', () => {
    expect(callerRequestId(undefined)).toBeNull();
    expect(callerRequestId('')).toBeNull();
    expect(callerRequestId('\t\u00e9\u202e ')).toBeNull();
  });
});
