// circuits/toolchain/config.ts: the circuit config is input; every defect must be named
// with its field path, and the real circuits/circuits.json must pass.
import { describe, expect, it } from 'vitest';
import { CONFIG_PATH, circuitParams, getProfile, loadConfig, parseConfig, selectCircuits } from '../../circuits/toolchain/config.ts';
import { CanopyError } from '../../core/errors.ts';

/** A valid config; each test breaks one thing in a copy. */
function good(): Record<string, any> {
  return {
    $comment: 'fixture',
    profiles: {
      test: { description: 'tiny', ptau: 'bundled' },
      production: { description: 'real', ptau: 'required' },
    },
    circuits: {
      membership: {
        description: 'm',
        file: 'circuits/membership.circom',
        template: 'Membership',
        params: ['depth'],
        publicInputs: ['root', 'message'],
        publicSignals: ['root', 'message'],
        profiles: { test: { depth: 4 }, production: { depth: 32 } },
      },
      sum: {
        description: 's',
        file: 'circuits/sum.circom',
        template: 'Sum',
        params: ['n', 'bits'],
        publicInputs: ['total'],
        publicSignals: ['out', 'total'],
        profiles: { test: { n: 2, bits: 8 }, production: { n: 16, bits: 64 } },
      },
    },
  };
}

function rejects(mutate: (c: Record<string, any>) => void, message: RegExp): void {
  const c = good();
  mutate(c);
  let err: unknown;
  try {
    parseConfig(c, 'fixture.json');
  } catch (e) {
    err = e;
  }
  expect(err, 'parseConfig(mutated) should throw').toBeInstanceOf(CanopyError);
  expect((err as CanopyError).code).toBe('INVALID_INPUT');
  expect((err as CanopyError).message).toMatch(/^fixture\.json: /);
  expect((err as CanopyError).message).toMatch(message);
}

describe('parseConfig', () => {
  describe('when the config is valid', () => {
    it('returns profiles and circuits in file order with typed params', () => {
      const c = parseConfig(good(), 'fixture.json');
      expect(Object.keys(c.profiles)).toEqual(['test', 'production']);
      expect(Object.keys(c.circuits)).toEqual(['membership', 'sum']);
      expect(c.circuits.sum!.profiles.production).toEqual({ n: 16, bits: 64 });
      expect(c.profiles.production!.ptau).toBe('required');
    });
  });

  describe('when a circuit lacks a param in a profile', () => {
    it('names the circuit, the profile and the param', () => {
      rejects((c) => delete c.circuits.sum.profiles.production.bits, /circuits\.sum\.profiles\.production is missing param "bits"/);
    });
  });

  describe('when a circuit has no entry for a profile', () => {
    it('names the profile', () => {
      rejects((c) => delete c.circuits.membership.profiles.production, /circuits\.membership\.profiles has no parameters for profile "production"/);
    });
  });

  describe('when a circuit names a profile that does not exist', () => {
    it('lists the profiles that do', () => {
      rejects((c) => (c.circuits.membership.profiles.staging = { depth: 8 }), /unknown profile "staging" \(profiles are test, production\)/);
    });
  });

  describe('when a profile gives a param the circuit does not declare', () => {
    it('names the stray param', () => {
      rejects((c) => (c.circuits.membership.profiles.test.width = 3), /has param "width" that is not in params/);
    });
  });

  describe('when a param value is not a non-negative integer', () => {
    for (const v of [-1, 1.5, '4', 2 ** 32, null]) {
      it(`rejects ${JSON.stringify(v)}`, () => {
        rejects((c) => (c.circuits.membership.profiles.test.depth = v), /circuits\.membership\.profiles\.test\.depth expected an integer in \[0, 2\^32\)/);
      });
    }
  });

  describe('when a profile has an unknown ptau policy', () => {
    it('names the allowed values', () => {
      rejects((c) => (c.profiles.test.ptau = 'none'), /profiles\.test\.ptau expected "bundled" or "required", got "none"/);
    });
  });

  describe('when the template is not an identifier', () => {
    it('rejects it, since it is written into generated Circom source', () => {
      rejects((c) => (c.circuits.membership.template = 'Membership(4); include "x"'), /circuits\.membership\.template expected an identifier/);
    });
  });

  describe('when a public input is not an identifier', () => {
    it('rejects it', () => {
      rejects((c) => (c.circuits.membership.publicInputs = ['root', 'message] = X(']), /circuits\.membership\.publicInputs\[1\] expected an identifier/);
    });
  });

  describe('when publicSignals does not end with publicInputs', () => {
    it('rejects the order', () => {
      rejects((c) => (c.circuits.sum.publicSignals = ['total', 'out']), /publicSignals must end with the publicInputs \["total"\]/);
    });
  });

  describe('when the circuit file leaves the project or is not .circom', () => {
    for (const f of ['../secret.circom', '/etc/x.circom', 'circuits/m.txt', 'circuits/../../x.circom']) {
      it(`rejects ${f}`, () => {
        rejects((c) => (c.circuits.membership.file = f), /circuits\.membership\.file expected a relative path to a \.circom file/);
      });
    }
  });

  describe('when a key is unknown', () => {
    it('names it at the top level', () => {
      rejects((c) => (c.extra = 1), /\(top level\) has unknown key "extra"/);
    });
    it('names it in a circuit', () => {
      rejects((c) => (c.circuits.sum.pubInputs = []), /circuits\.sum has unknown key "pubInputs"/);
    });
  });

  describe('when a circuit id is not [a-z][a-z0-9_]*', () => {
    it('rejects it', () => {
      rejects((c) => (c.circuits['Bad-Id'] = c.circuits.sum), /circuits\.Bad-Id id expected/);
    });
  });
});

describe('getProfile', () => {
  describe('when the profile is unknown', () => {
    it('throws INVALID_INPUT listing the valid profiles', () => {
      const c = parseConfig(good(), 'fixture.json');
      expect(() => getProfile(c, 'prod')).toThrow(/^unknown profile "prod": expected one of test, production$/);
    });
    it('does not accept inherited property names', () => {
      const c = parseConfig(good(), 'fixture.json');
      expect(() => getProfile(c, 'toString')).toThrow(CanopyError);
    });
  });
});

describe('selectCircuits', () => {
  const c = parseConfig(good(), 'fixture.json');
  describe('when no ids are given', () => {
    it('returns every circuit in config order', () => {
      expect(selectCircuits(c).map((x) => x.id)).toEqual(['membership', 'sum']);
    });
  });
  describe('when ids repeat', () => {
    it('returns each circuit once', () => {
      expect(selectCircuits(c, ['sum', 'sum']).map((x) => x.id)).toEqual(['sum']);
    });
  });
  describe('when an id is unknown', () => {
    it('throws INVALID_INPUT listing the valid circuits', () => {
      expect(() => selectCircuits(c, ['membership', 'transfer'])).toThrow(/^unknown circuit "transfer": expected one of membership, sum$/);
    });
  });
});

describe('circuitParams', () => {
  describe('when a template takes several params', () => {
    it('returns them in declaration order', () => {
      const c = parseConfig(good(), 'fixture.json');
      expect(circuitParams(c.circuits.sum!, 'production')).toEqual([16, 64]);
    });
  });
});

describe('loadConfig', () => {
  describe('when reading circuits/circuits.json', () => {
    it('accepts it, with membership in every profile', () => {
      const c = loadConfig(CONFIG_PATH);
      expect(c.source).toBe('circuits/circuits.json');
      expect(Object.keys(c.profiles)).toEqual(['test', 'demo', 'production']);
      expect(c.profiles.production!.ptau).toBe('required');
      expect(c.circuits.membership!.profiles.test).toEqual({ depth: 4 });
    });
  });
  describe('when the file does not exist', () => {
    it('throws NOT_FOUND naming the path', () => {
      expect(() => loadConfig('/nonexistent/circuits.json')).toThrow(/circuit config \/nonexistent\/circuits\.json cannot be read/);
    });
  });
});

describe('parseConfig with prototype keys', () => {
  describe('when a param is called __proto__', () => {
    it('rejects it', () => {
      const c = good();
      c.circuits.membership.params = ['__proto__'];
      expect(() => parseConfig(c, 'fixture.json')).toThrow(/circuits\.membership\.params\[0\] expected an identifier, got "__proto__"/);
    });
  });
});
