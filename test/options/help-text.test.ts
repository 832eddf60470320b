import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helpText } from '../../src/options/help-text.ts';

describe('helpText', () => {
  it('lists every flag with its default, one line each', () => {
    const text = helpText();
    const names = (
      'help model-repository model-store http-port http-address grpc-port grpc-address metrics-port metrics-address ' +
      'allow-http allow-grpc allow-metrics disable-auto-complete-config strict-model-config strict-readiness ' +
      'exit-on-error exit-timeout-secs log-verbose model-control-mode repository-poll-secs load-model ' +
      'model-config-name backend-config http-max-input-size'
    ).split(' ');
    const lines = text.split('\n');
    for (const name of names) {
      const matching = lines.filter((l) => l.startsWith(`  --${name}=`) || l.startsWith(`  --${name} `));
      assert.equal(matching.length, 1, `one line for --${name}`);
      assert.match(matching[0]!, /\(default: [^)]+\)$/);
    }
    assert.match(text, /--http-port=<integer>\s+.*\(default: 8000\)/);
    assert.match(text, /--disable-auto-complete-config\s+.*\(default: off\)/);
  });
});
