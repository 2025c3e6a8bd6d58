import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CAMEL_ENUM_TABLES_A,
  CAMEL_ENUM_TABLES_B,
  camelEnumTables,
  type EnumName,
} from '../../src/wire/camel/enum-tables.js';
import { ENUM_DOMAINS } from '../../src/wire/kit/enum.js';

const names = Object.keys(CAMEL_ENUM_TABLES_A) as EnumName[];

describe('camel integer enum tables', () => {
  it('cover the 15 enums of ocpi-notes §1.3', () => {
    assert.deepEqual([...names].sort(), [
      'AuthMethod',
      'Capability',
      'CdrDimensionType',
      'ConnectorFormat',
      'ConnectorType',
      'EnergySourceCategory',
      'EnvironmentalImpactCategory',
      'EvseStatus',
      'Facility',
      'ImageCategory',
      'LocationType',
      'ParkingRestriction',
      'PowerType',
      'SessionStatus',
      'TokenType',
    ]);
  });

  for (const name of names) {
    it(`${name}: candidate A and B hold exactly the canonical values, each once`, () => {
      const domain = [...ENUM_DOMAINS[name]].sort();
      for (const table of [CAMEL_ENUM_TABLES_A[name], CAMEL_ENUM_TABLES_B[name]]) {
        assert.equal(new Set(table).size, table.length, 'no duplicates');
        assert.deepEqual([...table].sort(), domain);
      }
    });
  }

  it('have the sizes the contract documents ("Possible values")', () => {
    const sizes = Object.fromEntries(names.map((n) => [n, CAMEL_ENUM_TABLES_A[n].length]));
    assert.deepEqual(sizes, {
      AuthMethod: 3,
      LocationType: 8,
      EvseStatus: 9,
      Capability: 13,
      ConnectorType: 40,
      ConnectorFormat: 2,
      PowerType: 5,
      ParkingRestriction: 5,
      ImageCategory: 7,
      Facility: 20,
      EnergySourceCategory: 8,
      EnvironmentalImpactCategory: 2,
      CdrDimensionType: 14,
      SessionStatus: 5,
      TokenType: 4,
    });
  });

  it('pin the integers of candidate A (ocpi-notes §1.3)', () => {
    const a = CAMEL_ENUM_TABLES_A;
    assert.equal(a.ConnectorType.indexOf('IEC_62196_T2'), 25);
    assert.equal(a.PowerType.indexOf('AC_1_PHASE'), 0);
    assert.equal(a.PowerType.indexOf('AC_3_PHASE'), 3);
    assert.equal(a.AuthMethod.indexOf('WHITELIST'), 2);
    assert.equal(a.SessionStatus.indexOf('COMPLETED'), 1);
    assert.equal(a.SessionStatus.indexOf('RESERVATION'), 4);
    assert.equal(a.LocationType.indexOf('ON_STREET'), 4);
    assert.equal(a.LocationType.indexOf('UNKNOWN'), 7);
    assert.equal(a.CdrDimensionType.indexOf('PARKING_TIME'), 8);
    assert.equal(a.CdrDimensionType.indexOf('FLAT'), 13);
    assert.equal(a.Capability.indexOf('START_SESSION_CONNECTOR_REQUIRED'), 10);
    assert.equal(a.TokenType.indexOf('RFID'), 3);
  });

  it('candidate B differs from A only in Capability, ConnectorType and PowerType', () => {
    const differing = names.filter((n) => CAMEL_ENUM_TABLES_A[n].join() !== CAMEL_ENUM_TABLES_B[n].join());
    assert.deepEqual(differing.sort(), ['Capability', 'ConnectorType', 'PowerType']);
    assert.equal(CAMEL_ENUM_TABLES_B.ConnectorType.indexOf('IEC_62196_T2'), 19);
    assert.equal(CAMEL_ENUM_TABLES_B.PowerType.indexOf('DC'), 2);
    assert.equal(CAMEL_ENUM_TABLES_B.Capability.indexOf('START_SESSION_CONNECTOR_REQUIRED'), 12);
  });

  it('camelEnumTables selects a candidate, A by default', () => {
    assert.equal(camelEnumTables(), CAMEL_ENUM_TABLES_A);
    assert.equal(camelEnumTables('A'), CAMEL_ENUM_TABLES_A);
    assert.equal(camelEnumTables('B'), CAMEL_ENUM_TABLES_B);
  });
});
