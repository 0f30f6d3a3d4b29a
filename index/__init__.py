"""Load, chunk, embed and store documents. Never imports `bot`."""
