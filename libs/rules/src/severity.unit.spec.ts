import { describe, expect, it } from 'vitest';
import { SEVERITIES } from './rule.types.js';
import { isBlocking, parseSeverity, severityDecision, severityRank } from './severity.js';

describe('severity', () => {
  it('ranks critical above high above medium above low', () => {
    const ranks = SEVERITIES.map(severityRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(new Set(ranks).size).toBe(4);
    expect(severityRank('critical')).toBeGreaterThan(severityRank('low'));
  });

  it('blocks on critical and high only', () => {
    expect(SEVERITIES.filter(isBlocking)).toEqual(['critical', 'high']);
  });

  it('maps severities to event decisions', () => {
    expect(SEVERITIES.map(severityDecision)).toEqual(['block', 'block', 'warn', 'pass']);
  });

  it('parses the four names in any case and nothing else', () => {
    expect(parseSeverity(' HIGH ')).toBe('high');
    expect(parseSeverity('Critical')).toBe('critical');
    for (const bad of ['', 'severe', 'hi', 'major', 'high!', '严重']) expect(parseSeverity(bad), bad).toBeUndefined();
  });
});
