/**
 * Text-format structure (fields, colons, bodies, separators, lists, maps, oneofs, duplicates) on a test schema with
 * recursion, maps of every key kind and a oneof; the parser only sees the schema through protobufjs reflection.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';

import { parseTextFormat, TextFormatError } from '../../src/config/pbtxt/parse-text-format.ts';

const root = new protobuf.Root().loadSync(fileURLToPath(new URL('./fixtures/pbtxt/test_types.proto', import.meta.url)), {
  keepCase: true,
});
root.resolveAll();
const Node = root.lookupType('pbtxt_test.Node');
const Scalars = root.lookupType('pbtxt_test.Scalars');

const parse = (text: string, type: protobuf.Type = Node): Record<string, unknown> => parseTextFormat(type, text, 't.pbtxt');

function assertParseError(text: string, line: number, column: number, pattern: RegExp, type: protobuf.Type = Node): void {
  assert.throws(
    () => parse(text, type),
    (error: unknown) => {
      assert.ok(error instanceof TextFormatError, `not a TextFormatError: ${String(error)}`);
      assert.match(error.reason, pattern);
      assert.deepEqual([error.line, error.column], [line, column], error.message);
      return true;
    },
  );
}

describe('pbtxt colons and message bodies', () => {
  it('requires ":" before scalar values', () => {
    assertParseError('name "x"', 1, 6, /expected ':' after scalar field "name", found "x"/);
    assertParseError('ri [1, 2]', 1, 4, /expected ':' after scalar field "ri", found "\["/, Scalars);
    assertParseError('name { }', 1, 6, /expected ':' after scalar field "name", found "\{"/);
  });

  it('makes ":" optional before messages and lists of messages', () => {
    const expected = { child: { name: 'a' }, children: [{ name: 'b' }, { name: 'c' }, { name: 'd' }] };
    assert.deepEqual(parse('child { name: "a" } children [ { name: "b" }, { name: "c" } ] children { name: "d" }'), expected);
    assert.deepEqual(parse('child: { name: "a" } children: [ { name: "b" }, { name: "c" } ] children: { name: "d" }'), expected);
  });

  it('accepts {} and <> bodies, nested either way', () => {
    assert.deepEqual(parse('child < name: "a" child { child <> } > children: [<>, {}]'), {
      child: { name: 'a', child: { child: {} } },
      children: [{}, {}],
    });
  });

  it('requires the closer that matches the opener', () => {
    assertParseError('child { name: "a" >', 1, 19, /expected "}" to close the "\{" at 1:7, found ">"/);
    assertParseError('child <\n}', 2, 1, /expected ">" to close the "<" at 1:7, found "}"/);
    assertParseError('child { child { }', 1, 18, /unexpected end of input: expected "}" to close the "\{" at 1:7/);
    assertParseError('name: "a" }', 1, 11, /unexpected "}": there is no open message to close/);
  });

  it('requires a body for message fields', () => {
    assertParseError('child: 5', 1, 8, /expected "\{" or "<" to start message field "child", found "5"/);
    assertParseError('child', 1, 6, /expected "\{" or "<" to start message field "child", found end of input/);
  });

  it('allows an optional "," or ";" after any field, but only one', () => {
    assert.deepEqual(parse('name: "a", child { name: "b"; a: 1, }; children [{}], labels { key: "k"; value: "v" };'), {
      name: 'a', child: { name: 'b', a: 1 }, children: [{}], labels: { k: 'v' },
    });
    assertParseError('name: "a",, a: 1', 1, 11, /expected a field name of pbtxt_test\.Node, found ","/);
    assertParseError('; name: "a"', 1, 1, /expected a field name/);
  });

  it('stops messages nested deeper than the recursion limit of 100', () => {
    const nested = (depth: number): string => 'child { '.repeat(depth) + '}'.repeat(depth);
    let object: unknown = parse(nested(100));
    for (let i = 0; i < 100; i++) object = (object as { child: unknown }).child;
    assert.deepEqual(object, {});
    assertParseError(nested(101), 1, 807, /Message is too deep, the parser exceeded the configured recursion limit of 100\./);
  });
});

describe('pbtxt repeated fields', () => {
  it('collects repetitions, lists and mixes of both in order', () => {
    assert.deepEqual(parse('ri: 1 ri: [2, 3] rs: "a" ri: 4 ri: [] ri: [5] rs: ["b"]', Scalars), { ri: [1, 2, 3, 4, 5], rs: ['a', 'b'] });
    assert.deepEqual(parse('children { name: "1" } children: [ { name: "2" }, <name: "3"> ] children <name: "4">'), {
      children: [{ name: '1' }, { name: '2' }, { name: '3' }, { name: '4' }],
    });
  });

  it('takes [] as an empty list', () => {
    assert.deepEqual(parse('ri: [] rs: [ ] rc: [\n]', Scalars), { ri: [], rs: [], rc: [] });
    assert.deepEqual(parse('children: [] labels []'), { children: [], labels: {} });
  });

  it('rejects a trailing comma, a missing comma and other separators in lists', () => {
    assertParseError('ri: [1, 2,]', 1, 11, /unexpected "\]" after "," in the list of field "ri" \(no trailing comma\)/, Scalars);
    assertParseError('ri: [1 2]', 1, 8, /expected "," or "\]" in the list of field "ri", found "2"/, Scalars);
    assertParseError('ri: [1; 2]', 1, 7, /expected "," or "\]" in the list of field "ri", found ";"/, Scalars);
    assertParseError('children [ {} {} ]', 1, 15, /expected "," or "\]" in the list of field "children"/);
    assertParseError('ri: [1, 2', 1, 10, /expected "," or "\]" in the list of field "ri", found end of input/, Scalars);
    assertParseError('ri: [,]', 1, 6, /expected an integer for int32 field "ri", found ","/, Scalars);
  });

  it('rejects [ ] on a non-repeated field', () => {
    assertParseError('name: ["a"]', 1, 7, /field "name" is not repeated, so it cannot take a list "\[ \.\.\. \]"/);
    assertParseError('child [ {} ]', 1, 7, /field "child" is not repeated/);
    assertParseError('i32: []', 1, 6, /field "i32" is not repeated/, Scalars);
  });
});

describe('pbtxt maps', () => {
  it('reads entries as repeated key/value messages, in block and list shape', () => {
    assert.deepEqual(parse('labels { key: "x" value: "y" } labels: [ { key: "a", value: "1" }, <key: "b" value: "2"> ]'), {
      labels: { x: 'y', a: '1', b: '2' },
    });
  });

  it('reads message values with or without ":" before them', () => {
    assert.deepEqual(parse('nodes { key: 1 value: { name: "one" } } nodes { key: 2 value { name: "two" } }'), {
      nodes: { 1: { name: 'one' }, 2: { name: 'two' } },
    });
  });

  it('gives an omitted key or value its zero value', () => {
    assert.deepEqual(parse('labels { value: "v" } labels { key: "k" } by_id { } flags { value: 3 } colors { key: "c" } nodes { key: 4 }'), {
      labels: { '': 'v', k: '' },
      by_id: { 0: '' },
      flags: { false: 3 },
      colors: { c: 'RED' },
      nodes: { 4: {} },
    });
    assert.deepEqual(parse('blobs { key: "z" }')['blobs'], { z: new Uint8Array(0) });
  });

  it('lets the last duplicate key win', () => {
    assert.deepEqual(parse('labels { key: "k" value: "1" } labels { key: "j" value: "0" } labels: [{ key: "k" value: "2" }]'), {
      labels: { k: '2', j: '0' },
    });
    assert.deepEqual(parse('by_id { key: 0x10 value: "a" } by_id { key: 16 value: "b" }'), { by_id: { 16: 'b' } });
  });

  it('writes integer and bool keys in canonical decimal / true|false form, 64-bit keys exactly', () => {
    assert.deepEqual(parse('by_id [ { key: -5 value: "m" }, { key: 9223372036854775807 value: "max" }, { key: 010 } ] flags [ { key: t value: 1 }, { key: 0 value: 2 } ]'), {
      by_id: { '-5': 'm', '9223372036854775807': 'max', 8: '' },
      flags: { true: 1, false: 2 },
    });
    const message = Node.toObject(Node.fromObject(parse('by_id { key: 7 value: "seven" } colors { key: "x" value: 2 }')), { enums: String });
    assert.deepEqual(message, { by_id: { 7: 'seven' }, colors: { x: 'BLUE' } });
  });

  it('keeps a "__proto__" key as an ordinary entry', () => {
    const labels = parse('labels { key: "__proto__" value: "p" } labels { key: "a" value: "b" }')['labels'] as Record<string, string>;
    assert.deepEqual(Object.keys(labels), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(labels), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value, 'p');
  });

  it('checks entries like messages: unknown fields, repeated keys, key and value types', () => {
    assertParseError('labels { key: "a" val: "b" }', 1, 19, /unknown field "val" in pbtxt_test\.Node\.LabelsEntry/);
    assertParseError('by_id { key: 1 key: 2 }', 1, 16, /Non-repeated field "key" is specified multiple times\./);
    assertParseError('by_id { key: "1" }', 1, 14, /expected an integer for int64 field "key", found "1"/);
    assertParseError('nodes { key: -1 }', 1, 14, /non-negative integer for uint32 field "key"/);
    assertParseError('colors { key: "c" value: PINK }', 1, 26, /Unknown enumeration value of "PINK" for field "value"/);
    assertParseError('labels { key: "a" }, labels { key: "b" value { } }', 1, 46, /expected ':' after scalar field "value"/);
    assertParseError('labels: { "a": "b" }', 1, 11, /expected a field name of pbtxt_test\.Node\.LabelsEntry, found "a"/);
  });
});

describe('pbtxt field names, duplicates and oneofs', () => {
  it('rejects unknown field names (names are case-sensitive)', () => {
    assertParseError('name: "a"\nnmae: "b"', 2, 1, /unknown field "nmae" in pbtxt_test\.Node/);
    assertParseError('Name: "a"', 1, 1, /unknown field "Name" in pbtxt_test\.Node/);
    assertParseError('child { bogus {} }', 1, 9, /unknown field "bogus" in pbtxt_test\.Node/);
  });

  it('rejects a non-repeated field given twice, even when the first value was the default', () => {
    assertParseError('name: "a" name: "b"', 1, 11, /^Non-repeated field "name" is specified multiple times\.$/);
    assertParseError('i32: 0 i32: 5', 1, 8, /Non-repeated field "i32" is specified multiple times\./, Scalars);
    assertParseError('child {} child { name: "x" }', 1, 10, /Non-repeated field "child" is specified multiple times\./);
    assert.deepEqual(parse('child { name: "x" } children { name: "x" } children { child { name: "y" } }'), {
      child: { name: 'x' },
      children: [{ name: 'x' }, { child: { name: 'y' } }],
    });
  });

  it('rejects two members of one oneof, in protobuf wording', () => {
    assertParseError('a: 1 name: "n" b: "x"', 1, 16, /^Field "b" is specified along with field "a", another member of oneof "choice"\.$/);
    assertParseError('c { } a: 0', 1, 7, /Field "a" is specified along with field "c", another member of oneof "choice"\./);
    assertParseError('b: "x" b: "y"', 1, 8, /Non-repeated field "b" is specified multiple times\./);
    assert.deepEqual(parse('c { a: 1 } children { b: "x" } children { c { } }'), { c: { a: 1 }, children: [{ b: 'x' }, { c: {} }] });
  });

  it('rejects [extension] and [Any] field names with a clear error', () => {
    assertParseError('name: "a"\n[ext.name]: 1', 2, 1, /Extension "ext\.name" is not defined or is not an extension of "pbtxt_test\.Node" .*not supported/);
    assertParseError('[type.googleapis.com/pbtxt_test.Node] { }', 1, 1, /Extension "type\.googleapis\.com\/pbtxt_test\.Node"/);
  });

  it('rejects values where a field name belongs', () => {
    assertParseError('5: 1', 1, 1, /expected a field name of pbtxt_test\.Node, found "5"/);
    assertParseError('"name": "x"', 1, 1, /expected a field name of pbtxt_test\.Node, found "name"/);
  });
});

describe('pbtxt reflection', () => {
  it('uses .proto names in the text and protobufjs property names in the result (root loaded without keepCase)', () => {
    const camel = protobuf.parse(
      'syntax = "proto3"; package c; message M { int32 foo_bar = 1; map<string, string> the_map = 2; M sub_msg = 3; }',
    ).root;
    camel.resolveAll();
    const M = camel.lookupType('c.M');
    const object = parseTextFormat(M, 'foo_bar: 3 the_map { key: "k" value: "v" } sub_msg { foo_bar: 4 }', 'x');
    assert.deepEqual(object, { fooBar: 3, theMap: { k: 'v' }, subMsg: { fooBar: 4 } });
    assert.deepEqual(M.toObject(M.fromObject(object)), object);
    assert.throws(() => parseTextFormat(M, 'fooBar: 3', 'x'), /x:1:1: unknown field "fooBar" in c\.M/);
  });

  it('round-trips a full parse through fromObject/toObject', () => {
    const object = parse('name: "r" child { name: "c" a: 3 } children [{ b: "x" }] by_id { key: 1 value: "one" } colors { key: "k" value: GREEN }');
    assert.deepEqual(Node.toObject(Node.fromObject(object), { enums: String, longs: Number }), {
      name: 'r', child: { name: 'c', a: 3 }, children: [{ b: 'x' }], by_id: { 1: 'one' }, colors: { k: 'GREEN' },
    });
  });
});
