/**
 * Core `ValidateEnsembleSchedulingConfig`: ensemble-only restrictions and the data-flow check over its steps (every
 * ensemble input used, every output written, no tensor written twice, no dangling tensors).
 */
import { invalidArg } from '../protocol/errors.ts';
import { ENSEMBLE_PLATFORM } from './backend-kinds.ts';
import type { ModelConfig } from './model-config.ts';

interface Step {
  model_name: string;
  input_map: Record<string, string>;
  output_map: Record<string, string>;
}

interface TensorNode {
  name: string;
  isOutput: boolean;
  ready: boolean;
  prev: TensorNode[];
  next: TensorNode[];
}

/** Throws INVALID_ARG with Triton's text when the ensemble settings or its data flow are invalid. */
export function validateEnsemble(config: Readonly<ModelConfig>): void {
  const name = config.name;
  if (config.platform !== ENSEMBLE_PLATFORM) {
    throw invalidArg(
      `ensemble scheduling cannot be set for model '${name}' whose platform is not ${ENSEMBLE_PLATFORM}`,
    );
  }
  if (config.instance_group.length !== 0) {
    throw invalidArg(`instance group should not be specified for ensemble '${name}'`);
  }
  if (config.optimization !== undefined) {
    throw invalidArg(`optimization should not be specified for ensemble '${name}'`);
  }
  if (config.model_warmup.length !== 0) throw invalidArg(`model_warmup can not be specified for ensemble '${name}'`);
  const steps = (config.ensemble_scheduling?.step ?? []) as Step[];
  if (steps.length === 0) throw invalidArg(`must specify 'step' for ensemble '${name}'`);

  const tensors = buildGraph(steps, name);
  const queue: TensorNode[] = [];
  for (const input of config.input) {
    const node = tensors.get(input.name);
    if (node === undefined) throw invalidArg(`ensemble input '${input.name}' for ensemble ${name}' is not used`);
    node.ready = true;
    queue.push(node);
  }
  while (queue.length > 0) {
    const node = queue.shift() as TensorNode;
    for (const next of node.next) {
      if (next.ready) continue;
      next.ready = next.prev.every((p) => p.ready);
      if (next.ready) queue.push(next);
    }
  }

  const outputs = new Set<string>();
  for (const output of config.output) {
    const node = tensors.get(output.name);
    if (node === undefined) throw invalidArg(`ensemble output '${output.name}' for ensemble ${name}' is not used`);
    if (!node.ready) throw invalidArg(notWrittenMessage(node, name));
    outputs.add(output.name);
  }
  for (const node of tensors.values()) {
    if (outputs.has(node.name)) continue;
    if (!node.ready || node.next.length === 0) {
      throw invalidArg(`ensemble tensor '${node.name}' is unused in ensemble '${name}'`);
    }
  }
}

function buildGraph(steps: readonly Step[], ensemble: string): Map<string, TensorNode> {
  const tensors = new Map<string, TensorNode>();
  const node = (tensor: string, isOutput: boolean): TensorNode => {
    const created: TensorNode = { name: tensor, isOutput, ready: false, prev: [], next: [] };
    tensors.set(tensor, created);
    return created;
  };
  steps.forEach((step, index) => {
    if (step.model_name === '') {
      throw invalidArg(`must specify 'model_name' in step ${index} of ensemble '${ensemble}'`);
    }
    if (Object.keys(step.input_map).length === 0) {
      throw invalidArg(`must specify 'input_map' in step ${index} of ensemble '${ensemble}'`);
    }
    if (Object.keys(step.output_map).length === 0) {
      throw invalidArg(`must specify 'output_map' in step ${index} of ensemble '${ensemble}'`);
    }
    const produced: TensorNode[] = [];
    for (const tensor of Object.values(step.output_map)) {
      let n = tensors.get(tensor);
      if (n === undefined) {
        n = node(tensor, true);
      } else if (n.isOutput) {
        throw invalidArg(
          `ensemble tensor '${tensor}' can appear in an output map only once for ensemble '${ensemble}' step ${index}`,
        );
      } else {
        n.isOutput = true;
      }
      produced.push(n);
    }
    // Object keys are unique, so an input mapped twice cannot be expressed in this form.
    for (const tensor of Object.values(step.input_map)) {
      const n = tensors.get(tensor) ?? node(tensor, false);
      for (const out of produced) {
        out.prev.push(n);
        n.next.push(out);
      }
    }
  });
  return tensors;
}

function notWrittenMessage(output: TensorNode, ensemble: string): string {
  let message = `output '${output.name}' for ensemble '${ensemble}' is not written`;
  // Walk back through not-ready producers to name the first disconnected tensor.
  let last = output;
  const seen = new Set<string>();
  let prev: TensorNode[] | undefined = output.prev;
  while (prev !== undefined && prev.length > 0) {
    const nodes: TensorNode[] = prev;
    prev = undefined;
    for (const n of nodes) {
      if (!n.ready && !seen.has(n.name)) {
        seen.add(n.name);
        last = n;
        prev = n.prev;
        break;
      }
    }
  }
  if (last.name !== output.name) {
    message += `: at least one of its depending tensors, '${last.name}', is not connected`;
  }
  return message;
}
