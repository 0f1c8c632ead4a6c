"""The read side: questions answered from the read models, never from the event store."""
