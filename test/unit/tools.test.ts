import { describe, expect, it } from 'vitest';
import { defineTool } from '../../src/index.js';
import { toFunctionDeclarations } from '../../src/tools/declarations.js';
import { checkArgs } from '../../src/tools/validate.js';

describe('defineTool', () => {
  it('refuses a tool without a name or execute', () => {
    expect(() => defineTool({ name: '', execute: () => 1 })).toThrow(/needs a name/);
    expect(() => defineTool({ name: 'x' } as never)).toThrow(/needs execute/);
  });
});

describe('toFunctionDeclarations', () => {
  it('derives the declarations with upper-case schema types', () => {
    const tool = defineTool({
      name: 'get_weather',
      description: 'Weather',
      behavior: 'NON_BLOCKING',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'array', items: { type: 'integer' } } },
        required: ['city'],
      },
      execute: () => 1,
    });
    expect(toFunctionDeclarations([tool])).toEqual([
      {
        name: 'get_weather',
        description: 'Weather',
        behavior: 'NON_BLOCKING',
        parameters: {
          type: 'OBJECT',
          properties: { city: { type: 'STRING' }, days: { type: 'ARRAY', items: { type: 'INTEGER' } } },
          required: ['city'],
        },
      },
    ]);
  });
});

describe('checkArgs', () => {
  const schema = {
    type: 'OBJECT',
    properties: {
      city: { type: 'STRING', enum: ['Paris', 'Rome'] },
      days: { type: 'ARRAY', items: { type: 'INTEGER' } },
      metric: { type: 'BOOLEAN' },
      at: { type: 'OBJECT', properties: { lat: { type: 'NUMBER' } }, required: ['lat'] },
    },
    required: ['city'],
  };
  it.each([
    [{ city: 'Paris' }, undefined],
    [{ city: 'Paris', days: [1, 2], metric: true, at: { lat: 1.5 } }, undefined],
    [{}, 'args.city is required'],
    [{ city: 'Oslo' }, 'args.city must be one of Paris, Rome'],
    [{ city: 'Paris', days: [1.5] }, 'args.days[0] must be an integer'],
    [{ city: 'Paris', metric: 'yes' }, 'args.metric must be a boolean'],
    [{ city: 'Paris', at: {} }, 'args.at.lat is required'],
    [{ city: 'Paris', at: [] }, 'args.at must be an object'],
    [[1], 'arguments must be an object'],
    [null, 'arguments must be an object'],
  ])('%j → %s', (args, problem) => {
    expect(checkArgs(schema, args)).toBe(problem);
  });

  it('accepts any object without a schema', () => {
    expect(checkArgs(undefined, { anything: 1 })).toBeUndefined();
  });
});
