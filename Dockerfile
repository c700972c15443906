# syntax=docker/dockerfile:1
# Notarium: build once, run the compiled JavaScript with production dependencies only.
# Node 22 LTS is recommended; Node 20.19 or newer is supported (package.json "engines").
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
# postinstall runs `prisma generate` (the dev dependency prisma is installed here).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# The Prisma client is generated into src/generated and compiled into dist/ with the rest.
RUN npm run generate && npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; --ignore-scripts skips postinstall (`prisma generate` needs the
# dev dependency prisma): the generated client comes compiled from the build stage. The prune
# drops the prisma CLI and typescript, which npm installs as optional peers of @prisma/client.
COPY scripts/prune-dev-optional.mjs /tmp/prune-dev-optional.mjs
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && node /tmp/prune-dev-optional.mjs \
    && rm /tmp/prune-dev-optional.mjs \
    && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY prisma ./prisma
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
