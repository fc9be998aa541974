"""Ingest: landed payloads → normalised inventory → merged tables → statuses → task results."""
