import { describe, expect, it } from 'vitest';
import { clock } from './CallBar';

describe('the running call clock', () => {
  it('shows minutes and seconds, and hours once there are some', () => {
    expect([clock(-3), clock(7), clock(754), clock(3723)]).toEqual(['0:00', '0:07', '12:34', '1:02:03']);
  });
});
