/**
 * Turning the requests of a dynamic batch into one execution and its outputs back into one result per request.
 * Inputs are concatenated along the batch dimension straight into the single packed buffer the worker receives (one
 * copy per request input); outputs are cut into per-request views of the worker's buffers (no copies).
 */
import { elementCount } from '../protocol/datatypes.ts';
import { packInputs, type PackedInputs } from '../protocol/packed-inputs.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import { internal } from '../protocol/errors.ts';

/** One batched request as assembly sees it: its model-side input tensors and batch dimension. */
export interface BatchMember {
  readonly inputs: readonly WireTensor[];
  readonly batchSize: number;
}

function inputNamed(member: BatchMember, name: string): WireTensor {
  for (const tensor of member.inputs) if (tensor.name === name) return tensor;
  throw internal(`batched request lacks input '${name}'`);
}

/** The batch's inputs, each the concatenation of its members' tensors along dimension 0. */
export function assembleBatch(members: readonly BatchMember[]): PackedInputs {
  const first = members[0]!;
  return packInputs(
    first.inputs.map((tensor) => {
      let rows = 0;
      const parts: Uint8Array[] = [];
      for (const member of members) {
        const own = member === first ? tensor : inputNamed(member, tensor.name);
        rows += own.shape[0] ?? 0;
        parts.push(own.data);
      }
      return { name: tensor.name, datatype: tensor.datatype, shape: [rows, ...tensor.shape.slice(1)], parts };
    }),
  );
}

/** Splits a batched output into per-member views: member i gets rows [start_i, start_i + rows_i). */
export function splitOutput(output: WireTensor, rowsPerMember: readonly number[]): WireTensor[] {
  const totalRows = output.shape[0] ?? 0;
  const rest = output.shape.slice(1);
  const sum = rowsPerMember.reduce((a, b) => a + b, 0);
  if (sum !== totalRows) throw internal(`output '${output.name}' has ${totalRows} rows for a batch of ${sum}`);
  const pieces: WireTensor[] = [];
  const view = (start: number, end: number): Uint8Array => output.data.subarray(start, end);
  if (output.datatype === 'BYTES') {
    const perRow = totalRows === 0 ? 0 : elementCount(output.shape) / totalRows;
    const data = output.data;
    const lengths = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let offset = 0;
    for (const rows of rowsPerMember) {
      const start = offset;
      for (let e = 0; e < rows * perRow; e++) offset += 4 + lengths.getUint32(offset, true);
      pieces.push({ name: output.name, datatype: output.datatype, shape: [rows, ...rest], data: view(start, offset) });
    }
    return pieces;
  }
  const rowBytes = totalRows === 0 ? 0 : output.data.byteLength / totalRows;
  let row = 0;
  for (const rows of rowsPerMember) {
    pieces.push({ name: output.name, datatype: output.datatype, shape: [rows, ...rest], data: view(row * rowBytes, (row + rows) * rowBytes) });
    row += rows;
  }
  return pieces;
}
