# nereid, CPU image: a Triton-compatible inference server for ONNX models on Node.js 20.
#
#   docker build -t nereid .
#   docker run --rm -p 8000:8000 -p 8001:8001 -p 8002:8002 \
#     -v "$PWD/model_repository:/models:ro" nereid [tritonserver-style flags, e.g. --log-verbose=1]
#
# The model repository is /models; mount it read-only (`:ro`): nereid only reads it. Arguments after the image name
# are appended to the entrypoint's flags, as with tritonserver. The GPU image is Dockerfile.gpu.

# ---- build: compile src/ to dist/, then keep only the runtime dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: onnxruntime-node's postinstall would download the CUDA providers from NuGet on linux/x64 (the
# CPU image does not use them; package.json's allowScripts disables it too). It also skips this package's `prepare`
# build, which runs below once the sources are in.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev && npm cache clean --force

# ---- runtime ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NEREID_HEALTH_URL=http://127.0.0.1:8000/v2/health/ready
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
COPY protos ./protos
# The model repository mount point; the files above stay root-owned and read-only to the server's user.
RUN mkdir -p /models
USER node
# HTTP/REST, gRPC, Prometheus metrics (tritonserver's defaults).
EXPOSE 8000 8001 8002
# Node's fetch, so the image needs no curl. Set NEREID_HEALTH_URL when --http-port is changed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.NEREID_HEALTH_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js", "--model-repository=/models"]
CMD []
