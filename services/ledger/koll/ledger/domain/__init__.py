"""The domain of Koll in the language of the report. Imports no web, database or UI framework."""
