# throughline as a container: the server way to run it (docker-compose.yml, docs/deployment.md).
# The code is TypeScript run by Node 24's type stripping, so there is no build stage: the
# image is the production dependencies and the source.
FROM node:24-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so a source change does not reinstall them. `npm install` honours the
# lock; `npm ci` would refuse it, as the lock cannot list chDB's native packages for other
# platforms (README), and install resolves the one this image's platform needs (amd64 or
# arm64). --ignore-scripts: the only lifecycle script that matters is ours (`prepare` builds
# the SDK for npm consumers, not needed here, and needs TypeScript, a devDependency); chDB's
# install script is empty.
COPY package.json package-lock.json ./
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY cli ./cli
COPY api ./api
COPY collector ./collector
COPY core ./core
COPY store ./store
COPY sdk ./sdk
COPY processes ./processes
COPY rules ./rules
COPY notify ./notify
COPY triage ./triage
COPY demo ./demo
COPY processes.d ./processes.d
COPY alert-rules ./alert-rules
COPY runbooks ./runbooks
COPY deploy ./deploy

# The spool (collector) and import staging (API) live in the data directory; a volume in compose.
RUN mkdir -p /var/lib/throughline && chown node:node /var/lib/throughline
ENV THROUGHLINE_DATA_DIR=/var/lib/throughline \
    THROUGHLINE_HOST=0.0.0.0
USER node

EXPOSE 4318 8080
ENTRYPOINT ["node", "bin/throughline.js"]
CMD ["serve"]
