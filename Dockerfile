# One image for the bot and the workers; docker-compose.yml picks the role by command.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY commands ./commands
COPY workers ./workers
USER node
ENTRYPOINT ["node", "bin/dockmedic.js"]
CMD ["start"]
