import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import {
  GRPC_PROTO_DIR,
  GRPC_SERVICE_PROTO,
  HEALTH_PROTO,
  healthServiceDefinition,
  inferenceServiceDefinition,
  loadGrpcDefinitions,
} from '../../src/transport/grpc/grpc-protos.ts';

/** The same .proto files read by protobufjs reflection (imports resolved against protos/). */
function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(GRPC_PROTO_DIR, path.basename(target));
  root.loadSync([GRPC_SERVICE_PROTO, HEALTH_PROTO], { keepCase: true });
  root.resolveAll();
  return root;
}

const root = loadRoot();

/** Each field as `[repeated ]type name = id[ (oneof)]`, maps as `map<key, value> name = id`, in field-number order. */
function describeFields(typeName: string): string[] {
  const type = root.lookupType(typeName);
  return type.fieldsArray
    .slice()
    .sort((a, b) => a.id - b.id)
    .map((field) => {
      const valueType = field.resolvedType ? field.resolvedType.fullName.slice(1) : field.type;
      let text: string;
      if (field instanceof protobuf.MapField) text = `map<${field.keyType}, ${valueType}> ${field.name} = ${field.id}`;
      else text = `${field.repeated ? 'repeated ' : ''}${valueType} ${field.name} = ${field.id}`;
      return field.partOf ? `${text} (${field.partOf.name})` : text;
    });
}

const I = 'inference.';
const PARAM = `map<string, ${I}InferParameter>`;
const DURATION = `${I}StatisticDuration`;

const MESSAGES: Record<string, string[]> = {
  ServerLiveRequest: [],
  ServerLiveResponse: ['bool live = 1'],
  ServerReadyRequest: [],
  ServerReadyResponse: ['bool ready = 1'],
  ModelReadyRequest: ['string name = 1', 'string version = 2'],
  ModelReadyResponse: ['bool ready = 1'],
  ServerMetadataRequest: [],
  ServerMetadataResponse: ['string name = 1', 'string version = 2', 'repeated string extensions = 3'],
  ModelMetadataRequest: ['string name = 1', 'string version = 2'],
  ModelMetadataResponse: [
    'string name = 1',
    'repeated string versions = 2',
    'string platform = 3',
    `repeated ${I}ModelMetadataResponse.TensorMetadata inputs = 4`,
    `repeated ${I}ModelMetadataResponse.TensorMetadata outputs = 5`,
  ],
  'ModelMetadataResponse.TensorMetadata': ['string name = 1', 'string datatype = 2', 'repeated int64 shape = 3'],
  InferParameter: [
    'bool bool_param = 1 (parameter_choice)',
    'int64 int64_param = 2 (parameter_choice)',
    'string string_param = 3 (parameter_choice)',
    'double double_param = 4 (parameter_choice)',
    'uint64 uint64_param = 5 (parameter_choice)',
  ],
  InferTensorContents: [
    'repeated bool bool_contents = 1',
    'repeated int32 int_contents = 2',
    'repeated int64 int64_contents = 3',
    'repeated uint32 uint_contents = 4',
    'repeated uint64 uint64_contents = 5',
    'repeated float fp32_contents = 6',
    'repeated double fp64_contents = 7',
    'repeated bytes bytes_contents = 8',
  ],
  ModelInferRequest: [
    'string model_name = 1',
    'string model_version = 2',
    'string id = 3',
    `${PARAM} parameters = 4`,
    `repeated ${I}ModelInferRequest.InferInputTensor inputs = 5`,
    `repeated ${I}ModelInferRequest.InferRequestedOutputTensor outputs = 6`,
    'repeated bytes raw_input_contents = 7',
  ],
  'ModelInferRequest.InferInputTensor': [
    'string name = 1',
    'string datatype = 2',
    'repeated int64 shape = 3',
    `${PARAM} parameters = 4`,
    `${I}InferTensorContents contents = 5`,
  ],
  'ModelInferRequest.InferRequestedOutputTensor': ['string name = 1', `${PARAM} parameters = 2`],
  ModelInferResponse: [
    'string model_name = 1',
    'string model_version = 2',
    'string id = 3',
    `${PARAM} parameters = 4`,
    `repeated ${I}ModelInferResponse.InferOutputTensor outputs = 5`,
    'repeated bytes raw_output_contents = 6',
  ],
  'ModelInferResponse.InferOutputTensor': [
    'string name = 1',
    'string datatype = 2',
    'repeated int64 shape = 3',
    `${PARAM} parameters = 4`,
    `${I}InferTensorContents contents = 5`,
  ],
  ModelStreamInferResponse: ['string error_message = 1', `${I}ModelInferResponse infer_response = 2`],
  ModelConfigRequest: ['string name = 1', 'string version = 2'],
  ModelConfigResponse: [`${I}ModelConfig config = 1`],
  ModelStatisticsRequest: ['string name = 1', 'string version = 2'],
  StatisticDuration: ['uint64 count = 1', 'uint64 ns = 2'],
  InferStatistics: [
    `${DURATION} success = 1`,
    `${DURATION} fail = 2`,
    `${DURATION} queue = 3`,
    `${DURATION} compute_input = 4`,
    `${DURATION} compute_infer = 5`,
    `${DURATION} compute_output = 6`,
    `${DURATION} cache_hit = 7`,
    `${DURATION} cache_miss = 8`,
  ],
  InferResponseStatistics: [
    `${DURATION} compute_infer = 1`,
    `${DURATION} compute_output = 2`,
    `${DURATION} success = 3`,
    `${DURATION} fail = 4`,
    `${DURATION} empty_response = 5`,
    `${DURATION} cancel = 6`,
  ],
  InferBatchStatistics: [
    'uint64 batch_size = 1',
    `${DURATION} compute_input = 2`,
    `${DURATION} compute_infer = 3`,
    `${DURATION} compute_output = 4`,
  ],
  MemoryUsage: ['string type = 1', 'int64 id = 2', 'uint64 byte_size = 3'],
  ModelStatistics: [
    'string name = 1',
    'string version = 2',
    'uint64 last_inference = 3',
    'uint64 inference_count = 4',
    'uint64 execution_count = 5',
    `${I}InferStatistics inference_stats = 6`,
    `repeated ${I}InferBatchStatistics batch_stats = 7`,
    `repeated ${I}MemoryUsage memory_usage = 8`,
    `map<string, ${I}InferResponseStatistics> response_stats = 9`,
  ],
  ModelStatisticsResponse: [`repeated ${I}ModelStatistics model_stats = 1`],
  ModelRepositoryParameter: [
    'bool bool_param = 1 (parameter_choice)',
    'int64 int64_param = 2 (parameter_choice)',
    'string string_param = 3 (parameter_choice)',
    'bytes bytes_param = 4 (parameter_choice)',
  ],
  RepositoryIndexRequest: ['string repository_name = 1', 'bool ready = 2'],
  RepositoryIndexResponse: [`repeated ${I}RepositoryIndexResponse.ModelIndex models = 1`],
  'RepositoryIndexResponse.ModelIndex': [
    'string name = 1',
    'string version = 2',
    'string state = 3',
    'string reason = 4',
  ],
  RepositoryModelLoadRequest: [
    'string repository_name = 1',
    'string model_name = 2',
    `map<string, ${I}ModelRepositoryParameter> parameters = 3`,
  ],
  RepositoryModelLoadResponse: [],
  RepositoryModelUnloadRequest: [
    'string repository_name = 1',
    'string model_name = 2',
    `map<string, ${I}ModelRepositoryParameter> parameters = 3`,
  ],
  RepositoryModelUnloadResponse: [],
  SystemSharedMemoryStatusRequest: ['string name = 1'],
  SystemSharedMemoryStatusResponse: [
    `map<string, ${I}SystemSharedMemoryStatusResponse.RegionStatus> regions = 1`,
  ],
  'SystemSharedMemoryStatusResponse.RegionStatus': [
    'string name = 1',
    'string key = 2',
    'uint64 offset = 3',
    'uint64 byte_size = 4',
  ],
  SystemSharedMemoryRegisterRequest: ['string name = 1', 'string key = 2', 'uint64 offset = 3', 'uint64 byte_size = 4'],
  SystemSharedMemoryRegisterResponse: [],
  SystemSharedMemoryUnregisterRequest: ['string name = 1'],
  SystemSharedMemoryUnregisterResponse: [],
  CudaSharedMemoryStatusRequest: ['string name = 1'],
  CudaSharedMemoryStatusResponse: [`map<string, ${I}CudaSharedMemoryStatusResponse.RegionStatus> regions = 1`],
  'CudaSharedMemoryStatusResponse.RegionStatus': ['string name = 1', 'uint64 device_id = 2', 'uint64 byte_size = 3'],
  CudaSharedMemoryRegisterRequest: [
    'string name = 1',
    'bytes raw_handle = 2',
    'int64 device_id = 3',
    'uint64 byte_size = 4',
  ],
  CudaSharedMemoryRegisterResponse: [],
  CudaSharedMemoryUnregisterRequest: ['string name = 1'],
  CudaSharedMemoryUnregisterResponse: [],
  TraceSettingRequest: [
    `map<string, ${I}TraceSettingRequest.SettingValue> settings = 1`,
    'string model_name = 2',
  ],
  'TraceSettingRequest.SettingValue': ['repeated string value = 1'],
  TraceSettingResponse: [`map<string, ${I}TraceSettingResponse.SettingValue> settings = 1`],
  'TraceSettingResponse.SettingValue': ['repeated string value = 1'],
  LogSettingsRequest: [`map<string, ${I}LogSettingsRequest.SettingValue> settings = 1`],
  'LogSettingsRequest.SettingValue': [
    'bool bool_param = 1 (parameter_choice)',
    'uint32 uint32_param = 2 (parameter_choice)',
    'string string_param = 3 (parameter_choice)',
  ],
  LogSettingsResponse: [`map<string, ${I}LogSettingsResponse.SettingValue> settings = 1`],
  'LogSettingsResponse.SettingValue': [
    'bool bool_param = 1 (parameter_choice)',
    'uint32 uint32_param = 2 (parameter_choice)',
    'string string_param = 3 (parameter_choice)',
  ],
};

/** RPC → [request, response, client streaming, server streaming]. */
const RPCS: Record<string, [string, string, boolean, boolean]> = {
  ServerLive: ['ServerLiveRequest', 'ServerLiveResponse', false, false],
  ServerReady: ['ServerReadyRequest', 'ServerReadyResponse', false, false],
  ModelReady: ['ModelReadyRequest', 'ModelReadyResponse', false, false],
  ServerMetadata: ['ServerMetadataRequest', 'ServerMetadataResponse', false, false],
  ModelMetadata: ['ModelMetadataRequest', 'ModelMetadataResponse', false, false],
  ModelInfer: ['ModelInferRequest', 'ModelInferResponse', false, false],
  ModelStreamInfer: ['ModelInferRequest', 'ModelStreamInferResponse', true, true],
  ModelConfig: ['ModelConfigRequest', 'ModelConfigResponse', false, false],
  ModelStatistics: ['ModelStatisticsRequest', 'ModelStatisticsResponse', false, false],
  RepositoryIndex: ['RepositoryIndexRequest', 'RepositoryIndexResponse', false, false],
  RepositoryModelLoad: ['RepositoryModelLoadRequest', 'RepositoryModelLoadResponse', false, false],
  RepositoryModelUnload: ['RepositoryModelUnloadRequest', 'RepositoryModelUnloadResponse', false, false],
  SystemSharedMemoryStatus: ['SystemSharedMemoryStatusRequest', 'SystemSharedMemoryStatusResponse', false, false],
  SystemSharedMemoryRegister: ['SystemSharedMemoryRegisterRequest', 'SystemSharedMemoryRegisterResponse', false, false],
  SystemSharedMemoryUnregister: [
    'SystemSharedMemoryUnregisterRequest',
    'SystemSharedMemoryUnregisterResponse',
    false,
    false,
  ],
  CudaSharedMemoryStatus: ['CudaSharedMemoryStatusRequest', 'CudaSharedMemoryStatusResponse', false, false],
  CudaSharedMemoryRegister: ['CudaSharedMemoryRegisterRequest', 'CudaSharedMemoryRegisterResponse', false, false],
  CudaSharedMemoryUnregister: ['CudaSharedMemoryUnregisterRequest', 'CudaSharedMemoryUnregisterResponse', false, false],
  TraceSetting: ['TraceSettingRequest', 'TraceSettingResponse', false, false],
  LogSettings: ['LogSettingsRequest', 'LogSettingsResponse', false, false],
};

describe('grpc_service.proto (protobufjs reflection)', () => {
  it('declares every GRPCInferenceService RPC with its request and response types and streaming', () => {
    const service = root.lookupService('inference.GRPCInferenceService');
    const actual: Record<string, [string, string, boolean, boolean]> = {};
    for (const method of service.methodsArray) {
      actual[method.name] = [
        method.requestType,
        method.responseType,
        method.requestStream === true,
        method.responseStream === true,
      ];
    }
    assert.deepEqual(actual, RPCS);
  });

  for (const [name, expected] of Object.entries(MESSAGES)) {
    it(`inference.${name} has Triton's fields and numbers`, () => {
      assert.deepEqual(describeFields(`inference.${name}`), expected);
    });
  }

  it('ModelConfigResponse.config is the inference.ModelConfig of model_config.proto', () => {
    const field = root.lookupType('inference.ModelConfigResponse').fields.config!;
    const config = field.resolvedType as protobuf.Type;
    assert.equal(config.fullName, '.inference.ModelConfig');
    assert.equal(config.fields.max_batch_size!.id, 4);
    assert.equal(config.filename?.endsWith('model_config.proto'), true);
  });

  it('every message of package inference is covered by this test', () => {
    const all: string[] = [];
    const walk = (ns: protobuf.NamespaceBase, prefix: string): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          if (nested.filename?.endsWith(GRPC_SERVICE_PROTO)) all.push(`${prefix}${nested.name}`);
          walk(nested, `${prefix}${nested.name}.`);
        }
      }
    };
    walk(root.lookup('inference') as protobuf.Namespace, '');
    assert.deepEqual(all.sort(), Object.keys(MESSAGES).sort());
  });
});

describe('health.proto', () => {
  it('grpc.health.v1.Health: Check unary, Watch server-streaming; Triton ServingStatus values', () => {
    const service = root.lookupService('grpc.health.v1.Health');
    assert.deepEqual(
      service.methodsArray.map((m) => [m.name, m.requestType, m.responseType, m.responseStream === true]),
      [
        ['Check', 'HealthCheckRequest', 'HealthCheckResponse', false],
        ['Watch', 'HealthCheckRequest', 'HealthCheckResponse', true],
      ],
    );
    assert.deepEqual(describeFields('grpc.health.v1.HealthCheckRequest'), ['string service = 1']);
    assert.deepEqual(describeFields('grpc.health.v1.HealthCheckResponse'), [
      'grpc.health.v1.HealthCheckResponse.ServingStatus status = 1',
    ]);
    assert.deepEqual({ ...root.lookupEnum('grpc.health.v1.HealthCheckResponse.ServingStatus').values }, {
      UNKNOWN: 0,
      SERVING: 1,
      NOT_SERVING: 2,
      SERVICE_UNKNOWN: 3,
    });
  });
});

describe('grpc-js service definitions', () => {
  it('inferenceServiceDefinition has every RPC at /inference.GRPCInferenceService/<Rpc> with its streaming', () => {
    assert.deepEqual(Object.keys(inferenceServiceDefinition).sort(), Object.keys(RPCS).sort());
    for (const [name, [, , clientStream, serverStream]] of Object.entries(RPCS)) {
      const method = inferenceServiceDefinition[name]!;
      assert.equal(method.path, `/inference.GRPCInferenceService/${name}`);
      assert.equal(method.requestStream, clientStream, name);
      assert.equal(method.responseStream, serverStream, name);
    }
  });

  it('healthServiceDefinition serves /grpc.health.v1.Health/Check; enums travel as names', () => {
    const check = healthServiceDefinition.Check!;
    assert.equal(check.path, '/grpc.health.v1.Health/Check');
    const wire = check.responseSerialize({ status: 'NOT_SERVING' });
    assert.deepEqual([...wire], [0x08, 0x02]);
    assert.deepEqual(check.responseDeserialize(wire), { status: 'NOT_SERVING' });
  });

  it('loadGrpcDefinitions exposes the same definitions under the package names (and loads once)', () => {
    const definitions = loadGrpcDefinitions();
    assert.equal(definitions, loadGrpcDefinitions());
    assert.equal(definitions.inference.GRPCInferenceService.service, inferenceServiceDefinition);
    assert.equal(definitions.health.Health.service, healthServiceDefinition);
  });

  it('keeps 64-bit integers exact both ways (decimal strings), bytes as Buffer views, unset sub-messages null', () => {
    const method = inferenceServiceDefinition.ModelInfer!;
    const wire = method.requestSerialize({
      model_name: 'm',
      parameters: { big: { uint64_param: '18446744073709551615' }, neg: { int64_param: '-9223372036854775808' } },
      inputs: [{ name: 'x', datatype: 'INT64', shape: ['9223372036854775807', 2] }],
      raw_input_contents: [Buffer.from('abcd')],
    });
    const decoded = method.requestDeserialize(wire);
    assert.deepEqual(decoded.inputs[0].shape, ['9223372036854775807', '2']);
    assert.equal(decoded.inputs[0].contents, null);
    assert.deepEqual(decoded.parameters.big, { uint64_param: '18446744073709551615', parameter_choice: 'uint64_param' });
    assert.deepEqual(decoded.parameters.neg, { int64_param: '-9223372036854775808', parameter_choice: 'int64_param' });
    const raw: Buffer = decoded.raw_input_contents[0];
    assert.ok(Buffer.isBuffer(raw));
    assert.equal(raw.buffer, wire.buffer, 'a view into the received message');
    assert.equal(raw.toString(), 'abcd');
  });

  it('ModelConfigResponse carries a ModelConfig given in the plain config form (enum names, int64 numbers)', () => {
    const method = inferenceServiceDefinition.ModelConfig!;
    const wire = method.responseSerialize({
      config: {
        name: 'm',
        max_batch_size: 8,
        input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [-1, 16] }],
      },
    });
    const decoded = method.responseDeserialize(wire);
    assert.equal(decoded.config.name, 'm');
    assert.equal(decoded.config.max_batch_size, 8);
    assert.equal(decoded.config.input[0].data_type, 'TYPE_FP32');
    assert.deepEqual(decoded.config.input[0].dims, ['-1', '16']);
  });
});
