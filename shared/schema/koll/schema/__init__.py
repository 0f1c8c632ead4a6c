"""koll.schema: the shared vocabulary (taxonomy, places, statuses) and payload schemas."""
