/** `npm run train`'s config handling (the run itself is covered by src/rl/trainer.test.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RL_PRESETS } from '../src/rl/config';
import { loadConfig } from './train';

describe('npm run train --config', () => {
  it('takes a preset name, or a JSON file of overrides on a preset', () => {
    expect(loadConfig('demo').config).toEqual(RL_PRESETS.demo);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rl-cfg-')), 'collapse-0.json');
    fs.writeFileSync(file, JSON.stringify({ preset: 'paper', toolRewardCoef: 0, filter: { requireImageObservation: true } }));
    const { config, name } = loadConfig(file);
    expect(name).toBe('collapse-0');
    expect(config.groupSize).toBe(8);
    expect(config.toolRewardCoef).toBe(0);
    expect(config.filter).toEqual({ zeroVariance: true, broken: true, requireImageObservation: true });
  });

  it('rejects an unknown preset or an unreadable file with a clear message', () => {
    expect(() => loadConfig('nope')).toThrow(/neither a preset/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rl-cfg-')), 'x.json');
    fs.writeFileSync(file, JSON.stringify({ preset: 'huge' }));
    expect(() => loadConfig(file)).toThrow(/unknown preset 'huge'/);
  });
});
