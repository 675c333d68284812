# syntax=docker/dockerfile:1
#
# The operator image: docker build -t REGISTRY/policyjobwatch:TAG .
#
# Build: compile with the full toolchain, then `npm pack`, so that the image holds exactly the
# files package.json `files` publishes (test/integration/packaging/image.test.ts rebuilds
# that tree the same way and runs it). Runtime: distroless Node.js 24 (LTS): no shell, no
# npm, no corepack, no package manager or compiler; its `nonroot` user is uid/gid 65532, the
# uid manifests/deployment.yaml runs as. Debugging: kubectl debug with an ephemeral container.
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# All dependencies, install scripts included (package.json allowScripts: the `node`
# devDependency fetches its binary; esbuild, for tsx). Nothing of this stage ships.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY crds ./crds
RUN npm run build \
  && npm pack --pack-destination /tmp \
  && mkdir /app \
  && tar -xzf /tmp/policyjobwatch-*.tgz -C /app --strip-components=1

FROM ${BUILD_IMAGE} AS production-dependencies
WORKDIR /app
COPY --from=build /app/package.json ./
COPY package-lock.json ./
# Production dependencies only, exactly as locked. None of them has an install script, and
# the image needs none to run: --ignore-scripts.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${RUNTIME_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
# Owned by root and read-only to the operator: it writes nothing to disk
# (manifests/deployment.yaml sets readOnlyRootFilesystem).
COPY --from=production-dependencies /app/package.json ./package.json
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/crds ./crds
USER 65532:65532
EXPOSE 8080 8081
# distroless has no `node` on PATH: its binary is /nodejs/bin/node.
ENTRYPOINT ["/nodejs/bin/node", "dist/cli/main.js"]
CMD ["run"]
